package generator_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/generator/config"
)

// The golden tests generate every case of testdata/golden in memory and
// compare the files with the case's want/ directory, byte for byte; the cases
// of testdata/golden-errors must fail with the text of their want.err.
// After an intended change of the output:
//
//	go test ./generator -run Golden -update
//
// A case is a directory holding either services.yaml (with `output: want`)
// and the specs it names, or a single spec.yaml or spec.json, generated as
// the package named after the case (as `tpgen -spec spec.yaml -package CASE
// -out want -models all` would: those cases type schemas that few operations
// use). Beside want/, notes.txt holds what -v would note, and alerts.txt
// (when there are any) the warnings of every run.
var updating = func() func() bool {
	// Another test file of the package may define -update too: the internal
	// and external test packages share one binary and one flag set.
	if f := flag.Lookup("update"); f != nil {
		return func() bool { return f.Value.String() == "true" }
	}
	b := flag.Bool("update", false, "rewrite the expected output of the golden tests")
	return func() bool { return *b }
}()

const modulePath = "github.com/tpgen/tpgen"

func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases in testdata/golden (%v)", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			svcs := goldenServices(t, dir)
			out := mustGenerate(t, svcs)
			again := mustGenerate(t, goldenServices(t, dir))
			if !sameFiles(out.Files, again.Files) {
				t.Errorf("two runs on the same input gave different output")
			}
			want := filepath.Join(dir, "want")
			got := map[string][]byte{}
			for _, f := range out.Files {
				rel, err := filepath.Rel(want, f.Path)
				if err != nil || !filepath.IsLocal(rel) {
					t.Fatalf("generated file %s is outside %s", f.Path, want)
				}
				got[filepath.ToSlash(rel)] = f.Data
				checkFile(t, rel, f.Data)
			}
			notes := lines(out.Warnings)
			alerts := lines(out.Alerts)
			if updating() {
				writeDir(t, want, got)
				writeGolden(t, filepath.Join(dir, "notes.txt"), notes)
				writeGolden(t, filepath.Join(dir, "alerts.txt"), alerts)
				return
			}
			compareDir(t, want, got)
			compareGolden(t, filepath.Join(dir, "notes.txt"), notes)
			compareGolden(t, filepath.Join(dir, "alerts.txt"), alerts)
		})
	}
}

// lines joins messages one a line.
func lines(msgs []string) []byte {
	if len(msgs) == 0 {
		return nil
	}
	return []byte(strings.Join(msgs, "\n") + "\n")
}

// goldenServices describes a case as the CLI would: from its services.yaml,
// or its one spec in single-spec mode.
func goldenServices(t *testing.T, dir string) []*generator.Job {
	t.Helper()
	name := filepath.Base(dir)
	importBase := modulePath + "/generator/" + filepath.ToSlash(dir) + "/want"
	cfgPath := filepath.Join(dir, "services.yaml")
	if _, err := os.Stat(cfgPath); err == nil {
		cfg, err := config.Load(cfgPath)
		if err != nil {
			t.Fatalf("config.Load: %v", err)
		}
		if want := filepath.Join(dir, "want"); cfg.OutputDir != want {
			t.Fatalf("%s: output must be want (the golden directory), is %q", cfgPath, cfg.Output)
		}
		svcs, err := generator.FromConfig(cfg, nil, importBase)
		if err != nil {
			t.Fatalf("FromConfig: %v", err)
		}
		return svcs
	}
	spec := singleSpec(t, dir)
	if spec == "" {
		t.Fatalf("%s has neither services.yaml nor a spec.yaml or spec.json", dir)
	}
	return []*generator.Job{{
		Name:        name,
		Package:     name,
		Spec:        filepath.Join(dir, spec),
		SpecDisplay: filepath.Join(dir, spec),
		Source:      "../" + spec,
		OutDir:      filepath.Join(dir, "want"),
		ImportPath:  importBase,
		AllModels:   true,
	}}
}

func singleSpec(t *testing.T, dir string) string {
	t.Helper()
	var found []string
	for _, n := range []string{"spec.yaml", "spec.yml", "spec.json"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			found = append(found, n)
		}
	}
	if len(found) > 1 {
		t.Fatalf("%s has several specs %v: keep one", dir, found)
	}
	if len(found) == 0 {
		return ""
	}
	return found[0]
}

