package generator_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tpgen/tpgen/generator"
	"go.yaml.in/yaml/v4"
)

// The fuzz targets feed specs to Generate and hold it to what it promises for
// any input: no panic, an answer within a deadline and without huge
// allocations, and either an error every line of which names the spec (with
// a line that exists), or Go files that gofmt leaves as they are and that
// type-check against this module's runtime, with every operation of the spec.
//
//	go test ./generator -run '^$' -fuzz FuzzGenerate -fuzztime 10m   # spec bytes, mutated
//	go test ./generator -run '^$' -fuzz FuzzModel -fuzztime 10m      # specs built from fuzz bytes
//
// Crashers land in testdata/fuzz/<Target>/ and are replayed by plain go test.

// fuzzDeadline bounds one generation of a small spec; fuzzAllocLimit bounds
// what it may allocate in all.
const (
	fuzzDeadline   = 10 * time.Second
	fuzzAllocLimit = 1 << 30
)

// FuzzGenerate generates a client from spec bytes: as they are, or (asJSON)
// converted from YAML to JSON.
func FuzzGenerate(f *testing.F) {
	seeds := fuzzSeeds(f)
	for _, s := range seeds.all {
		f.Add(s, false)
	}
	for _, s := range seeds.small {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		name := "spec.yaml"
		if asJSON {
			doc, ok := yamlAsJSON(data)
			if !ok {
				return // not YAML that JSON can hold: the raw bytes are the other mode's
			}
			name, data = "spec.json", doc
		}
		res := generateSpec(t, name, data)
		if res.err == nil {
			checkOperationCount(t, data, res.out)
		}
	})
}

// FuzzModel builds a spec from fuzz bytes (components with odd names and
// every kind of schema, refs between them, operations with parameters,
// bodies and responses) so that the fuzzer explores the model builder rather
// than the YAML parser. The same document as JSON and as YAML must give the
// same files, and every operation it has.
func FuzzModel(f *testing.F) {
	for _, s := range [][]byte{
		{}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, bytes.Repeat([]byte{7}, 64), bytes.Repeat([]byte{255, 0, 13}, 40),
		[]byte("components and operations, from these bytes"), []byte("\x05\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11"),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, ops := buildFuzzSpec(data)
		js, err := json.MarshalIndent(doc, "", " ")
		if err != nil {
			t.Fatalf("marshal JSON: %v", err)
		}
		ym, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatalf("marshal YAML: %v", err)
		}
		defer func() {
			if t.Failed() {
				t.Logf("the spec, as YAML:\n%s", ym)
			}
		}()
		fromJSON := generateSpec(t, "spec.json", js)
		fromYAML := generateSpec(t, "spec.yaml", ym)
		for _, r := range []fuzzResult{fromJSON, fromYAML} {
			if r.err == nil && r.out.Stats[0].Operations != ops {
				msg := fmt.Sprintf("%s: %d operations generated, the spec has %d (dropped without an error)", r.name, r.out.Stats[0].Operations, ops)
				skipKnownWhileFuzzing(t, msg, r.data)
				t.Error(msg)
			}
		}
		compareResults(t, "spec.json", fromJSON, "spec.yaml", fromYAML)
	})
}

// knownFuzzBugs are bugs the fuzzers found and that are not fixed yet, each
// matched by the failure and the spec. While fuzzing, an input that hits one
// is skipped so that the fuzzer goes on to find others; plain go test
// replays the saved inputs of testdata/fuzz/<Target>, which fail until the
// bug is fixed. Remove an entry once its bug is fixed.
var knownFuzzBugs = []struct {
	what  string
	match func(failure string, spec []byte) bool
}{}

func skipKnownWhileFuzzing(t *testing.T, failure string, spec []byte) {
	t.Helper()
	if f := flag.Lookup("test.fuzz"); f == nil || f.Value.String() == "" {
		return
	}
	for _, b := range knownFuzzBugs {
		if b.match(failure, spec) {
			t.Skip("BUG: " + b.what)
		}
	}
}

// fuzzResult is one generation.
type fuzzResult struct {
	name string
	data []byte
	out  *generator.Output
	err  error
}

// generateSpec writes data as name into a new directory, generates it as the
// CLI's single-spec mode would, and checks the answer.
func generateSpec(t *testing.T, name string, data []byte) fuzzResult {
	t.Helper()
	dir := t.TempDir() // a new one each time: nothing of an earlier input is left to refer to
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	skipDeviceRefs(t, dir, data)
	svc := &generator.Job{Name: "api", Package: "api", Spec: path, SpecDisplay: name, Source: "openapi.spec", OutDir: filepath.Join(dir, "gen")}
	out, err := generateWithin(t, svc, fuzzDeadline+time.Duration(len(data))*10*time.Second/(1<<20))
	res := fuzzResult{name: name, data: data, out: out, err: err}
	if err != nil {
		skipKnownWhileFuzzing(t, err.Error(), data)
		if out != nil {
			t.Errorf("%s: Generate returned output beside its error: %v", name, err)
		}
		checkSpecError(t, name, dir, data, err)
		return res
	}
	if out == nil || len(out.Files) == 0 || len(out.Stats) != 1 {
		t.Fatalf("%s: Generate returned neither an error nor files", name)
	}
	for _, f := range out.Files {
		rel, err := filepath.Rel(svc.OutDir, f.Path)
		if err != nil || !filepath.IsLocal(rel) {
			t.Errorf("%s: generated file %s is outside %s", name, f.Path, svc.OutDir)
		}
		checkFile(t, rel, f.Data)
		if bytes.Contains(f.Data, []byte(dir)) {
			t.Errorf("%s: %s contains the spec's directory %s", name, rel, dir)
		}
	}
	typeCheck(t, name, data, out.Files)
	checkInert(t, name, svc, out.Files)
	return res
}

