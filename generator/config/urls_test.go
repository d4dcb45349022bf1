package config

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckHTTPURL: whatever CheckHTTPURL accepts, net/url (which the
// runtime and net/http use) reads as an http(s) URL to the host a reader
// sees: no user name or password, a non-empty ASCII host, no fragment or
// query. A message about credentials never repeats the URL.
func FuzzCheckHTTPURL(f *testing.F) {
	for _, s := range []string{
		"https://api.example.com/v1", "http://api.example.com@evil.example.net/v1", "https://a:b@c", "https://@c",
		"http://[::1]:8080/x", "HTTP://X.COM", "http:/x", "http:x", "javascript:alert(1)", "https://аpi.example.com",
		"https://x/?q", "https://x/#f", "https://x%40y", "https://x\\@y", "//x/y", "https://x:99999", "https://x/%zz",
		"https://api.example.com%2f@evil.example.net",
	} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, v string, query bool) {
		msg := CheckHTTPURL("base_url", v, query)
		if msg != "" {
			if strings.Contains(msg, "user name or password") && len(v) > 12 && strings.Contains(msg, v) {
				t.Errorf("the message quotes a URL with credentials: %s", msg)
			}
			return
		}
		u, err := url.Parse(v)
		switch {
		case err != nil:
			t.Fatalf("accepted %q, which net/url cannot parse: %v", v, err)
		case u.User != nil || strings.Contains(u.Host, "@"):
			t.Errorf("accepted %q, which has a user name: %v", v, u.User)
		case u.Scheme != "http" && u.Scheme != "https":
			t.Errorf("accepted %q with scheme %q", v, u.Scheme)
		case u.Hostname() == "" || !isASCII(u.Host):
			t.Errorf("accepted %q with host %q", v, u.Host)
		case u.Fragment != "" || strings.Contains(v, "#"):
			t.Errorf("accepted %q with a fragment", v)
		case !query && (u.RawQuery != "" || u.ForceQuery):
			t.Errorf("accepted %q with a query", v)
		}
	})
}