// generate runs the generator, turning a panic into an error that says so.
func generate(svcs []*generator.Job) (out *generator.Output, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("PANIC: %v", r)
		}
	}()
	return generator.Generate(svcs)
}

func mustGenerate(t *testing.T, svcs []*generator.Job) *generator.Output {
	t.Helper()
	out, err := generate(svcs)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if out == nil || len(out.Files) == 0 {
		t.Fatalf("Generate returned no files and no error")
	}
	return out
}

func sameFiles(a, b []generator.File) bool {
	return slices.EqualFunc(a, b, func(x, y generator.File) bool { return x.Path == y.Path && bytes.Equal(x.Data, y.Data) })
}

var sourceLineRE = regexp.MustCompile(`(?m)^// source: (.*)$`)

// checkFile asserts what holds for every generated file whatever the emitter
// does: the standard header, a relative source line, no path of this machine,
// Go that gofmt leaves as it is.
func checkFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if wd, err := os.Getwd(); err == nil && bytes.Contains(data, []byte(filepath.Dir(wd))) {
		t.Errorf("%s contains a path of this machine (%s)", name, filepath.Dir(wd))
	}
	if !strings.HasSuffix(name, ".go") {
		return
	}
	if !bytes.HasPrefix(data, []byte("// Code generated by tpgen. DO NOT EDIT.\n")) {
		t.Errorf("%s does not start with the tpgen header", name)
	}
	m := sourceLineRE.FindSubmatch(data)
	switch {
	case m == nil:
		t.Errorf("%s has no // source: line", name)
	case filepath.IsAbs(string(m[1])) || strings.HasPrefix(string(m[1]), "/"):
		t.Errorf("%s: source line %q is absolute", name, m[1])
	}
	formatted, err := format.Source(data)
	if err != nil {
		t.Errorf("%s does not parse: %v", name, err)
	} else if !bytes.Equal(formatted, data) {
		t.Errorf("%s is not gofmt-ed:\n%s", name, firstDiff(formatted, data))
	}
}

// readDir reads every file under dir, by slash-separated relative path.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return files
}

func compareDir(t *testing.T, dir string, got map[string][]byte) {
	t.Helper()
	want := readDir(t, dir)
	if len(want) == 0 {
		t.Fatalf("%s is empty or missing (run go test ./generator -run Golden -update to create it)", dir)
	}
	for _, name := range sortedNames(got) {
		w, ok := want[name]
		switch {
		case !ok:
			t.Errorf("%s: generated, but not in %s", name, dir)
		case !bytes.Equal(got[name], w):
			t.Errorf("%s differs from %s (run go test ./generator -run Golden -update to accept):\n%s",
				name, filepath.Join(dir, name), firstDiff(got[name], w))
		}
	}
	for _, name := range sortedNames(want) {
		if _, ok := got[name]; !ok {
			t.Errorf("%s: in %s, but no longer generated", name, dir)
		}
	}
}

func writeDir(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// compareGolden compares got with the file golden; an absent file stands for
// no content.
func compareGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(golden)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./generator -run Golden -update to accept):\n%s", golden, firstDiff(got, want))
	}
}

func writeGolden(t *testing.T, golden string, data []byte) {
	t.Helper()
	if len(data) == 0 {
		if err := os.Remove(golden); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		return
	}
	if err := os.WriteFile(golden, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sortedNames(m map[string][]byte) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// firstDiff shows the first line where got and want differ, with a little
// context.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	i := 0
	for i < len(g) && i < len(w) && g[i] == w[i] {
		i++
	}
	var b strings.Builder
	for j := max(0, i-3); j < i; j++ {
		fmt.Fprintf(&b, "  %4d   %s\n", j+1, g[j])
	}
	if i < len(w) {
		fmt.Fprintf(&b, "- %4d   %s\n", i+1, w[i])
	}
	if i < len(g) {
		fmt.Fprintf(&b, "+ %4d   %s\n", i+1, g[i])
	}
	fmt.Fprintf(&b, "(got %d lines, want %d)", len(g), len(w))
	return b.String()
}

// TestGoldenVet vets every golden package in one go invocation: the expected
// output must be Go that compiles against this module's runtime.
func TestGoldenVet(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH: the golden packages are not vetted")
	}
	var pkgs []string
	err = filepath.WalkDir(filepath.Join("testdata", "golden"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			pkg := "./" + filepath.ToSlash(filepath.Dir(path))
			if !slices.Contains(pkgs, pkg) {
				pkgs = append(pkgs, pkg)
			}
		}
		return nil
	})
	if err != nil || len(pkgs) == 0 {
		t.Fatalf("no golden packages to vet (%v)", err)
	}
	start := time.Now()
	cmd := exec.Command(goBin, append([]string{"vet"}, pkgs...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go vet %s: %v\n%s", strings.Join(pkgs, " "), err, out)
	}
	t.Logf("vetted %d packages in %v", len(pkgs), time.Since(start).Round(time.Millisecond))
}