// generateWithin runs Generate with a deadline, turning a panic into a
// failure with its stack, and fails on huge allocations.
func generateWithin(t *testing.T, svc *generator.Job, deadline time.Duration) (*generator.Output, error) {
	t.Helper()
	type answer struct {
		out   *generator.Output
		err   error
		panic string
	}
	done := make(chan answer, 1)
	before := heapAllocs()
	start := time.Now()
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- answer{panic: fmt.Sprintf("%v\n%s", r, debug.Stack())}
			}
		}()
		out, err := generator.Generate([]*generator.Job{svc})
		done <- answer{out: out, err: err}
	}()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	select {
	case a := <-done:
		if a.panic != "" {
			t.Fatalf("%s: Generate panicked: %s", svc.SpecDisplay, a.panic)
		}
		if n := heapAllocs() - before; n > fuzzAllocLimit {
			t.Errorf("%s: Generate allocated %d MB in %v", svc.SpecDisplay, n>>20, time.Since(start).Round(time.Millisecond))
		}
		return a.out, a.err
	case <-timer.C:
		t.Fatalf("%s: Generate did not return within %v", svc.SpecDisplay, deadline)
	}
	return nil, nil
}

func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// checkSpecError asserts that every line of err starts with the spec's name
// and a line that the spec has, and that no line names the temporary
// directory the spec is in.
func checkSpecError(t *testing.T, name, dir string, data []byte, err error) {
	t.Helper()
	text := err.Error()
	if strings.Contains(text, dir) {
		t.Errorf("%s: error names the spec's directory %s:\n%s", name, dir, text)
	}
	// Lines as YAML counts them, at most: \r, \r\n, \n, NEL, LS and PS end one.
	lines := 1
	for _, brk := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
		lines += bytes.Count(data, []byte(brk))
	}
	var problems []string
	for _, line := range strings.Split(text, "\n") {
		m := errorLineRE.FindStringSubmatch(line) // file[:line[:col]]: message
		switch {
		case m == nil || m[1] != name:
			problems = append(problems, fmt.Sprintf("does not start with %q and a position: %q", name+":", line))
		case strings.Contains(line, "a bug in tpgen"):
			problems = append(problems, fmt.Sprintf("reports a bug in tpgen: %q", line))
		case m[2] != "":
			if n, _ := strconv.Atoi(m[2]); n < 1 || n > lines {
				problems = append(problems, fmt.Sprintf("points at line %d of a spec of %d lines: %q", n, lines, line))
			}
		}
	}
	if len(problems) > 0 {
		t.Errorf("%s: error line %s\nwhole error:\n%s", name, strings.Join(problems, "\nerror line "), text)
	}
}

// checkOperationCount asserts that a generated package has an operation for
// every method of every path of the document (methods counted as they are
// spelled: other spellings are errors; a paths key in another case counted
// too, because ignoring it drops every operation).
func checkOperationCount(t *testing.T, data []byte, out *generator.Output) {
	t.Helper()
	var top any
	if yaml.Unmarshal(data, &top) != nil {
		return // yaml.v3 and kin-openapi differ on odd YAML: nothing to count
	}
	n := 0
	for k, paths := range stringKeys(top) {
		if !strings.EqualFold(k, "paths") {
			continue
		}
		for _, item := range stringKeys(paths) {
			for m, v := range stringKeys(item) {
				switch m {
				case "get", "put", "post", "delete", "options", "head", "patch", "trace", "query", "connect":
					n++ // get: ~ too: not an operation, so an error, not nothing
				case "additionalOperations":
					n += len(stringKeys(v))
				}
			}
		}
	}
	if got := out.Stats[0].Operations; got < n {
		msg := fmt.Sprintf("%d operations generated, the spec has %d (dropped without an error)", got, n)
		skipKnownWhileFuzzing(t, msg, data)
		t.Error(msg)
	}
}

// stringKeys returns a decoded YAML mapping with its keys as text, or nil.
func stringKeys(v any) map[string]any {
	switch m := v.(type) {
	case map[string]any:
		return m
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[fmt.Sprint(k)] = e
		}
		return out
	}
	return nil
}

// compareResults asserts that two loads of one document agree: both fail, or
// both give the same files.
func compareResults(t *testing.T, aName string, a fuzzResult, bName string, b fuzzResult) {
	t.Helper()
	switch {
	case a.err == nil && b.err == nil:
		if len(a.out.Files) != len(b.out.Files) {
			t.Fatalf("%s gave %d files, %s %d", aName, len(a.out.Files), bName, len(b.out.Files))
		}
		for i := range a.out.Files {
			fa, fb := a.out.Files[i], b.out.Files[i]
			if filepath.Base(fa.Path) != filepath.Base(fb.Path) || !bytes.Equal(fa.Data, fb.Data) {
				t.Errorf("%s and %s give different %s:\n%s", aName, bName, filepath.Base(fa.Path), firstDiff(fa.Data, fb.Data))
			}
		}
	case (a.err == nil) != (b.err == nil):
		t.Errorf("one document, two answers:\n%s: %v\n%s: %v", aName, a.err, bName, b.err)
	}
}

// yamlAsJSON converts a YAML (or JSON) document to JSON, or reports false.
func yamlAsJSON(data []byte) ([]byte, bool) {
	var n yaml.Node
	if yaml.Unmarshal(data, &n) != nil || hasAlias(&n, 0) {
		return nil, false // aliases could expand without bound in this conversion
	}
	var v any
	if n.Decode(&v) != nil {
		return nil, false
	}
	v, ok := jsonable(v)
	if !ok {
		return nil, false
	}
	out, err := json.Marshal(v)
	return out, err == nil
}

func hasAlias(n *yaml.Node, depth int) bool {
	if n.Kind == yaml.AliasNode || depth > 1000 {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c, depth+1) {
			return true
		}
	}
	return false
}

// jsonable gives yaml.v3's decoding the keys JSON needs.
func jsonable(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			e, ok := jsonable(e)
			if !ok {
				return nil, false
			}
			x[k] = e
		}
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			e, ok := jsonable(e)
			if !ok {
				return nil, false
			}
			m[fmt.Sprint(k)] = e
		}
		return m, true
	case []any:
		for i, e := range x {
			e, ok := jsonable(e)
			if !ok {
				return nil, false
			}
			x[i] = e
		}
	}
	return v, true
}

