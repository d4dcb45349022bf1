package generator

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBundleMergeKeysAndEmptySections: $refs inside a YAML merge key (<<) of
// a referenced file are followed from that file, and components written as
// null still take the objects from other files.
func TestBundleMergeKeysAndEmptySections(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"spec.yaml": "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /pets: {$ref: 'paths/pets.yaml'}\ncomponents:\n  schemas: null\n",
		"paths/pets.yaml": "get:\n  <<: {parameters: [{$ref: '../common/limit.yaml'}]}\n  operationId: listPets\n  responses:\n    \"200\":\n" +
			"      description: ok\n      content: {application/json: {schema: {$ref: '../models/pet.yaml'}}}\n",
		"common/limit.yaml": "{name: limit, in: query, schema: {type: integer, format: int32}}\n",
		"models/pet.yaml":   "type: object\nproperties: {name: {type: string}}\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := Generate([]*Job{{Name: "api", Spec: filepath.Join(dir, "spec.yaml"), SpecDisplay: "spec.yaml", Source: "spec.yaml", OutDir: "out"}})
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, f := range out.Files {
		all = append(all, f.Data...)
	}
	for _, want := range []string{"func (c *Client) ListPets(ctx context.Context, params *ListPetsParams, opts ...runtime.CallOption) (*Pet, error)", "Limit *int32", "type Pet struct"} {
		if !bytes.Contains(all, []byte(want)) {
			t.Errorf("the client has no %q", want)
		}
	}
}

// TestBundleSourcesStayOnTheirLine is the attack of a $ref whose pointer
// names a key with a line break and a directive in it: the type's doc
// comment names where the schema comes from, which must not start a line of
// the generated file.
func TestBundleSourcesStayOnTheirLine(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"spec.yaml": "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /a:\n    get:\n      responses:\n        \"200\":\n          description: ok\n" +
			"          content: {application/json: {schema: {$ref: 'models/defs.yaml#/a%0A~1~1go:generate%20echo%20pwned/properties/b'}}}\n",
		"models/defs.yaml": "\"a\\n//go:generate echo pwned\":\n  type: object\n  properties:\n    b: {type: object, properties: {c: {type: string}}}\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := Generate([]*Job{{Name: "api", Spec: filepath.Join(dir, "spec.yaml"), SpecDisplay: "spec.yaml", Source: "spec.yaml", OutDir: "out"}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range out.Files {
		for _, line := range strings.Split(string(f.Data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//go:") {
				t.Errorf("%s has a directive: %q", f.Path, line)
			}
			// The doc comment may wrap before the source, which is one word.
			if strings.HasPrefix(strings.TrimSpace(line), "// ") && strings.Contains(line, "models/defs.yaml#/a%0A") {
				found = true
			}
		}
	}
	if !found {
		t.Error("no type's doc comment names models/defs.yaml#/a%0A...: the attack was not tried")
	}
}