// TestGoldenErrors generates every case of testdata/golden-errors, from the
// case's directory so that paths in messages are relative, and compares the
// error with want.err. A case holds services.yaml and its specs, or one spec
// file of any name (none: spec.yaml, which does not exist), or its input is
// made by generatedInputs because it is too large or too odd to commit.
//
// Every line of an error must start with the file it is about, and with the
// line and column where the case says the generator can know them. The
// absolute path of the case's directory, should a message contain it, is
// written $DIR in want.err.
func TestGoldenErrors(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "golden-errors", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases in testdata/golden-errors (%v)", err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			golden, err := filepath.Abs(filepath.Join(dir, "want.err"))
			if err != nil {
				t.Fatal(err)
			}
			work := dir
			if gen, ok := generatedInputs[name]; ok {
				work = t.TempDir()
				gen(t, work)
			}
			t.Chdir(work) // so not parallel: the working directory is the process's
			inputs := inputFiles(t)
			start := time.Now()
			got := generateCase(t, inputs)
			// A hang detector, not a speed test: the hostile cases (deep
			// nesting, huge files, alias bombs) fail in well under a second
			// on a quiet machine, and work that grew with their size
			// exponentially would take hours. A loaded machine under -race
			// took 46 s for one.
			if d := time.Since(start); d > raceSlowdown*time.Minute {
				t.Errorf("took %v to fail", d.Round(time.Millisecond))
			}
			if got == nil {
				t.Fatal("generation succeeded")
			}
			text := withoutWorkDir(t, got.Error()) + "\n"
			if updating() {
				writeGolden(t, golden, []byte(text))
			} else {
				compareGolden(t, golden, []byte(text))
			}
			if bug, ok := knownBugs[name]; ok {
				if bug.present(text) {
					t.Skip("BUG: " + bug.what)
				}
				t.Errorf("fixed? remove %q from knownBugs: %s", name, bug.what)
			}
			checkErrorLines(t, text, inputs, referencedFiles(t), located[name])
		})
	}
}

