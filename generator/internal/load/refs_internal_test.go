package load

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefReadOnce: kin-openapi asks for a file again for every $ref into it;
// the reader reads it once per load, so that a spec with many references to
// one large file does not hold it many times over.
func TestRefReadOnce(t *testing.T) {
	dir := t.TempDir()
	var props strings.Builder
	for i := range 300 {
		fmt.Fprintf(&props, "        p%d: {$ref: \"common.yaml#/Thing\"}\n", i)
	}
	spec := "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths: {}\ncomponents:\n  schemas:\n    Many:\n      type: object\n      properties:\n" + props.String()
	for name, data := range map[string]string{"spec.yaml": spec, "common.yaml": "Thing: {type: string}\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "spec.yaml")
	refs, err := NewRefReader(path, "spec.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	defer refs.Close()
	abs, _ := filepath.Abs(path)
	doc, err := LoadOpenAPI3([]byte(spec), &url.URL{Path: filepath.ToSlash(abs)}, refs)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(doc.Components.Schemas["Many"].Value.Properties); got != 300 {
		t.Fatalf("%d properties", got)
	}
	if len(refs.files) != 1 {
		t.Errorf("%d files read, want common.yaml once", len(refs.files))
	}
}