// typeCheck parses and type-checks the generated package against this
// module's runtime and the standard library, read from compiled export data.
func typeCheck(t *testing.T, name string, spec []byte, files []generator.File) {
	t.Helper()
	imp := exportImporter(t)
	if imp == nil {
		return
	}
	fset := token.NewFileSet()
	var asts []*ast.File
	src := map[string][]byte{}
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".go") {
			continue
		}
		base := filepath.Base(f.Path)
		af, err := parser.ParseFile(fset, base, f.Data, parser.SkipObjectResolution)
		if err != nil {
			t.Errorf("%s: %s does not parse: %v", name, base, err)
			return
		}
		asts = append(asts, af)
		src[base] = f.Data
	}
	var problems []string
	conf := types.Config{Importer: imp, Error: func(err error) {
		if len(problems) < 10 {
			problems = append(problems, quoteTypeError(err, src))
		}
	}}
	info := &types.Info{Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	typeChecker.mu.Lock()
	_, _ = conf.Check("example.com/gen/api", fset, asts, info)
	typeChecker.mu.Unlock()
	if len(problems) == 0 {
		problems = unusedParams(fset, asts, info, src)
	}
	if len(problems) > 0 {
		skipKnownWhileFuzzing(t, strings.Join(problems, "\n"), spec)
		t.Errorf("%s: the generated package does not type-check, or leaves an argument unused:\n%s", name, strings.Join(problems, "\n"))
	}
}

// unusedParams finds parameters that a generated function never uses: every
// argument of a generated method is sent or used, so one that is not has
// been mixed up with another.
func unusedParams(fset *token.FileSet, files []*ast.File, info *types.Info, src map[string][]byte) []string {
	used := map[types.Object]bool{}
	for _, obj := range info.Uses {
		used[obj] = true
	}
	var problems []string
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			for _, field := range fd.Type.Params.List {
				for _, n := range field.Names {
					if obj := info.Defs[n]; obj != nil && n.Name != "_" && !used[obj] {
						p := fset.Position(n.Pos())
						line := bytes.Split(src[p.Filename], []byte("\n"))[p.Line-1]
						problems = append(problems, fmt.Sprintf("%s: parameter %s of %s is never used\n\t%s", p, n.Name, fd.Name.Name, bytes.TrimSpace(line)))
					}
				}
			}
		}
	}
	return problems
}

// quoteTypeError adds the offending line to a type error.
func quoteTypeError(err error, src map[string][]byte) string {
	var te types.Error
	if !errors.As(err, &te) {
		return err.Error()
	}
	p := te.Fset.Position(te.Pos)
	lines := bytes.Split(src[p.Filename], []byte("\n"))
	if p.Line < 1 || p.Line > len(lines) {
		return err.Error()
	}
	return fmt.Sprintf("%v\n\t%s", err, bytes.TrimSpace(lines[p.Line-1]))
}

// typeChecker holds one importer of compiled export data for the test
// process; the export files come from go list, run once.
var typeChecker struct {
	once sync.Once
	mu   sync.Mutex
	imp  types.Importer
	skip string // why generated code is not type-checked here
	err  error  // why it cannot be
}

// generatedImports are the packages generated code may import.
var generatedImports = []string{modulePath + "/runtime", modulePath + "/runtime/tpgenimpl", modulePath + "/runtime/token", "context", "encoding/json", "errors", "fmt", "io", "iter", "mime/multipart", "net/http", "time"}

func exportImporter(t *testing.T) types.Importer {
	typeChecker.once.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			typeChecker.skip = "go is not on PATH: generated code is not type-checked"
			return
		}
		exports := map[string]string{}
		var mu sync.Mutex
		list := func(pkgs ...string) error {
			args := append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}, pkgs...)
			out, err := exec.Command(goBin, args...).Output()
			if err != nil {
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					return fmt.Errorf("go list -export %s: %v\n%s", strings.Join(pkgs, " "), err, ee.Stderr)
				}
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if path, file, ok := strings.Cut(line, "\t"); ok && file != "" {
					exports[path] = file
				}
			}
			return nil
		}
		if err := list(generatedImports...); err != nil {
			typeChecker.err = err
			return
		}
		typeChecker.imp = importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
			mu.Lock()
			file, ok := exports[path]
			mu.Unlock()
			if !ok {
				if err := list(path); err != nil {
					return nil, err
				}
				mu.Lock()
				file = exports[path]
				mu.Unlock()
			}
			return os.Open(file)
		})
	})
	if typeChecker.skip != "" {
		t.Log(typeChecker.skip)
	}
	if typeChecker.err != nil {
		t.Fatalf("cannot type-check generated code: %v", typeChecker.err)
	}
	return typeChecker.imp
}

// skipDeviceRefs skips a spec with a $ref to a file that is not a regular
// file (/dev/zero, /dev/stdin): tpgen refuses them, but should that regress,
// the fuzzer would read /dev/zero until the machine runs out of memory.
// TestRefToFIFO checks the refusal safely.
func skipDeviceRefs(t *testing.T, dir string, data []byte) {
	t.Helper()
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return
	}
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if depth > 1000 {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value != "$ref" {
					continue
				}
				u, err := url.Parse(n.Content[i+1].Value)
				if err != nil || u.Path == "" {
					continue
				}
				p := filepath.FromSlash(u.Path)
				if !filepath.IsAbs(p) {
					p = filepath.Join(dir, p)
				}
				if fi, err := os.Stat(p); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
					t.Skipf("a $ref to %s (%v) is not followed here: TestRefToFIFO checks that tpgen refuses it", u.Path, fi.Mode().Type())
				}
			}
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(&root, 0)
}

// TestRefToFIFO: a spec, or a $ref, that is not a regular file (a FIFO
// here; /dev/zero, /dev/stdin elsewhere) must be refused, not read until it
// ends: the size tpgen checks before reading is 0 for a device. (Found while
// writing the fuzz targets: a $ref to /dev/zero ran tpgen out of memory.)
func TestRefToFIFO(t *testing.T) {
	mkfifo, err := exec.LookPath("mkfifo")
	if err != nil {
		t.Skip("no mkfifo")
	}
	const spec = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "common.yaml#/Thing"}}}}
