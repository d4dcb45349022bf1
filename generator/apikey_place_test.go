package generator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator"
)

// TestAPIKeyInMessageIDHeaderSingleSpec: a spec whose apiKey goes in the
// header that carries message ids, generated as single-spec mode does (no
// message id header configured, so the runtime's default), gets the scheme
// as one the runtime cannot send, with a -v note, and keeps its parameter of
// that name; before, it was emitted as a working apiKey scheme, and every
// New of the client failed.
func TestAPIKeyInMessageIDHeaderSingleSpec(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(spec, []byte(`openapi: 3.0.3
info: {title: v, version: "1"}
servers: [{url: "https://vendor.example.com"}]
security: [{msg: []}]
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: x-message-id, in: header, schema: {type: string}}
      responses:
        "204": {description: done}
components:
  securitySchemes:
    msg: {type: apiKey, in: header, name: X-Message-Id}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := generator.Generate([]*generator.Job{{Name: "vendor", Package: "vendor", Spec: spec, SpecDisplay: "spec.yaml",
		Source: "spec.yaml", OutDir: "out", ImportPath: "example.com/vendor"}})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(out.Warnings, "\n")
	if !strings.Contains(notes, "security scheme the runtime cannot send") || !strings.Contains(notes, "X-Message-Id") {
		t.Errorf("no note that the scheme cannot be sent:\n%s", notes)
	}
	if strings.Contains(notes, "left out") {
		t.Errorf("the parameter was left out as a key the runtime sends:\n%s", notes)
	}
	for _, f := range out.Files {
		if strings.HasSuffix(f.Path, "client.go") && strings.Contains(string(f.Data), "SchemeAPIKey") {
			t.Errorf("%s: the scheme is emitted as an apiKey the runtime would refuse at New", f.Path)
		}
	}
}