// generatedInputs write the inputs of cases that are not committed.
var generatedInputs = map[string]func(t *testing.T, dir string){
	// 10,000 nested arrays: decoders that recurse would exhaust the stack.
	"deep_json": func(t *testing.T, dir string) {
		data := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
		writeInput(t, dir, "spec.json", []byte(`{"openapi": "3.0.3", "x-deep": `+data+"}\n"))
	},
	// The same in YAML block style: 10,000 nested mappings.
	"deep_yaml": func(t *testing.T, dir string) {
		var b strings.Builder
		b.WriteString("openapi: 3.0.3\nx-deep:\n")
		for i := range 10000 {
			b.WriteString(strings.Repeat(" ", i+1) + "a:\n")
		}
		writeInput(t, dir, "spec.yaml", []byte(b.String()))
	},
	// Larger than tpgen reads: a sparse file, refused before it is read.
	"huge_file": func(t *testing.T, dir string) {
		f, err := os.Create(filepath.Join(dir, "spec.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(64<<20 + 1); err != nil {
			t.Fatal(err)
		}
	},
	// 16 MB of log lines: YAML that parses, slowly, into one long string.
	"large_junk": func(t *testing.T, dir string) {
		line := "2024-05-01T12:00:00Z INFO request served path=/orders status=200 duration=12ms\n"
		writeInput(t, dir, "spec.yaml", bytes.Repeat([]byte(line), 16<<20/len(line)))
	},
}

func writeInput(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// located says, for cases whose problem is at a place in a file, what of the
// place every line of the error must give: "line", or "col" for line and column.
var located = map[string]string{
	"alias_bomb":                  "col",
	"deep_json":                   "col",
	"deep_yaml":                   "line", // yaml.v3 reports lines only
	"duplicate_operation_ids":     "col",
	"include_unknown_operation":   "col",
	"json_syntax":                 "col",
	"large_junk":                  "line",
	"missing_spec_config":         "col",
	"operation_file_error":        "col",
	"operation_ref_cycle":         "col",
	"operation_ref_local_missing": "col",
	"operation_ref_missing":       "col",
	"path_item_file_error":        "col",
	"ref_file_bad_pointer":        "col",
	"ref_file_cycle":              "col",
	"ref_file_empty_type":         "col",
	"ref_file_json_syntax":        "col",
	"ref_file_missing_nested":     "col",
	"ref_file_wrong_type":         "col",
	"ref_file_yaml_syntax":        "line", // yaml.v3 reports lines only
	"override_unknown_operation":  "col",
	"ref_missing_file":            "col",
	"ref_nowhere":                 "col",
	"top_level_list":              "line",
	"undeclared_path_param":       "col",
	"version_4":                   "col",
	"wrong_type":                  "line",
	"yaml_syntax":                 "line",
}

// knownBug is an error that falls short of what the generator could say.
type knownBug struct {
	what    string
	present func(text string) bool
}

// knownBugs are checked, not just skipped: a case whose bug is gone fails
// until its entry is removed, and then gets the checks of every other case.
var knownBugs = map[string]knownBug{}

// withoutWorkDir writes the working directory as $DIR in text.
func withoutWorkDir(t *testing.T, text string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	text = strings.ReplaceAll(text, wd, "$DIR")
	if real, err := filepath.EvalSymlinks(wd); err == nil && real != wd {
		text = strings.ReplaceAll(text, real, "$DIR")
	}
	return text
}

// inputFiles lists the files of the case in the working directory, without want.err.
func inputFiles(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && e.Name() != "want.err" {
			names = append(names, e.Name())
		}
	}
	return names
}

// referencedFiles lists the files in the case's subdirectories: those its
// spec refers to.
func referencedFiles(t *testing.T) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Dir(path) != "." {
			names = append(names, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// generateCase runs the case as the CLI would and returns its error. It fails
// the test on a panic and when anything is returned beside the error.
func generateCase(t *testing.T, inputs []string) error {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	var svcs []*generator.Job
	if slices.Contains(inputs, "services.yaml") {
		cfg, err := config.Load("services.yaml")
		if err != nil {
			if cfg != nil {
				t.Error("config.Load returned a config beside its error")
			}
			return err
		}
		svcs, err = generator.FromConfig(cfg, nil, "")
		if err != nil {
			if svcs != nil {
				t.Error("FromConfig returned services beside its error")
			}
			return err
		}
	} else {
		spec := "spec.yaml"
		switch len(inputs) {
		case 0:
		case 1:
			spec = inputs[0]
		default:
			t.Fatalf("several inputs %v and no services.yaml", inputs)
		}
		svcs = []*generator.Job{{Name: "api", Package: "api", Spec: spec, SpecDisplay: spec, Source: spec, OutDir: "gen"}}
	}
	out, err := generator.Generate(svcs)
	if err != nil && out != nil {
		t.Errorf("Generate returned %d files beside its error", len(out.Files))
	}
	return err
}

var errorLineRE = regexp.MustCompile(`^([^:\s]+)(?::(\d+)(?::(\d+))?)?: \S`)

// checkErrorLines asserts that every line of an error names one of the
// case's files (or, when there are none, the missing spec.yaml) or of the
// files it refers to, with as much
// of the position as want says: "", "line" or "col".
func checkErrorLines(t *testing.T, text string, inputs, referenced []string, want string) {
	t.Helper()
	files := inputs
	if len(files) == 0 {
		files = []string{"spec.yaml"}
	}
	files = append(files, referenced...)
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		m := errorLineRE.FindStringSubmatch(line)
		switch {
		case m == nil || !slices.Contains(files, m[1]):
			t.Errorf("error line does not start with one of %v: %q", files, line)
		case want == "line" && m[2] == "":
			t.Errorf("error line has no line number: %q", line)
		case want == "col" && m[3] == "":
			t.Errorf("error line has no line:col: %q", line)
		}
	}
}

// TestGoldenCode checks facts about the golden packages that hold whatever
// the emitter's style: they are Go semantics a vet pass does not see.
func TestGoldenCode(t *testing.T) {
	pkgs := parseGolden(t)
	checks := []struct {
		name  string
		check func(p *goldenPackage) []string
	}{
		{"defined types keep JSON methods", definedTypesKeepMethods},
		{"methods keep their arguments", methodsKeepArguments},
		{"spec names", specNames},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			var bugs []string
			seen := map[string]bool{}
			for _, p := range pkgs {
				for _, problem := range c.check(p) {
					seen[problem] = true
					if what, ok := knownCodeBugs[problem]; ok {
						bugs = append(bugs, problem+": "+what)
						continue
					}
					t.Error(problem)
				}
			}
			for problem, what := range knownCodeBugs {
				if strings.HasPrefix(problem, c.name+": ") && !seen[problem] {
					t.Errorf("fixed? remove %q from knownCodeBugs: %s", problem, what)
				}
			}
			if len(bugs) > 0 {
				sort.Strings(bugs)
				t.Skip("BUG: " + strings.Join(bugs, "\nBUG: "))
			}
		})
	}
}