`
	for _, fifoName := range []string{"common.yaml", "spec.yaml"} {
		t.Run(fifoName, func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, fifoName)
			if out, err := exec.Command(mkfifo, fifo).CombinedOutput(); err != nil {
				t.Skipf("mkfifo: %v %s", err, out)
			}
			if fifoName != "spec.yaml" {
				if err := os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte(spec), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			done := make(chan error, 1)
			go func() {
				_, err := generator.Generate([]*generator.Job{{Name: "api", Package: "api", Spec: filepath.Join(dir, "spec.yaml"), SpecDisplay: "spec.yaml", Source: "spec.yaml", OutDir: filepath.Join(dir, "gen")}})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil {
					t.Fatalf("%s, a FIFO, gave a client", fifoName)
				}
				checkSpecError(t, "spec.yaml", dir, []byte(spec), err)
			case <-time.After(5 * time.Second):
				// Unblock the reader: open the FIFO for writing and close it.
				if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
					w.Close()
				}
				<-done
				t.Errorf("BUG: %s, a FIFO, blocks generation until something writes to it (and /dev/zero runs the process out of memory)", fifoName)
			}
		})
	}
}

// fuzzSeeds are the specs of the examples, of the golden cases (also the
// failing ones), of $TPGEN_CORPUS up to 1 MB, and trickySpecs: all of them to
// be fed as they are, the small ones (not the corpus) also as JSON.
func fuzzSeeds(f *testing.F) (seeds struct{ all, small [][]byte }) {
	corpus := os.Getenv("TPGEN_CORPUS")
	if corpus != "" {
		if _, err := os.Stat(corpus); err != nil && !filepath.IsAbs(corpus) {
			corpus = filepath.Join("..", corpus) // relative to the repository, where go test was likely run
		}
	}
	for _, g := range []struct {
		glob  string
		small bool
	}{
		{filepath.Join("..", "examples", "specs", "*"), true},
		{filepath.Join("testdata", "golden", "*", "spec.*"), true},
		{filepath.Join("testdata", "golden", "*", "specs", "*"), true},
		{filepath.Join("testdata", "golden-errors", "*", "*"), true},
		{filepath.Join(corpus, "*.json"), false},
		{filepath.Join(corpus, "*.yaml"), false},
		{filepath.Join(corpus, "*.yml"), false},
	} {
		if corpus == "" && !g.small {
			continue
		}
		files, err := filepath.Glob(g.glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			if base := filepath.Base(file); base == "want.err" || base == "services.yaml" {
				continue
			}
			if fi, err := os.Stat(file); err != nil || !fi.Mode().IsRegular() || fi.Size() > 1<<20 {
				continue
			}
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			seeds.all = append(seeds.all, data)
			if g.small {
				seeds.small = append(seeds.small, data)
			}
		}
	}
	if len(seeds.all) < 10 {
		f.Fatalf("only %d seed specs found", len(seeds.all))
	}
	for _, s := range trickySpecs {
		seeds.all = append(seeds.all, []byte(s))
		seeds.small = append(seeds.small, []byte(s))
	}
	// Circles of schemas (TestSchemaCycles) and hostile text (TestHostileSpecText).
	for _, c := range cycleCases() {
		if c.spec != "" {
			seeds.all = append(seeds.all, []byte(c.spec))
			continue
		}
		seeds.all = append(seeds.all, cycleSpec(c.kws, c.n, c.sibling))
	}
	// (TestHostileSpecText's spec of every field takes too long for a seed.)
	if hostile, err := json.Marshal(smallHostileSpec(strings.Join(hostileTexts("PWNED"), "\n"))); err == nil {
		seeds.all = append(seeds.all, hostile)
	}
	return seeds
}

// trickySpecs are small specs at the edges of the model: recursion, refs to
// refs, empty schemas, names that are hard to make Go of, big enums.
var trickySpecs = []string{
	// Recursion through arrays, maps, allOf and unions.
	`openapi: 3.0.3
info: {title: rec, version: "1"}
paths:
  /nodes:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Node"}}}}
components:
  schemas:
    Node: {type: object, properties: {children: {type: array, items: {$ref: "#/components/schemas/Node"}}, next: {$ref: "#/components/schemas/Node"}}}
    List: {type: array, items: {$ref: "#/components/schemas/List"}}
    Map: {type: object, additionalProperties: {$ref: "#/components/schemas/Map"}}
    All: {allOf: [{$ref: "#/components/schemas/All"}, {type: object, properties: {a: {type: string}}}]}
    One: {oneOf: [{$ref: "#/components/schemas/One"}, {type: string}]}
    Any: {anyOf: [{type: array, items: {$ref: "#/components/schemas/Any"}}, {type: integer}]}
`,
	// Refs to refs to refs, and a ref with siblings (3.1).
	`openapi: 3.1.0
info: {title: refs, version: "1"}
paths:
  /a:
    post:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/A", description: sibling}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/B"}}}}
components:
  schemas:
    A: {$ref: "#/components/schemas/B"}
    B: {$ref: "#/components/schemas/C"}
    C: {$ref: "#/components/schemas/D"}
    D: {type: [string, "null"], format: date-time}
`,
	// Empty schemas everywhere.
	`openapi: 3.0.3
info: {title: "", version: ""}
paths:
  /{x}:
    parameters: [{name: x, in: path, required: true, schema: {}}]
    put:
      parameters: [{name: q, in: query, schema: {}}, {name: h, in: header, content: {application/json: {}}}]
      requestBody: {content: {application/json: {}, text/plain: {}}}
      responses:
        default: {description: ""}
        "200": {description: ok, content: {application/json: {schema: {}}}, headers: {X-E: {schema: {}}}}
components:
  schemas:
    E: {}
    O: {type: object}
    N: {type: object, additionalProperties: false}
    S: {type: string, enum: []}
`,
	// Names that are hard to make Go identifiers of.
	`openapi: 3.0.3
