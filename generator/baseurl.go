package generator

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/config"
	"github.com/tpgen/tpgen/internal/loopback"
)

// A spec's first server becomes the generated client's default base URL,
// where every call goes with its token, so a spec cannot choose a host that
// its text hides: a server URL with a user name
// (http://api.example.com@evil.example.net calls evil.example.net), another
// scheme than http(s), a host not in ASCII, a query or a fragment is refused,
// after its variables are set to their defaults ({scheme}://{host} is checked
// as it would be used). When services.yaml or -base-url gives the base URL,
// the spec's servers are not used, and a bad one is only noted (-v).

// defaultBaseURL settles pkg.Runtime.BaseURL: the configured one, else the
// spec's first server.
func (b *builder) defaultBaseURL() {
	configured := b.pkg.Runtime.BaseURL != ""
	u, problem, keys := b.firstServer()
	switch {
	case problem != "" && configured:
		b.note("the spec's first server is not used, base_url is; it would have been refused: "+problem, "", "")
	case problem != "":
		b.errs = append(b.errs, b.sp.ErrorAt(problem+"; it would be the client's default base URL: set base_url in services.yaml (-base-url in single-spec mode) to the service's real URL", keys...))
	case !configured:
		b.pkg.Runtime.BaseURL = u
	}
}

// firstServer returns the spec's first server URL with its variables at
// their defaults, or what makes it unfit and where in the spec that is (its
// url, also when a variable's default is to blame: the message names both). A
// relative URL ("/v1") or one with a variable that has no default gives
// neither: the base URL must come from services.yaml or at run time, and -v
// says so.
func (b *builder) firstServer() (u, problem string, keys []string) {
	if len(b.sp.Doc.Servers) == 0 || b.sp.Doc.Servers[0] == nil {
		return "", "", nil
	}
	s := b.sp.Doc.Servers[0]
	u = substitute(s)
	if strings.ContainsAny(u, "{}") {
		b.note(fmt.Sprintf("the spec's first server %q has a variable without a default; set base_url in services.yaml or pass runtime.WithBaseURL", s.URL), "", "")
		return "", "", nil
	}
	if p, err := url.Parse(u); err == nil && p.Scheme == "" && p.Host == "" {
		b.note(fmt.Sprintf("the spec's first server %q is not an absolute URL; set base_url in services.yaml or pass runtime.WithBaseURL", s.URL), "", "")
		return "", "", nil
	}
	problem = config.CheckHTTPURL("the spec's first server url", u, false)
	if problem == "" {
		return u, "", nil
	}
	if p, err := url.Parse(u); err == nil && p.User != nil {
		problem += fmt.Sprintf(" (as written, every call would go to %s)", p.Host)
	}
	if u != s.URL && !strings.Contains(s.URL, "@") {
		problem += fmt.Sprintf(" (from %q, its variables at their defaults)", s.URL)
	}
	return "", problem, []string{"servers", "0", "url"}
}

// substitute returns s.URL with its variables at their defaults.
func substitute(s *openapi3.Server) string {
	u := s.URL
	for _, k := range sortedKeys(s.Variables) {
		if v := s.Variables[k]; v != nil {
			u = strings.ReplaceAll(u, "{"+k+"}", v.Default)
		}
	}
	return u
}

// insecureBaseURL says why a base URL puts calls at risk, or "": plain http
// to a host that is not loopback sends tokens and data unencrypted.
func insecureBaseURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "http" || loopback.Is(p.Hostname()) {
		return ""
	}
	return fmt.Sprintf("base URL %s uses plain http to %s, which is not loopback: tokens and data would travel unencrypted; use https", u, p.Hostname())
}