// knownCodeBugs are problems TestGoldenCode finds in today's output, by the
// problem's text. One that is no longer found fails until it is removed here.
var knownCodeBugs = map[string]string{}

// goldenPackage is one golden package, parsed.
type goldenPackage struct {
	name  string // the case, or case/package for services.yaml cases
	files []*ast.File
}

func parseGolden(t *testing.T) []*goldenPackage {
	t.Helper()
	byDir := map[string]*goldenPackage{}
	var pkgs []*goldenPackage
	fset := token.NewFileSet()
	root := filepath.Join("testdata", "golden")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		// A case's model package is part of what its package declares: the
		// client re-exports it by aliases.
		dir := strings.TrimSuffix(filepath.Dir(path), string(filepath.Separator)+generator.ModelDir)
		p := byDir[dir]
		if p == nil {
			rel, _ := filepath.Rel(root, dir)
			name := strings.Replace(filepath.ToSlash(rel), "/want", "", 1)
			p = &goldenPackage{name: name}
			byDir[dir] = p
			pkgs = append(pkgs, p)
		}
		p.files = append(p.files, f)
		return nil
	})
	if err != nil || len(pkgs) == 0 {
		t.Fatalf("no golden packages (%v)", err)
	}
	return pkgs
}

func (p *goldenPackage) typeSpecs() map[string]*ast.TypeSpec {
	specs := map[string]*ast.TypeSpec{}
	for _, f := range p.files {
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.TYPE {
				for _, s := range gd.Specs {
					ts := s.(*ast.TypeSpec)
					if ts.Assign.IsValid() && specs[ts.Name.Name] != nil {
						continue // the alias of a type of the model package
					}
					specs[ts.Name.Name] = ts
				}
			}
		}
	}
	return specs
}

// methodSets lists the methods declared on each type of the package.
func (p *goldenPackage) methodSets() map[string][]string {
	sets := map[string][]string{}
	for _, f := range p.files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil {
				continue
			}
			rt := fd.Recv.List[0].Type
			if st, ok := rt.(*ast.StarExpr); ok {
				rt = st.X
			}
			if id, ok := rt.(*ast.Ident); ok {
				sets[id.Name] = append(sets[id.Name], fd.Name.Name)
			}
		}
	}
	return sets
}

// codecMethods are the methods encoding/json looks for.
var codecMethods = []string{"MarshalJSON", "UnmarshalJSON", "MarshalText", "UnmarshalText"}

// externalCodecs are imported types with codec methods that generated code uses.
var externalCodecs = map[string]bool{"time.Time": true, "runtime.Date": true, "json.RawMessage": true}