info: {title: names, version: "1"}
paths:
  /Ünïcode/{名前}/{type}/{func}:
    get:
      operationId: "名前 取得"
      parameters:
        - {name: 名前, in: path, required: true, schema: {type: string}}
        - {name: type, in: path, required: true, schema: {type: string}}
        - {name: func, in: path, required: true, schema: {type: string}}
        - {name: ctx, in: query, schema: {type: string}}
        - {name: c, in: query, schema: {type: string}}
        - {name: params, in: header, schema: {type: string}}
        - {name: body, in: cookie, schema: {type: string}}
        - {name: "", in: query, schema: {type: string}}
        - {name: "$", in: query, schema: {type: string}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Client"}}}}
components:
  schemas:
    Client: {type: object, properties: {"": {type: string}, "-": {type: string}, "_": {type: string}, "a-b": {type: string}, "a_b": {type: string}, "A B": {type: string}, "MarshalJSON": {type: string}, "AdditionalProperties": {type: string}}, additionalProperties: {type: string}}
    client: {type: string}
    type: {type: integer}
    "123": {type: number}
    "-": {type: boolean}
    "_": {type: string}
    "a.b": {type: string}
    "a b": {type: string}
    名前: {type: string}
    Ωmega: {type: string}
    New: {type: string}
    Option: {type: string}
    ß: {type: string}
    K: {type: string}
    k: {type: string}
    "٣": {type: string}
`,
	// Numeric names and statuses.
	`openapi: 3.0.3
info: {title: "123", version: "1"}
paths:
  /1/{2}:
    parameters: [{name: "2", in: path, required: true, schema: {type: integer}}]
    get:
      operationId: "3"
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/404"}}}}
        "2XX": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/1e3"}}}}
        "404": {description: no, content: {application/json: {schema: {$ref: "#/components/schemas/404"}}}}
components:
  schemas:
    "404": {type: object, properties: {"1": {type: integer}, "2": {type: integer}}}
    "1e3": {type: integer, enum: [1, 2, 3, -1, 0]}
`,
	// A big enum whose values collide once they are Go names.
	bigEnumSpec(),
	// $ref cycles that never reach a schema, and a path item that refers to itself.
	`openapi: 3.0.3
info: {title: cycle, version: "1"}
paths:
  /a:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/A"}}}}
  /b:
    $ref: "#/paths/~1b"
components:
  schemas:
    A: {$ref: "#/components/schemas/B"}
    B: {$ref: "#/components/schemas/A"}
    C: {$ref: "#/components/schemas/C"}
`,
	// Odd path templates.
	`openapi: 3.0.3
info: {title: paths, version: "1"}
paths:
  /{a}/{a}:
    parameters: [{name: a, in: path, required: true, schema: {type: string}}]
    get: {responses: {"204": {description: ok}}}
  /x/{.id*}/{;m}:
    parameters: [{name: id, in: path, required: true, schema: {type: array, items: {type: string}}}, {name: m, in: path, required: true, schema: {type: object, properties: {a: {type: integer}}}}]
    get: {responses: {"204": {description: ok}}}
  /y/{id}{name}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}, {name: name, in: path, required: true, schema: {type: string}}]
    get: {responses: {"204": {description: ok}}}
  /z/{}:
    get: {responses: {"204": {description: ok}}}
`,
	// Swagger 2.0 with a body parameter, formData and a file.
	`swagger: "2.0"
info: {title: sw, version: "1"}
host: example.com
basePath: /v1
paths:
  /up/{id}:
    post:
      consumes: [multipart/form-data]
      parameters:
        - {name: id, in: path, required: true, type: string}
        - {name: f, in: formData, type: file}
        - {name: n, in: formData, type: integer}
      responses: {"200": {description: ok, schema: {$ref: "#/definitions/R"}}}
definitions:
  R: {type: object, properties: {a: {type: array, items: {$ref: "#/definitions/R"}}}}
`,
	// OpenAPI 3.2 methods: every one is an operation.
	`openapi: 3.2.0
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      responses: {"200": {description: ok}}
    query:
      operationId: queryPets
      responses: {"200": {description: ok}}
    connect:
      operationId: connectPets
      responses: {"200": {description: ok}}
    additionalOperations:
      COPY:
        operationId: copyPets
        responses: {"200": {description: ok}}
`,
	// Enums of every kind, nullable and not.
	`openapi: 3.1.0
info: {title: enums, version: "1"}
paths: {}
components:
  schemas:
    B: {enum: [true, false]}
    M: {enum: [1, "1", true, null, 1.5]}
    F: {type: number, enum: [0.1, 0.2, 1e300, -0]}
    I: {type: integer, enum: [9007199254740993, -9223372036854775808]}
    N: {type: [string, "null"], enum: [a, null, "", " ", "a b", "A_B", "a-b"]}
    O: {type: object, enum: [{a: 1}]}
    C: {const: "x"}
    D: {type: string, format: date, enum: ["2024-01-01"]}
