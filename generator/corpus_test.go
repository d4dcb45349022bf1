package generator_test

import (
	"bytes"
	"encoding/json"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator"
	"go.yaml.in/yaml/v4"
)

// TestCorpus generates a client for every document in $TPGEN_CORPUS, checks
// that no operation is missing, and builds and vets all of them. It is skipped
// when TPGEN_CORPUS is not set (users' clones have no corpus).
//
// Under the race detector, which makes generation several times slower, it
// takes the documents under raceCorpusLimit bytes (and says which it left
// out), so that go test -race ./... stays within go test's ten minutes on a
// busy machine; TPGEN_CORPUS_FULL=1 takes all of them. .ci/run runs the whole
// corpus without the race detector as well.
func TestCorpus(t *testing.T) {
	dir := os.Getenv("TPGEN_CORPUS")
	if dir == "" {
		t.Skip("TPGEN_CORPUS is not set; set it to a folder of OpenAPI documents (../shared/corpus in CI)")
	}
	if _, err := os.Stat(dir); err != nil && !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir) // relative to the repository, where go test was likely run
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	gomod := "module corpus\n\ngo 1.26.0\n\nrequire github.com/tpgen/tpgen v0.0.0\n\nreplace github.com/tpgen/tpgen => " + root + "\n"
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil {
		_ = os.WriteFile(filepath.Join(mod, "go.sum"), sum, 0o644)
	}
	nonAlnum := regexp.MustCompile(`[^a-z0-9]`)
	generated := 0
	for _, f := range files {
		ext := filepath.Ext(f)
		if ext != ".json" && ext != ".yaml" && ext != ".yml" {
			continue
		}
		base := filepath.Base(f)
		if fi, err := os.Stat(f); err == nil && raceSlowdown > 1 && fi.Size() > raceCorpusLimit && os.Getenv("TPGEN_CORPUS_FULL") == "" {
			t.Logf("%s: %d bytes, left out under the race detector (TPGEN_CORPUS_FULL=1 takes it; .ci/run tests it without -race)", base, fi.Size())
			continue
		}
		pkg := "c" + nonAlnum.ReplaceAllString(strings.ToLower(strings.TrimSuffix(base, ext)), "")
		// The default (models: used), and when that left schemas out, also
		// models: all, so that every schema of the corpus is typed and built.
		// The first has its types in a model subpackage, as users get it in
		// a module; the second is generated without an import path, so its
		// types stay in the client package: both layouts are built.
		for _, all := range []bool{false, true} {
			name, importPath := pkg, "corpus/"+pkg
			if all {
				name, importPath = pkg+"all", ""
			}
			svc := &generator.Job{
				Name: name, Package: name, Spec: f, SpecDisplay: base, Source: base, OutDir: filepath.Join(mod, name),
				ImportPath: importPath, AllModels: all,
			}
			out, err := generator.Generate([]*generator.Job{svc})
			if err != nil {
				t.Errorf("%s: %v", base, err)
				break
			}
			if !all {
				// Once per spec: checkInert loads the spec again for the model.
				checkInert(t, base, svc, out.Files)
			}
			if want := countOperations(t, f); out.Stats[0].Operations != want {
				t.Errorf("%s: %d operations generated, the spec has %d", base, out.Stats[0].Operations, want)
			}
			checkLayout(t, base, svc, out.Files)
			for _, file := range out.Files {
				if err := os.MkdirAll(filepath.Dir(file.Path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file.Path, file.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("%s (models all: %v): %d operations, %d types (%d component schemas left out), %d lines",
				base, all, out.Stats[0].Operations, out.Stats[0].Types, out.Stats[0].Unused, out.Stats[0].Lines)
			generated++
			if out.Stats[0].Unused == 0 {
				break
			}
		}
	}
	if generated == 0 {
		t.Fatalf("no OpenAPI documents in %s", dir)
	}
	// go vet builds (type-checks) every package and runs the analyzers.
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the generated clients failed: %v\n%s", err, out)
	}
	cmd = exec.Command("go", "build", "./...")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build of the generated clients failed: %v\n%s", err, out)
	}
}

// checkLayout asserts that a corpus client has exactly the files
// PackageFiles names, and that the big ones, joined from parts formatted in
// parallel, are what gofmt would write.
func checkLayout(t *testing.T, base string, svc *generator.Job, files []generator.File) {
	t.Helper()
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
		if strings.HasSuffix(f.Path, ".go") {
			if formatted, err := format.Source(f.Data); err != nil || !bytes.Equal(formatted, f.Data) {
				t.Errorf("%s: %s is not gofmt-ed (%v)", base, filepath.Base(f.Path), err)
			}
		}
	}
	slices.Sort(paths)
	if want := generator.PackageFiles(svc.OutDir, svc.ImportPath != ""); !slices.Equal(paths, want) {
		t.Errorf("%s: wrote %v, PackageFiles says %v", base, paths, want)
	}
}

// countOperations counts the operations of a document independently of the
// generator: every method of every path. Swagger 2.0 documents are counted
// from their raw paths.
func countOperations(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Paths map[string]map[string]any `json:"paths" yaml:"paths"`
	}
	if err := unmarshalDoc(data, &raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	n := 0
	for _, item := range raw.Paths {
		for m := range item {
			switch strings.ToLower(m) {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				n++
			}
		}
	}
	return n
}

func unmarshalDoc(data []byte, v any) error {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return json.Unmarshal(data, v)
	}
	return yaml.Unmarshal(data, v)
}
