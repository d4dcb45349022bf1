package generator

import (
	"bytes"
	"fmt"
	"go/format"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator/internal/emit"
)

// TestPartsJoinAsOne renders every golden spec with one operation and one type
// per part, and checks that the joined files are, byte for byte, what one
// part per file gives (the goldens' own files): joinParts loses, adds or
// reorders nothing, and its import declaration is gofmt's. It also checks the
// layout: the files written are PackageFiles, with and without a model
// package, whatever the spec holds.
func TestPartsJoinAsOne(t *testing.T) {
	specs, err := filepath.Glob("testdata/golden/*/spec.*")
	if err != nil || len(specs) == 0 {
		t.Fatalf("no golden specs: %v", err)
	}
	defer func(ops, types int) { emit.OpsPerPart, emit.TypesPerPart = ops, types }(emit.OpsPerPart, emit.TypesPerPart)
	for _, spec := range specs {
		for _, importPath := range []string{"example.com/m/gen/p", ""} {
			name := filepath.Base(filepath.Dir(spec))
			svc := &Job{Name: "p", Package: "p", Spec: spec, SpecDisplay: spec, Source: "spec.yaml",
				OutDir: filepath.Join("gen", "p"), ImportPath: importPath, AllModels: true}
			emit.OpsPerPart, emit.TypesPerPart = 1<<30, 1<<30
			whole, _, _, _, err := generateService(svc)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			emit.OpsPerPart, emit.TypesPerPart = 1, 1
			parts, _, _, _, err := generateService(svc)
			if err != nil {
				t.Errorf("%s, one declaration per part: %v", name, err)
				continue
			}
			var paths []string
			for i, f := range parts {
				paths = append(paths, f.Path)
				if i >= len(whole) || whole[i].Path != f.Path {
					t.Errorf("%s: file %d is %s in parts, not as a whole", name, i, f.Path)
					continue
				}
				if !bytes.Equal(whole[i].Data, f.Data) {
					t.Errorf("%s (import path %q): %s joined from parts differs from one part:\n%s", name, importPath, f.Path, firstLineDiff(whole[i].Data, f.Data))
				}
				if strings.HasSuffix(f.Path, ".go") {
					if formatted, err := format.Source(f.Data); err != nil || !bytes.Equal(formatted, f.Data) {
						t.Errorf("%s: %s joined from parts is not gofmt-ed (%v)", name, f.Path, err)
					}
				}
			}
			slices.Sort(paths)
			if want := emit.PackageFiles(svc.OutDir, importPath != ""); !slices.Equal(paths, want) {
				t.Errorf("%s (import path %q): wrote %v, PackageFiles says %v", name, importPath, paths, want)
			}
		}
	}
}

func firstLineDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n\twhole: %s\n\tparts: %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d and %d lines", len(la), len(lb))
}

// TestSortImports: a path under two names, or a name for two paths, is an
// error rather than a file that does not compile.
func TestSortImports(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want []string
		err  string
	}{
		{in: []string{`"time"`, `"context"`, `"time"`}, want: []string{`"context"`, `"time"`}},
		{in: []string{`runtime "github.com/tpgen/tpgen/runtime"`, `"context"`}, want: []string{`"context"`, `runtime "github.com/tpgen/tpgen/runtime"`}},
		{in: []string{`"github.com/tpgen/tpgen/runtime"`, `runtime1 "github.com/tpgen/tpgen/runtime"`}, err: "imported as"},
		{in: []string{`"runtime"`, `"github.com/tpgen/tpgen/runtime"`}, err: "both imported as runtime"},
		{in: []string{`time`}, err: "unexpected import"},
	} {
		got, err := emit.SortImports(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("sortImports(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.err)
			}
		case err != nil || !slices.Equal(got, tc.want):
			t.Errorf("sortImports(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