`,
}

func bigEnumSpec() string {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: enum, version: \"1\"}\npaths: {}\ncomponents:\n  schemas:\n    Big:\n      type: string\n      enum:\n")
	for i := range 400 {
		for _, v := range []string{"v%d", "V%d", "v-%d", "v_%d", "v %d"} {
			fmt.Fprintf(&b, "        - %q\n", fmt.Sprintf(v, i))
		}
	}
	return b.String()
}

// buildFuzzSpec makes an OpenAPI document from fuzz bytes and counts its
// operations. Every choice reads one byte; when the bytes run out, every
// choice is the first (and lists end).
func buildFuzzSpec(data []byte) (map[string]any, int) {
	b := &specBuilder{in: data}
	b.v31 = b.next()%2 == 1
	version := "3.0.3"
	if b.v31 {
		version = "3.1.0"
	}
	doc := map[string]any{
		"openapi": version,
		"info":    map[string]any{"title": b.pick(fuzzTexts), "version": b.pick([]string{"1", "", "v2.0.0-beta", "1\n2"}), "description": b.pick(fuzzTexts)},
	}
	if b.next()%3 == 1 {
		doc["servers"] = []any{map[string]any{"url": b.pick(fuzzServers), "variables": map[string]any{"host": map[string]any{"default": "h.example.com"}}}}
	}
	for range b.next() % 6 {
		b.names = append(b.names, b.pick(fuzzNames))
	}
	schemas := map[string]any{}
	for _, n := range b.names {
		schemas[n] = b.schema(0)
	}
	if len(schemas) > 0 {
		doc["components"] = map[string]any{"schemas": schemas}
	}
	if b.next()%4 == 1 {
		comps, _ := doc["components"].(map[string]any)
		if comps == nil {
			comps = map[string]any{}
			doc["components"] = comps
		}
		comps["securitySchemes"] = map[string]any{"oauth": map[string]any{"type": "oauth2", "flows": map[string]any{
			"clientCredentials": map[string]any{"tokenUrl": "https://auth.example.com/token", "scopes": map[string]any{b.pick(fuzzNames): b.pick(fuzzTexts), "a:b": ""}}}}}
		doc["security"] = []any{map[string]any{"oauth": []any{b.pick(fuzzNames)}}}
	}
	paths := map[string]any{}
	ops := 0
	for range b.next() % 5 {
		p := b.pick(fuzzPaths)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		m := b.pick(fuzzMethods)
		if _, dup := item[m]; !dup {
			ops++
		}
		item[m] = b.operation(p)
	}
	doc["paths"] = paths
	return doc, ops + b.extras(doc)
}

// extras spends the bytes left after the document is built (so that the
// inputs kept in testdata/fuzz/FuzzModel still build the documents they
// were found with): schemas that hold each other in a circle, through
// keywords the bytes choose, and hostile or arbitrary text in the text
// fields of the schemas, operations, parameters and responses built. It
// returns the operations it adds.
func (b *specBuilder) extras(doc map[string]any) int {
	if b.pos >= len(b.in) {
		return 0
	}
	ops := 0
	if cycles := b.next() % 5; cycles > 0 {
		comps, _ := doc["components"].(map[string]any)
		if comps == nil {
			comps = map[string]any{}
			doc["components"] = comps
		}
		schemas, _ := comps["schemas"].(map[string]any)
		if schemas == nil {
			schemas = map[string]any{}
			comps["schemas"] = schemas
		}
		targets := append([]string(nil), b.names...)
		for i := range cycles {
			targets = append(targets, fmt.Sprintf("Cyc%d", i))
		}
		for i := range cycles {
			// Cyc(i) holds Cyc(i+1), the last Cyc0; sometimes another schema
			// instead (a chord, itself, or one of the document's).
			target := fmt.Sprintf("Cyc%d", (i+1)%cycles)
			if b.next()%4 == 1 {
				target = targets[b.next()%len(targets)]
			}
			s := cycleEdge(cycleKeywords[b.next()%len(cycleKeywords)], target, b.next()%2 == 1)
			b.sites = append(b.sites, textSite{s, "schema"})
			schemas[fmt.Sprintf("Cyc%d", i)] = s
		}
		paths := doc["paths"].(map[string]any)
		if _, taken := paths["/cyc"]; !taken {
			ops++
		}
		paths["/cyc"] = map[string]any{"get": map[string]any{"operationId": "getCyc", "responses": map[string]any{"200": map[string]any{"description": "ok",
			"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Cyc0"}}}}}}}
	}
	b.sites = append(b.sites, textSite{doc["info"].(map[string]any), "info"}, textSite{doc, "doc"})
	fields := map[string][]string{
		"schema":    {"description", "title", "default", "example", "x-text", "enum"},
		"operation": {"summary", "description", "x-text"},
		"param":     {"description", "example"},
		"response":  {"description"},
		"info":      {"title", "description", "version"},
		"doc":       {"x-text", "tags"},
	}
	for b.pos < len(b.in) {
		site := b.sites[b.next()%len(b.sites)]
		fs := fields[site.kind]
		switch field, text := fs[b.next()%len(fs)], b.text(); field {
		case "enum":
			if vals, ok := site.m["enum"].([]any); ok {
				site.m["enum"] = append(vals, text)
			}
		case "tags":
			site.m["tags"] = []any{map[string]any{"name": text, "description": b.text()}}
		default:
			site.m[field] = text
		}
	}
	return ops
}

// textSite is a part of the document that has text fields of its kind.
type textSite struct {
	m    map[string]any
	kind string
}

// text is spec text: hostile text, or the next bytes, whatever they are.
func (b *specBuilder) text() string {
	if b.next()%2 == 0 {
		return fuzzHostileTexts[b.next()%len(fuzzHostileTexts)]
	}
	end := min(b.pos+b.next()%40, len(b.in))
	s := strings.ToValidUTF8(string(b.in[b.pos:end]), "\uFFFD")
	b.pos = end
	return s
}

// fuzzHostileTexts are texts meant to end or open a comment, start a
// directive or constraint, break a line or a Markdown document.
var fuzzHostileTexts = append([]string{
	"//go:generate touch PWNED", "/*\n*/ func init() { panic(1) } /*\n*/", "*/ func init() {} /*", "+build ignore", "x\n  +build ignore",
	"\n//line x.go:1", "a\u2029//go:build ignore", "a\u0085//export F", "b\u2028//extern f", "\v//go:noinline\f", "<!-- hidden",
	"| cell |", "[l](http://x) ![i](y)", "\u202eevil\u202c", "\ufeff//go:generate x", "\x00\x01\x1b[0m", strings.Repeat("x", 500),
	strings.Repeat("word ", 100) + "+build x", "%s %v %!", "\"\\`", "```\n# h\n",
	// Links become go doc links and definitions at the end of the comment;
	// wrapping keeps link texts, code spans and URLs whole.
	"[*/ func init() {} /*](https://x.example/*/)", "[+build ignore](https://x.example)\n[a](javascript:x)",
	"[//go:generate touch PWNED](http://x.example) <https://x.example/\u2028//go:build ignore>",
	strings.Repeat("w ", 48) + "`" + strings.Repeat("c ", 40) + "` [" + strings.Repeat("t ", 40) + "](https://x.example/" + strings.Repeat("p", 300) + ")",
	"  - " + strings.Repeat("item ", 40) + "\n\n      code " + strings.Repeat("x", 300),
}, hostileTexts("PWNED")...)

type specBuilder struct {
	in    []byte
	pos   int
	v31   bool
	names []string   // component schemas
	sites []textSite // where extras may put text
}

func (b *specBuilder) next() int {
	if b.pos >= len(b.in) {
		return 0
	}
	c := b.in[b.pos]
	b.pos++
	return int(c)
}

func (b *specBuilder) pick(list []string) string { return list[b.next()%len(list)] }

// ref refers to a component: mostly one that exists, escaped as a JSON
// pointer, sometimes one that does not or is escaped wrongly.
func (b *specBuilder) ref() map[string]any {
	name := "Missing"
	if len(b.names) > 0 {
		name = b.names[b.next()%len(b.names)]
	}
	switch b.next() % 8 {
	case 1:
		name = url.PathEscape(name)
	case 2:
		name = b.pick(fuzzNames)
	default:
		name = strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func (b *specBuilder) schema(depth int) map[string]any {
	k := b.next() % 18
	if depth >= 4 && k > 6 {
		k %= 7
	}
	var s map[string]any
	switch k {
	case 0:
		s = map[string]any{}
	case 1:
		s = map[string]any{"type": "string", "format": b.pick(fuzzFormats)}
	case 2:
		s = map[string]any{"type": "integer", "format": b.pick(fuzzFormats)}
		if b.next()%3 == 1 {
			s["maximum"] = 1 << 40
		}
	case 3:
		s = map[string]any{"type": "number", "format": b.pick(fuzzFormats)}
	case 4:
		s = map[string]any{"type": "boolean"}
	case 5, 6:
		s = b.ref()
	case 7:
		var vals []any
		for range b.next()%6 + 1 {
			vals = append(vals, fuzzEnumValues[b.next()%len(fuzzEnumValues)])
		}
		s = map[string]any{"enum": vals}
		if t := b.pick([]string{"", "string", "integer", "number", "boolean"}); t != "" {
			s["type"] = t
		}
	case 8:
		s = map[string]any{"type": "array", "items": b.schema(depth + 1)}
	case 9:
		if b.v31 {
			s = map[string]any{"type": "array", "prefixItems": []any{b.schema(depth + 1), b.schema(depth + 1)}}
		} else {
			s = map[string]any{"type": "array"}
		}
	case 10, 11:
		props := map[string]any{}
		var required []any
		for range b.next() % 5 {
			n := b.pick(fuzzNames)
			props[n] = b.schema(depth + 1)
			if b.next()%2 == 1 {
				required = append(required, n)
			}
		}
		s = map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			s["required"] = required
		}
		switch b.next() % 4 {
		case 1:
			s["additionalProperties"] = b.schema(depth + 1)
		case 2:
			s["additionalProperties"] = b.next()%2 == 1
		}
	case 12:
		s = map[string]any{"allOf": b.schemas(depth)}
	case 13, 14:
		kw := "oneOf"
		if k == 14 {
			kw = "anyOf"
		}
		alts := b.schemas(depth)
		s = map[string]any{kw: alts}
		if b.next()%3 == 1 {
			disc := map[string]any{"propertyName": b.pick(fuzzNames)}
			if len(b.names) > 0 && b.next()%2 == 1 {
				disc["mapping"] = map[string]any{b.pick(fuzzNames): b.ref()["$ref"]}
			}
			s["discriminator"] = disc
		}
	case 15:
		if b.v31 {
			s = map[string]any{"type": []any{b.pick(fuzzTypes), b.pick(fuzzTypes)}}
		} else {
			s = map[string]any{"type": b.pick(fuzzTypes), "nullable": true}
		}
	case 16:
		s = map[string]any{"const": fuzzEnumValues[b.next()%len(fuzzEnumValues)]}
	case 17:
		s = map[string]any{"type": "object", "additionalProperties": b.schema(depth + 1)}
	}
	switch b.next() % 12 {
	case 1:
		s["nullable"] = true
		if b.v31 {
			delete(s, "nullable")
			if t, ok := s["type"].(string); ok {
				s["type"] = []any{t, "null"}
			}
		}
	case 2:
		s["readOnly"] = true
	case 3:
		s["writeOnly"] = true
	case 4:
		s["deprecated"] = true
	case 5:
		s["description"] = b.pick(fuzzTexts)
	case 6:
		s["title"] = b.pick(fuzzTexts)
	}
	b.sites = append(b.sites, textSite{s, "schema"})
	return s
}

func (b *specBuilder) schemas(depth int) []any {
	var out []any
	for range b.next()%4 + 1 {
		out = append(out, b.schema(depth+1))
	}
	return out
}

func (b *specBuilder) operation(path string) map[string]any {
	op := map[string]any{}
	if n := b.next() % 4; n > 0 {
		op["operationId"] = b.pick(fuzzNames)
	}
	if b.next()%3 == 1 {
		op["summary"] = b.pick(fuzzTexts)
		op["description"] = b.pick(fuzzTexts)
	}
	if b.next()%5 == 1 {
		op["deprecated"] = true
	}
	if b.next()%3 == 1 {
		op["tags"] = []any{b.pick(fuzzNames)}
	}
	var params []any
	for _, m := range regexp.MustCompile(`\{([^{}]*)\}`).FindAllStringSubmatch(path, -1) {
		if b.next()%16 == 1 {
			continue // undeclared: an error
		}
		name := strings.TrimSuffix(strings.TrimLeft(m[1], ".;?&+#/"), "*")
		params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": b.schema(2)})
	}
	for range b.next() % 4 {
		p := map[string]any{"name": b.pick(fuzzNames), "in": b.pick([]string{"query", "query", "header", "cookie"})}
		if b.next()%2 == 1 {
			p["required"] = true
		}
		if b.next()%5 == 1 {
			p["content"] = map[string]any{"application/json": map[string]any{"schema": b.schema(1)}}
		} else {
			p["schema"] = b.schema(1)
		}
		if st := b.pick([]string{"", "", "form", "simple", "label", "matrix", "spaceDelimited", "pipeDelimited", "deepObject"}); st != "" {
			p["style"] = st
		}
		if b.next()%3 == 1 {
			p["explode"] = b.next()%2 == 1
		}
		params = append(params, p)
		b.sites = append(b.sites, textSite{p, "param"})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if b.next()%2 == 1 {
		content := map[string]any{}
		for range b.next()%2 + 1 {
			content[b.pick(fuzzContentTypes)] = map[string]any{"schema": b.schema(0)}
		}
		op["requestBody"] = map[string]any{"content": content, "required": b.next()%2 == 1}
	}
	responses := map[string]any{}
	for range b.next()%3 + 1 {
		r := map[string]any{"description": b.pick(fuzzTexts)}
		if b.next()%4 != 1 {
			r["content"] = map[string]any{b.pick(fuzzContentTypes): map[string]any{"schema": b.schema(0)}}
		}
		if b.next()%4 == 1 {
			r["headers"] = map[string]any{b.pick(fuzzNames): map[string]any{"schema": b.schema(2)}}
		}
		responses[b.pick(fuzzStatuses)] = r
		b.sites = append(b.sites, textSite{r, "response"})
	}
	op["responses"] = responses
	b.sites = append(b.sites, textSite{op, "operation"})
	return op
}

var (
	fuzzNames = []string{
		"Pet", "pet", "Pets", "Pet2", "PetItem", "PET", "Pet_", "_Pet", "pet-1", "pet_1", "Pet1", "Client", "New", "API",
		"Option", "Operations", "ServiceConfig", "Runtime", "Type", "type", "func", "string", "any", "nil", "error", "_",
		"__x", "1", "200", "2XX", "1e3", "123abc", "Ünïcode", "名前", "Ω", "ß", "K", "٣", "ǅ", "a-b", "a_b", "a.b",
		"a b", "A B", "a/b", "a~b", "$ref", "x-ext", "", "ID", "Id", "id", "URL", "HTTPServer", "Params", "GetPetsParams",
		"GetPetsResponse", "GetPetsResult", "GetPetsRequest", "Raw", "MarshalJSON", "UnmarshalJSON", "AdditionalProperties",
		"StatusCode", "Body", "Value", "Item", "Nullable", "Date", "Time", "context", "runtime", "json", "http", "io",
		"fmt", "errors", "time", "ctx", "c", "params", "body", "opGetPets", "true", "null", "-1", "émoji😀", "camelCase",
		"snake_case", "SCREAMING_CASE", "Discriminator", "ValueByDiscriminator", "AsPet", "FromPet", "getPets", "get_pets",
	}
	fuzzTexts = []string{
		"", "A pet.", "Line one\nLine two", "*/ closes /* a comment", "`backticks`", "%v %s %% %!", "Deprecated: use the other",
		"\u2028 line separator", "trailing space ", "// slashes", `\ backslash`, `"quoted"`, "tab\there", "nul \x00 byte",
		"cr\r\nlf", "\ufeffBOM", "名前の説明", strings.Repeat("long ", 200), "<html>&amp;</html>", "${VAR}",
	}
	fuzzServers      = []string{"", "https://api.example.com/v1", "/relative", "http://{host}:8080/x", "https://ex.com/`\"", "%zz", "https://user:pass@h.example.com"}
	fuzzFormats      = []string{"", "date-time", "date", "byte", "binary", "int32", "int64", "float", "double", "uuid", "bogus"}
	fuzzTypes        = []string{"string", "integer", "number", "boolean", "array", "object", "null"}
	fuzzContentTypes = []string{"application/json", "application/problem+json", "multipart/form-data", "application/x-www-form-urlencoded", "text/plain", "text/event-stream", "application/octet-stream", "*/*", "application/*", "image/png", "APPLICATION/JSON; charset=utf-8"}
	fuzzStatuses     = []string{"200", "201", "204", "2XX", "2xx", "3XX", "301", "default", "400", "404", "4XX", "500", "5XX", "600", "1XX", "abc"}
	fuzzMethods      = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	fuzzPaths        = []string{
		"/pets", "/pets/{id}", "/pets/{id}/toys/{toyId}", "/{a}/{b}", "/{a}/x/{a}", "/", "/pets/{id}.json", "/x/{.id*}",
		"/x/{;id}", "/ünï/{名前}", "/a b", "/{id}{name}", "/v1/{ctx}/{c}/{params}/{body}", "/{type}/{func}", "pets", "/pets/",
		"/Pets", "/{}", "/x/{id", "/x/id}", "/{ü}",
	}
	fuzzEnumValues = []any{"a", "A", "a-b", "a_b", "a b", "", " ", "1", "true", "null", "名前", "é", "Pet", 1, 2, 1.5, -1, 0, true, false, nil, 1e20, 9007199254740993, "a\nb", "*/"}
)

