package generator_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The generator's stages are kept apart by what each package may import, so
// that "the emitter never sees the spec" is checked, not only meant: the
// model is data (nothing of kin-openapi, nothing of the loader), the emitter
// writes Go from the model alone. Generated code imports the runtime packages
// meant for it and, through them, nothing the runtime does not already need.

const module = "github.com/tpgen/tpgen"

// goList runs go list in the module's root with args, and returns its lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += ": " + string(ee.Stderr)
		}
		t.Fatalf("go list %s: %s", strings.Join(args, " "), msg)
	}
	return strings.Fields(string(out))
}

// TestStageImports fails when a stage of the generator imports what its
// stage must not see: for each package, every package its build compiles
// (go list -deps) is checked against the import path prefixes it forbids.
func TestStageImports(t *testing.T) {
	const (
		kin  = "github.com/getkin/kin-openapi"
		yaml = "go.yaml.in/yaml"
		jen  = "github.com/dave/jennifer"
	)
	for _, tc := range []struct {
		pkg       string
		forbidden []string
	}{
		// The model is data: no spec library, no loader, no YAML, no emitter.
		{"./generator/internal/model", []string{kin, yaml, jen, module + "/generator/internal/load", module + "/generator/internal/emit", module + "/generator/config"}},
		// Names from spec text are text: nothing of the spec's libraries.
		{"./generator/internal/goname", []string{kin, yaml, jen, module + "/generator/internal/"}},
		// The loader reads documents; what is made of them is not its business.
		{"./generator/internal/load", []string{jen, module + "/generator/internal/emit"}},
		// The emitter writes Go from the model alone: it never sees a spec.
		{"./generator/internal/emit", []string{kin, yaml, module + "/generator/internal/load", module + "/generator/config"}},
	} {
		t.Run(strings.TrimPrefix(tc.pkg, "./"), func(t *testing.T) {
			deps := goList(t, "-deps", tc.pkg)
			if len(deps) == 0 {
				t.Fatalf("go list -deps %s listed nothing", tc.pkg)
			}
			self := module + strings.TrimPrefix(tc.pkg, ".")
			for _, d := range deps {
				for _, f := range tc.forbidden {
					if d != self && strings.HasPrefix(d, f) {
						t.Errorf("%s compiles %s, which it must not import (%s)", tc.pkg, d, f)
					}
				}
			}
		})
	}
}

// TestGeneratedImports fails when generated code (the checked-in clients of
// examples/gen and internal/roundtrip/gen) imports a package of this module
// other than the runtime packages meant for it, or compiles anything that a
// build of those runtime packages does not: a generated package must never
// drag the generator, kin-openapi or jennifer into its importers' builds.
func TestGeneratedImports(t *testing.T) {
	meant := []string{module + "/runtime", module + "/runtime/tpgenimpl", module + "/runtime/token"}
	runtimeDeps := goList(t, append([]string{"-deps"}, meant...)...)
	for _, tree := range []string{"examples/gen", "internal/roundtrip/gen"} {
		t.Run(tree, func(t *testing.T) {
			pkgs := goList(t, "./"+tree+"/...")
			if len(pkgs) < 2 {
				t.Fatalf("%s holds %d packages, want the checked-in clients", tree, len(pkgs))
			}
			generated := func(p string) bool { return strings.HasPrefix(p, module+"/"+tree+"/") }
			// What each package imports itself.
			for _, line := range goList(t, "-f", `{{.ImportPath}}{{range .Imports}},{{.}}{{end}}`, "./"+tree+"/...") {
				imports := strings.Split(line, ",")
				for _, imp := range imports[1:] {
					if strings.HasPrefix(imp, module+"/") && !generated(imp) && !slices.Contains(meant, imp) {
						t.Errorf("%s imports %s: generated code imports only %s", imports[0], imp, strings.Join(meant, ", "))
					}
				}
			}
			// What their builds compile.
			for _, d := range goList(t, append([]string{"-deps"}, pkgs...)...) {
				if !generated(d) && !slices.Contains(runtimeDeps, d) {
					t.Errorf("generated code in %s compiles %s, which the runtime's build does not", tree, d)
				}
			}
		})
	}
}