// definedTypesKeepMethods finds `type X T` where T encodes itself but X,
// declaring no codec method of its own, encodes as what T is made of.
func definedTypesKeepMethods(p *goldenPackage) []string {
	methods := p.methodSets()
	hasCodec := func(name string) bool {
		return slices.ContainsFunc(methods[name], func(m string) bool { return slices.Contains(codecMethods, m) })
	}
	var problems []string
	for name, ts := range p.typeSpecs() {
		if ts.Assign.IsValid() || hasCodec(name) {
			continue
		}
		var under string
		switch x := ts.Type.(type) {
		case *ast.Ident:
			if hasCodec(x.Name) {
				under = x.Name
			}
		case *ast.SelectorExpr:
			if pkg, ok := x.X.(*ast.Ident); ok && externalCodecs[pkg.Name+"."+x.Sel.Name] {
				under = pkg.Name + "." + x.Sel.Name
			}
		}
		if under != "" {
			problems = append(problems, fmt.Sprintf("defined types keep JSON methods: %s: type %s %s", p.name, name, under))
		}
	}
	return problems
}

// methodsKeepArguments finds methods that assign to their own parameters:
// generated code never should, so one that does has mixed up two names.
func methodsKeepArguments(p *goldenPackage) []string {
	var problems []string
	for _, f := range p.files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			params := map[*ast.Object]bool{}
			for _, field := range fd.Type.Params.List {
				for _, n := range field.Names {
					if n.Obj != nil {
						params[n.Obj] = true
					}
				}
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				as, ok := n.(*ast.AssignStmt)
				if !ok {
					return true
				}
				for _, lhs := range as.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && id.Obj != nil && params[id.Obj] {
						problems = append(problems, fmt.Sprintf("methods keep their arguments: %s: %s assigns to its argument %s", p.name, fd.Name.Name, id.Name))
					}
				}
				return true
			})
		}
	}
	return problems
}