// TestGenerateRereadsReferencedFiles: Generate is a library function; a
// second call after a file that the spec refers to changed must see the
// change (kin-openapi's default reader caches files by absolute path for
// the life of the process).
func TestGenerateRereadsReferencedFiles(t *testing.T) {
	dir := t.TempDir()
	spec := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "common.yaml#/Thing"}}}}
`
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("spec.yaml", spec)
	write("common.yaml", "Thing: {type: object, properties: {before: {type: string}}}\n")
	svc := func() []*generator.Job {
		return []*generator.Job{{Name: "api", Package: "api", Spec: filepath.Join(dir, "spec.yaml"), SpecDisplay: "spec.yaml", Source: "spec.yaml", OutDir: filepath.Join(dir, "gen")}}
	}
	if _, err := generator.Generate(svc()); err != nil {
		t.Fatal(err)
	}
	write("common.yaml", "Thing: {type: object, properties: {after: {type: string}}}\n")
	out, err := generator.Generate(svc())
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, f := range out.Files {
		all = append(all, f.Data...)
	}
	switch {
	case bytes.Contains(all, []byte(`json:"after`)):
	case bytes.Contains(all, []byte(`json:"before`)):
		t.Error("BUG: a second Generate in one process reads a referenced file as it was the first time (kin-openapi's DefaultReadFromURI caches by absolute path)")
	default:
		t.Fatalf("the referenced schema's property is in neither output")
	}
}

