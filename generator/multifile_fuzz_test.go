package generator_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tpgen/tpgen/generator"
)

// FuzzMultiFile generates a spec split over two files, spec.yaml and
// models/pet.yaml, both from fuzz bytes (seeded with the golden cases that
// are split so), and holds Generate to what it promises for one file: no
// panic, an answer within the deadline, and either an error every line of
// which names one of the two files (with a line it has), or Go files that
// type-check.
//
//	go test ./generator -run '^$' -fuzz FuzzMultiFile -fuzztime 10m
func FuzzMultiFile(f *testing.F) {
	for _, dir := range []string{"golden/multifile", "golden-errors/ref_file_missing_nested", "golden-errors/ref_file_wrong_type", "golden-errors/ref_file_cycle"} {
		root, err := os.ReadFile(filepath.Join("testdata", dir, "spec.yaml"))
		if err != nil {
			f.Fatal(err)
		}
		for _, other := range []string{"models/pet.yaml", "models/a.yaml"} {
			if data, err := os.ReadFile(filepath.Join("testdata", dir, other)); err == nil {
				f.Add(bytes.ReplaceAll(root, []byte(other), []byte("models/pet.yaml")), data)
			}
		}
	}
	f.Add([]byte("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /a:\n    get: {$ref: models/pet.yaml}\n"),
		[]byte("operationId: a\nresponses:\n  \"200\": {description: ok, content: {application/json: {schema: {$ref: '#/components/x'}}}}\ncomponents: {x: {type: string}}\n"))
	f.Add([]byte("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /a:\n    $ref: models/pet.yaml#/p\n"),
		[]byte("p:\n  get:\n    responses:\n      \"200\": {$ref: '#/r'}\nr: {description: ok, content: {application/json: {schema: {$ref: '../spec.yaml#/components/schemas/S'}}}}\n"))
	f.Fuzz(func(t *testing.T, root, other []byte) {
		dir := t.TempDir()
		files := map[string][]byte{"spec.yaml": root, filepath.Join("models", "pet.yaml"): other}
		for name, data := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		svc := &generator.Job{Name: "api", Package: "api", Spec: filepath.Join(dir, "spec.yaml"), SpecDisplay: "spec.yaml", Source: "openapi.spec", OutDir: filepath.Join(dir, "gen")}
		out, err := generateWithin(t, svc, fuzzDeadline+time.Duration(len(root)+len(other))*10*time.Second/(1<<20))
		if err != nil {
			if out != nil {
				t.Errorf("Generate returned output beside its error: %v", err)
			}
			checkMultiFileError(t, dir, files, err)
			return
		}
		for _, f := range out.Files {
			rel, err := filepath.Rel(svc.OutDir, f.Path)
			if err != nil || !filepath.IsLocal(rel) {
				t.Errorf("generated file %s is outside %s", f.Path, svc.OutDir)
			}
			checkFile(t, rel, f.Data)
		}
		typeCheck(t, "spec.yaml", root, out.Files)
	})
}

// checkMultiFileError asserts that every line of err names one of files
// (by the name the user would know it by, never the temporary directory)
// and, when it has a line, one that the file has.
func checkMultiFileError(t *testing.T, dir string, files map[string][]byte, err error) {
	t.Helper()
	text := err.Error()
	if strings.Contains(text, dir) {
		t.Errorf("error names the spec's directory %s:\n%s", dir, text)
	}
	for _, line := range strings.Split(text, "\n") {
		m := errorLineRE.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("error line does not start with a file: %q\nwhole error:\n%s", line, text)
			continue
		}
		data, ok := files[m[1]]
		if !ok {
			t.Errorf("error line names %s, not one of the spec's files: %q", m[1], line)
			continue
		}
		if strings.Contains(line, "a bug in tpgen") {
			t.Errorf("error reports a bug in tpgen: %q", line)
		}
		lines := 1
		for _, brk := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
			lines += bytes.Count(data, []byte(brk))
		}
		if m[2] != "" {
			if n, _ := strconv.Atoi(m[2]); n < 1 || n > lines {
				t.Errorf("error points at line %d of %s, which has %d: %q", n, m[1], lines, line)
			}
		}
	}
}
