package generator_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator"
)

// TestSpecTokenURLsRefused: a spec may give the token endpoint that
// services.yaml leaves out, and so choose where the client secret goes. The
// attack is a vendored spec that names an endpoint the reader does not see:
// credentials in the URL (the host is evil.example.net), plain http to
// another host, a host in look-alike letters, another scheme, a fragment.
// None is taken: the client gets no token URL (New then asks for one), and
// -v says why. A good one is taken, and every run warns where the secret
// goes.
func TestSpecTokenURLsRefused(t *testing.T) {
	for _, tt := range []struct {
		url   string
		taken bool
	}{
		{"https://auth.example.com@evil.example.net/token", false},
		{"http://10.0.0.1/token", false},
		{"http://auth.example.com/token", false},
		{"https://аuth.example.com/token", false}, // Cyrillic а
		{"javascript:alert(1)", false},
		{"ftp://auth.example.com/token", false},
		{"https://auth.example.com/token#x", false},
		{"//evil.example.net/token", false}, // scheme-relative: another host of the base URL's scheme
		{"https://auth.example.com/token", true},
		{"http://127.0.0.1:8080/token", true},
	} {
		t.Run(tt.url, func(t *testing.T) {
			dir := t.TempDir()
			spec := filepath.Join(dir, "spec.yaml")
			doc := fmt.Sprintf(`openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://api.example.com"}]
security: [{oauth: []}]
paths:
  /x:
    get: {operationId: getX, responses: {"204": {description: ok}}}
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: %q, scopes: {}}
`, tt.url)
			if err := os.WriteFile(spec, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := generator.Generate([]*generator.Job{{Name: "t", Package: "t", Spec: spec, SpecDisplay: spec, Source: "spec.yaml", OutDir: filepath.Join(dir, "out")}})
			if err != nil {
				t.Fatal(err)
			}
			var client string
			for _, f := range out.Files {
				if filepath.Base(f.Path) == "client.go" {
					client = string(f.Data)
				}
			}
			hasURL := strings.Contains(client, "TokenURL:")
			warned := strings.Contains(strings.Join(out.Alerts, "\n"), "the client secret is sent there")
			noted := strings.Contains(strings.Join(out.Warnings, "\n"), "token URL not taken from the spec")
			if hasURL != tt.taken || warned != tt.taken || noted == tt.taken {
				t.Errorf("token URL in the client %v, warned %v, noted %v; want taken=%v\nalerts %q\nnotes %q", hasURL, warned, noted, tt.taken, out.Alerts, out.Warnings)
			}
			if !tt.taken && strings.Contains(client, "evil") {
				t.Errorf("the client names the host:\n%s", client)
			}
		})
	}
}
