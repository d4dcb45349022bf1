package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOutputs: tpgen outputs prints exactly the files a run then writes
// (the manifest among them), with and without a model package, for the
// flags that move the output; and it does so without reading a spec: with
// every spec replaced by text that is no OpenAPI at all, it prints the same.
func TestOutputs(t *testing.T) {
	for _, tt := range []struct {
		name  string
		gomod bool
		args  []string // besides -config
	}{
		{"no go.mod", false, nil},
		{"go.mod", true, nil},
		{"-out", false, []string{"-out", "elsewhere"}},
		{"-import-path", false, []string{"-import-path", "example.com/x/gen"}},
		{"-service", true, []string{"-service", "orders"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := shop(t)
			if tt.gomod {
				writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/shop\n\ngo 1.26\n")
			}
			t.Chdir(dir)
			args := append([]string{"-config", "services.yaml"}, tt.args...)
			printed := tpgen(t, append([]string{"outputs"}, args...)...)
			if printed.code != exitOK || printed.stderr != "" {
				t.Fatalf("tpgen outputs: %v", printed)
			}
			for _, spec := range []string{"orders.yaml", "billing.yaml"} {
				writeFile(t, filepath.Join("specs", spec), "this is not read\n")
			}
			if again := tpgen(t, append([]string{"outputs"}, args...)...); again.stdout != printed.stdout {
				t.Errorf("tpgen outputs read the specs: with their text replaced it prints\n%s\nnot\n%s", again, printed.stdout)
			}
			// Generate from the real specs and list what is on disk.
			restoreSpecs(t, dir)
			if r := tpgen(t, args...); r.code != exitOK {
				t.Fatalf("%v", r)
			}
			var written []string
			for _, root := range []string{"gen", "elsewhere"} {
				for name := range snapshot(t, root) {
					written = append(written, root+"/"+name)
				}
			}
			slices.Sort(written)
			if got := strings.Split(strings.TrimSpace(printed.stdout), "\n"); !slices.Equal(got, written) {
				t.Errorf("tpgen outputs printed\n%s\nthe run wrote\n%s", strings.Join(got, "\n"), strings.Join(written, "\n"))
			}
		})
	}
}

// restoreSpecs puts the shop's specs back into dir.
func restoreSpecs(t *testing.T, dir string) {
	t.Helper()
	for _, spec := range []string{"orders.yaml", "billing.yaml"} {
		data, err := os.ReadFile(filepath.Join(testdataDir, "shop", "specs", spec))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "specs", spec), string(data))
	}
}

// testdataDir is testdata, absolute: tests change the working directory.
var testdataDir = func() string {
	d, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return d
}()

// TestOutputsBase: -base prints the paths relative to a directory, as a
// build rule declares them; single-spec mode lists its one package.
func TestOutputsBase(t *testing.T) {
	dir := shop(t)
	r := tpgen(t, "outputs", "-config", filepath.Join(dir, "services.yaml"), "-base", dir)
	wantLines := []string{
		"gen/.tpgen-manifest",
		"gen/billing/README.md", "gen/billing/client.go", "gen/billing/models.go", "gen/billing/operations.go",
		"gen/orders/README.md", "gen/orders/client.go", "gen/orders/models.go", "gen/orders/operations.go",
	}
	if got := strings.Split(strings.TrimSpace(r.stdout), "\n"); r.code != exitOK || !slices.Equal(got, wantLines) {
		t.Errorf("want %q; got %v", wantLines, r)
	}
	r = tpgen(t, "outputs", "-spec", filepath.Join(dir, "specs", "orders.yaml"), "-package", "orders", "-out", filepath.Join(dir, "single"),
		"-import-path", "example.com/single", "-base", filepath.Join(dir, "single"))
	wantLines = []string{".tpgen-manifest", "README.md", "client.go", "model/models.go", "operations.go", "types.go"}
	if got := strings.Split(strings.TrimSpace(r.stdout), "\n"); r.code != exitOK || !slices.Equal(got, wantLines) {
		t.Errorf("single-spec: want %q; got %v", wantLines, r)
	}
	for _, args := range [][]string{
		{"outputs"},
		{"outputs", "-config", filepath.Join(dir, "services.yaml"), "-check"},
		{"outputs", "-config", filepath.Join(dir, "services.yaml"), "extra"},
	} {
		if r := tpgen(t, args...); r.code != exitUsage {
			t.Errorf("tpgen %q: want a usage error; got %v", args, r)
		}
	}
}
