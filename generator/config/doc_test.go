package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocExamples: the examples in REFERENCE.md and the package doc load.
func TestDocExamples(t *testing.T) {
	ref, err := os.ReadFile("REFERENCE.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(ref), "### Example\n\n```yaml\n")
	refExample, _, ok := strings.Cut(after, "```")
	if !ok {
		t.Fatal("REFERENCE.md: no yaml block under ### Example")
	}

	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var docExample strings.Builder
	_, after, _ = strings.Cut(string(doc), "// # The file, version 1\n//\n")
	for _, line := range strings.Split(after, "\n") {
		rest, ok := strings.CutPrefix(line, "//\t")
		if !ok {
			break
		}
		docExample.WriteString(rest + "\n")
	}

	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "specs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"orders.yaml", "payments.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, "specs", name), []byte("openapi: 3.0.3\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, example := range map[string]string{"REFERENCE.md": refExample, "doc.go": docExample.String()} {
		if len(example) < 100 {
			t.Errorf("%s: example not found", name)
			continue
		}
		if _, err := Parse(filepath.Join(dir, "services.yaml"), []byte(example)); err != nil {
			t.Errorf("%s: example does not load:\n%v\n%s", name, err, example)
		}
	}
}
