package generator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator"
)

// serversSpec is a spec whose servers: section is servers (indented as a
// top-level key's value); its first server's url is on line 4.
func serversSpec(servers string) string {
	return "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\nservers:\n" + servers + `paths:
  /pets:
    get:
      operationId: listPets
      responses: {"200": {description: OK}}
`
}

func generateWithServers(t *testing.T, spec, baseURL string) (*generator.Output, error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return generator.Generate([]*generator.Job{{
		Name: "api", Package: "api", Spec: path, SpecDisplay: "spec.yaml", Source: "spec.yaml", OutDir: filepath.Join(dir, "gen"),
		Runtime: generator.RuntimeDefaults{BaseURL: baseURL},
	}})
}

// TestSpecServerRefused: a spec's first server becomes the client's default
// base URL, where every call goes with its token. One that names another host
// than it seems to, or is no http(s) URL, is an error at its position in the
// spec, however it is written (its variables at their defaults included).
func TestSpecServerRefused(t *testing.T) {
	tests := []struct {
		name, servers, pos, want string
	}{
		{"userinfo", "  - url: http://api.example.com@evil.example.net/v1\n", "spec.yaml:4:5",
			"must not contain a user name or password: credentials are read from the environment at run time (as written, every call would go to evil.example.net)"},
		{"userinfo with password", "  - url: 'https://api.example.com:443@evil.example.net'\n", "spec.yaml:4:5", "every call would go to evil.example.net"},
		{"empty userinfo", "  - url: https://@evil.example.net\n", "spec.yaml:4:5", "user name or password"},
		{"userinfo from a variable", "  - url: https://{host}/v1\n    variables:\n      host: {default: api.example.com@evil.example.net}\n", "spec.yaml:4:5",
			`must not contain a user name or password: credentials are read from the environment at run time (as written, every call would go to evil.example.net) (from "https://{host}/v1", its variables at their defaults)`},
		{"scheme from a variable", "  - url: '{scheme}://api.example.com'\n    variables:\n      scheme: {default: ftp}\n", "spec.yaml:4:5", `"ftp://api.example.com" is not an absolute http or https URL (from "{scheme}://api.example.com", its variables at their defaults)`},
		{"ftp", "  - url: ftp://api.example.com/v1\n", "spec.yaml:4:5", "is not an absolute http or https URL"},
		{"file", "  - url: file:///etc/passwd\n", "spec.yaml:4:5", "is not an absolute http or https URL"},
		{"javascript", "  - url: 'javascript:alert(1)'\n", "spec.yaml:4:5", "is not an absolute http or https URL"},
		{"no host", "  - url: 'http:/v1'\n", "spec.yaml:4:5", "is not an absolute http or https URL"},
		{"host not in ASCII", "  - url: https://аpi.example.com/v1\n", "spec.yaml:4:5", "write the host in ASCII"},
		{"query", "  - url: https://api.example.com/v1?key=x\n", "spec.yaml:4:5", "must not have a query"},
		{"fragment from a variable", "  - url: https://api.example.com/{v}\n    variables:\n      v: {default: 'v1#x'}\n", "spec.yaml:4:5", "must not have a fragment"},
		{"first of several", "  - url: http://api.example.com@evil.example.net\n  - url: https://api.example.com\n", "spec.yaml:4:5", "every call would go to evil.example.net"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := generateWithServers(t, serversSpec(tt.servers), "")
			if err == nil {
				t.Fatalf("generation succeeded with base URL %q", out.Stats[0].BaseURL)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.pos+": ") || !strings.Contains(msg, tt.want) || !strings.Contains(msg, "set base_url in services.yaml") {
				t.Errorf("error:\n\t%s\nwant at %s: ...%s...; set base_url", msg, tt.pos, tt.want)
			}
		})
	}
}

// TestSpecServerUnused: with a base URL from services.yaml (or -base-url),
// the spec's servers are not used: a bad one is only noted, and nowhere in
// the generated code. Servers after the first are never used.
func TestSpecServerUnused(t *testing.T) {
	out, err := generateWithServers(t, serversSpec("  - url: http://api.example.com@evil.example.net/v1\n"), "https://api.example.com/v1")
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Stats[0].BaseURL; got != "https://api.example.com/v1" {
		t.Errorf("base URL %q", got)
	}
	if !strings.Contains(allText(out), `"https://api.example.com/v1"`) || strings.Contains(allText(out), "evil.example.net") {
		t.Error("the generated code does not use the configured base URL alone")
	}
	if notes := strings.Join(out.Warnings, "\n"); !strings.Contains(notes, "the spec's first server is not used, base_url is; it would have been refused") {
		t.Errorf("no -v note of the bad server: %q", notes)
	}

	out, err = generateWithServers(t, serversSpec("  - url: https://api.example.com\n  - url: http://x@evil.example.net\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Stats[0].BaseURL; got != "https://api.example.com" {
		t.Errorf("base URL %q", got)
	}
}

// TestPlainHTTPAlert: a base URL over plain http to a host that is not
// loopback is said on every run (Alerts, not only -v), wherever it came from.
func TestPlainHTTPAlert(t *testing.T) {
	tests := []struct {
		servers, configured string
		alert               bool
	}{
		{"  - url: http://api.example.com/v1\n", "", true},
		{"  - url: 'http://{host}/v1'\n    variables: {host: {default: api.example.com}}\n", "", true},
		{"  - url: https://api.example.com/v1\n", "http://api.internal.example.com", true},
		{"  - url: http://api.example.com/v1\n", "https://api.example.com", false},
		{"  - url: https://api.example.com/v1\n", "", false},
		{"  - url: http://localhost:8080\n", "", false},
		{"  - url: http://127.0.0.1:8080\n", "", false},
		{"  - url: 'http://[::1]:8080'\n", "", false},
		{"  - url: http://app.localhost\n", "", false},
		{"  - url: /v1\n", "", false},
	}
	for _, tt := range tests {
		out, err := generateWithServers(t, serversSpec(tt.servers), tt.configured)
		if err != nil {
			t.Errorf("%q %q: %v", tt.servers, tt.configured, err)
			continue
		}
		alerts := strings.Join(out.Alerts, "\n")
		if got := strings.Contains(alerts, "uses plain http to") && strings.Contains(alerts, "tokens and data would travel unencrypted"); got != tt.alert {
			t.Errorf("%q %q: alerts %q, want an alert: %v", tt.servers, tt.configured, alerts, tt.alert)
		}
	}
}