// specTypes are the Go types that the schemas of the specs must have (true),
// and types that must not exist (false), by golden case: every component
// schema keeps its name unless the package itself or another schema took it.
var specTypes = map[string]map[string]bool{
	"additional":        {"AdditionalCollision": true, "Quota": true, "QuotaRef": true, "Settings": true, "Strict": true, "Tags": true},
	"allof":             {"Account": true, "AccountInput": true, "Audited": true, "Code": true, "Person": true, "Resource": true, "Tier": true},
	"allof_conflicts":   {"Meta": true, "Page": true},
	"credential_params": {},
	"bodies":            {"Document": true},
	"big_numbers":       {"Huge": true, "Inexact": true, "Exact": true, "Half": true, "Wide": true, "Untyped": true, "HugeConst": true},
	"derived_ids":       {}, // no schemas
	"deep_names": {
		"CreateOrderRequestDetailsLinesItem": true, "CreateOrderRequestAddressDetailsLinesItem": true,
		"CreateOrderRequestShippingAddressDetailsLinesItem": false, "CreateOrderRequestBillingAddressDetailsLinesItem": false,
	},
	"collisions": {
		"Actor": true, "Actor2": true, // Actor and actor
		"API": true, "API2": false, "Client2": true, "New2": true, "Operations2": true, "Option2": true, "ServiceConfig2": true, // the package's own names
		"ListActorsResult": true, "NewClientParams": true, // names the generator would derive
	},
	"docs_not_text":          {"Pet": true},
	"docs_not_text_files":    {"Pet": true},
	"docs_not_text_swagger2": {"Pet": true},
	"lenient/dangling":       {"Toy": true, "Alias": true, "Maker": true, "Owner": false, "NewToy": false},
	"lenient/kinds":          {"Order": true, "Problem": true},
	"lenient/pathvars":       {},
	"pagination/tracker":     {"Issue": true},
	"lenient/swagger":        {"Pet": true, "Owner": false},
	"discriminators":         {"Tool": true, "SearchTool": true, "CodeTool": true, "Event": true, "Created": true, "Deleted": true, "Pet": true, "Vehicle": true, "Message": true, "Twins": true, "Partial": true},
	"enums":                  {"Flag": true, "Level": true, "Priority": true, "Rating": true, "RatingKind": true, "Ratio": true, "Status": true, "StatusActive": true, "Vote": true},
	"formats":                {"Blob": true, "Day": true, "Event": true, "Timestamp": true},
	"ignored_keys":           {"Pet": true, "Owner": true},
	"multifile": {
		"Pet": true, "Owner": true, "Tag": true, "Kind": true, "ChewToy": true, "V2Pet": true, "Shape": true, "Circle": true, "Square": true, "Error": true,
		"PetYaml": false, "PetYaml2": false, "Pet2": false, "OwnerJSON": false, // one type per file and pointer, never named after the extension
	},
	"models/all":         {"Audit": true, "Named": true, "Owner": true, "Pet": true, "PetStatus": true, "PetStatus2": true, "Problem": true, "WebhookEvent": true},
	"models/used":        {"Audit": false, "Named": false, "Owner": true, "Pet": true, "PetStatus": false, "PetStatus2": true, "Problem": true, "WebhookEvent": false},
	"nullable30":         {"Address": true, "Profile": true},
	"nullable31":         {"Address": true, "Profile": true},
	"openapi31":          {"Anything": true, "LatLng": true, "Mode": true, "Nothing": true, "Place": true, "Route": true, "Place2": false},
	"params":             {"Filter": true, "Point": true},
	"petstore":           {"Error": true, "NewPet": true, "Pet": true},
	"recursive":          {"Expr": true, "JSON": true, "Literal": true, "NestedList": true, "Node": true, "Person": true, "Sum": true},
	"responses":          {"Job": true, "Problem": true, "Result": true},
	"services/billingv2": {"Invoice": true},
	"shared_components": {
		"Albums": true, "AlbumsXSortHeader": true, "Market": true, "NewAlbum": true, "Problem": true, "ProblemResponse": true, "Unauthorized": true, "Upload": true,
		"GetMultipleAlbums401Error": false, "AddAlbumRequest": false, "UploadCoverRequest": false, "UploadArtistCoverRequest": false, "GetMultipleAlbumsMarket": false,
	},
	"services/orders":        {"Order": true},
	"swagger2":               {"Error": true, "Item": true},
	"tag_names":              {"Labels": true, "UploadRequest": true},
	"unions":                 {"Animal": true, "Bird": true, "Cat": true, "Circle": true, "Contact": true, "Dog": true, "Owner": true, "Pet": true, "Point": true, "Polygon": true, "Scalar": true, "Shape": true},
	"security/vendor":        {},                                                                                       // no schemas
	"auth_from_spec/machine": {}, "auth_from_spec/mixed": {}, "auth_from_spec/relative": {}, "auth_from_spec/oidc": {}, // no schemas
	"auth_from_spec/users": {}, "auth_from_spec/public": {}, "auth_from_spec/plain": {}, "auth_from_spec/configured": {},

	"token_store/stock": {}, // inline schemas only
}

// specDocs are text that the doc comment of a type must hold: the spec's
// description of the schema that must have the name, where another type
// could take it.
var specDocs = map[string]map[string]string{
	"enums": {"RatingKind": "A schema whose name the inline enum above would take."},
}

// specNames checks specTypes and specDocs.
func specNames(p *goldenPackage) []string {
	want, ok := specTypes[p.name]
	if !ok {
		return []string{fmt.Sprintf("spec names: %s: not in specTypes: list its schemas' types there", p.name)}
	}
	specs := p.typeSpecs()
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		_, declared := specs[name]
		switch {
		case want[name] && !declared:
			problems = append(problems, fmt.Sprintf("spec names: %s: %s is not a type", p.name, name))
		case !want[name] && declared:
			problems = append(problems, fmt.Sprintf("spec names: %s: %s is declared", p.name, name))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(specDocs[p.name])) {
		if ts, ok := specs[name]; !ok || !strings.Contains(p.docOf(ts), specDocs[p.name][name]) {
			problems = append(problems, fmt.Sprintf("spec names: %s: %s is not the schema described %q", p.name, name, specDocs[p.name][name]))
		}
	}
	return problems
}

// docOf returns the doc comment of a type, which go/ast keeps on the
// declaration when it declares one type.
func (p *goldenPackage) docOf(ts *ast.TypeSpec) string {
	if ts.Doc != nil {
		return ts.Doc.Text()
	}
	for _, f := range p.files {
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Doc != nil && slices.Contains(gd.Specs, ast.Spec(ts)) {
				return gd.Doc.Text()
			}
		}
	}
	return ""
}
