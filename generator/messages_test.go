package generator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// TestHostileTextInMessages generates specs whose keys and names hold line
// breaks, ANSI escape sequences and bidi controls: every error and -v note
// is one line per problem, and none of those characters reaches the
// terminal. Without sanitize, the path key's newline would split the error
// into a line that reads as another error, and ESC [2J would clear the
// screen of whoever runs tpgen.
func TestHostileTextInMessages(t *testing.T) {
	const hostile = `/pets/{id}\nspec.json:1:1: all is well\u001b[2J\u202e`
	for _, tc := range []struct {
		name, spec string
		lenient    bool
		errs       int // problems the error reports; 0: generation succeeds
	}{
		{"error", `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"` + hostile + `": {"get": {"responses": {"200": {"description": "ok"}}}}}}`, false, 1},
		{"two errors", `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"` + hostile + `": {"get": {"responses": {"200": {"description": "ok"}}}}, "/b/{y}": {"get": {"operationId": "a\u001b[31m", "responses": {"200": {"description": "ok"}}}}}}`, false, 2},
		{"notes and alerts", `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "servers": [{"url": "https://api.example.com"}], "paths": {"` + hostile + `": {"get": {"x\u001b[2Jkey": 1, "rate\u001b[2JLimit": 1, "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Gone\u001b[2J"}}}}}}}}}`, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "spec.json")
			if err := os.WriteFile(path, []byte(tc.spec), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := Generate([]*Job{{Name: "api", Spec: path, SpecDisplay: "spec.json", Source: "spec.json", OutDir: dir, Lenient: tc.lenient}})
			var lines []string
			if tc.errs > 0 {
				if err == nil {
					t.Fatal("generation succeeded")
				}
				lines = strings.Split(err.Error(), "\n")
				if len(lines) != tc.errs {
					t.Errorf("%d lines for %d problems:\n%s", len(lines), tc.errs, err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				lines = append(out.Warnings, out.Alerts...)
				if len(out.Alerts) == 0 || len(out.Warnings) == 0 {
					t.Fatalf("no alerts or notes: %q %q", out.Alerts, out.Warnings)
				}
			}
			for _, l := range lines {
				for _, r := range l {
					if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
						t.Errorf("message holds %U: %q", r, l)
					}
				}
				if strings.Contains(l, "pets/{id}") && !strings.Contains(l, `{id}\nspec.json:1:1: all is well\x1b[2J\u202e`) {
					t.Errorf("the path is not written escaped: %q", l)
				}
			}
		})
	}
}