// The golden-errors cases added with the fuzz targets: where their errors
// must be located, and what they fall short of.
func init() {
	for name, where := range map[string]string{
		"binary_file":                "line",
		"duplicate_path_key":         "col",
		"empty_type_list":            "col",
		"method_spelling":            "col",
		"param_invalid_in":           "col",
		"path_without_slash":         "col",
		"ref_cycle":                  "col",
		"ref_directory":              "col",
		"ref_self":                   "col",
		"request_body_empty_content": "col",
		"request_body_no_content":    "col",
		"spec_directory_config":      "col",
		"swagger_float":              "col",
		"unterminated_template":      "col",
		"version_float":              "col",
	} {
		located[name] = where
	}
}

// TestRepeatedAllOfMembers: schemas that list the same schema several times
// among their allOf members, down a chain or through themselves, are merged
// (and asked whether they are nullable) once per schema; walking every path
// took exponential time and Generate did not return (found by FuzzModel).
func TestRepeatedAllOfMembers(t *testing.T) {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /a:\n    get:\n      operationId: get\n      responses:\n        \"200\":\n          description: OK\n          content:\n            application/json:\n              schema: {$ref: \"#/components/schemas/Holder\"}\ncomponents:\n  schemas:\n")
	b.WriteString("    Holder:\n      type: object\n      properties:\n        chain: {$ref: \"#/components/schemas/X0\"}\n        self: {$ref: \"#/components/schemas/Self\"}\n")
	b.WriteString("    Self:\n      allOf: [{type: integer}, {$ref: \"#/components/schemas/Self\"}, {$ref: \"#/components/schemas/Self\"}, {$ref: \"#/components/schemas/Self\"}]\n")
	for i := range 24 {
		next := fmt.Sprintf(`{$ref: "#/components/schemas/X%d"}`, i+1)
		fmt.Fprintf(&b, "    X%d:\n      allOf: [%s, %s, %s]\n", i, next, next, next)
	}
	b.WriteString("    X24:\n      type: object\n      nullable: true\n      properties:\n        id: {type: string}\n")
	r := generateSpec(t, "spec.yaml", []byte(b.String()))
	if r.err != nil {
		t.Fatal(r.err)
	}
}
