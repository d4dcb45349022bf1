package config

import (
	"fmt"
	"net/url"
	"strings"
)

// CheckHTTPURL says what makes v unfit as the absolute http or https URL that
// key names (a base URL, a token endpoint, an issuer), or "" when nothing
// does. It refuses a user name or password (calls to
// https://api.example.com@evil.example.net go to evil.example.net), another
// scheme, a missing host, a host not written in ASCII (whose letters may only
// look like the name a reader sees), a fragment, and a query unless query.
// A message never quotes a URL that carries credentials.
//
// services.yaml, single-spec mode's -base-url and the servers of specs are
// all checked with it.
func CheckHTTPURL(key, v string, query bool) string {
	u, err := url.Parse(v)
	switch {
	case err == nil && u.User != nil, err != nil && strings.Contains(v, "@"):
		return fmt.Sprintf("%s must not contain a user name or password: credentials are read from the environment at run time", key)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "":
		return fmt.Sprintf("%s %s is not an absolute http or https URL", key, quote(v))
	case !isASCII(u.Hostname()):
		return fmt.Sprintf("%s %s: write the host in ASCII (an internationalised name in its xn-- form), so that the name read is the host called", key, quote(v))
	case u.Fragment != "" || strings.Contains(v, "#"):
		return fmt.Sprintf("%s %s must not have a fragment (#...)", key, quote(v))
	case !query && (u.RawQuery != "" || u.ForceQuery):
		return fmt.Sprintf("%s %s must not have a query (?...)", key, quote(v))
	}
	return ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
