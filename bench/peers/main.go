//go:build linux

// Command peers compares tpgen with two peer generators of Go OpenAPI
// clients, oapi-codegen and ogen, on documents of the shared corpus, and
// prints a Markdown table and the ratios the project tracks.
//
//	go run ./bench/peers [-specs a.json,b.yaml | -all] [-n 3] [-base REV] [-json FILE] [-v] [-keep]
//
// Everything is measured in one run on one machine, so ratios are comparable
// even when absolute times are not. It:
//
//  1. installs the peers with `go install` into a temporary GOBIN (they are
//     never added to this module's go.mod) and builds tpgen from this tree
//     (and, with -base REV, tpgen from revision REV of this repository, as
//     the generator tpgen-base, for before and after figures of one run);
//  2. for each spec and generator, generates a client into its own temporary
//     Go module -n times (wall time, peak RSS, lines of generated Go);
//  3. runs `go mod tidy` and `go build ./...` there once (warms the cache with
//     the dependencies), then -n compile-only builds that recompile just the
//     generated packages and time their compiler processes (see measure.go);
//  4. runs `go vet ./...` once.
//
// Medians of the -n repetitions are reported. Progress goes to stderr, the
// report to stdout. Linux only (rusage Maxrss is in KiB there).
//
// Generator settings follow /work/shared/reference/peer-baseline.md, whose
// line counts they reproduce:
//   - tpgen: single-spec mode, -spec FILE -package NAME -out DIR;
//   - oapi-codegen: models + client in one file; when that fails, again with
//     output-options.resolve-type-name-collisions, and the note says so;
//   - ogen: client only (features: disable_all, enable paths/client), no
//     infer_types unless -ogen-infer-types.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Peer versions under comparison.
const (
	oapiCodegenPkg = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2"
	ogenPkg        = "github.com/ogen-go/ogen/cmd/ogen@v1.24.0"
	ogenModule     = "github.com/ogen-go/ogen v1.24.0" // runtime of generated ogen code: same version as the generator
	tpgenModule    = "github.com/tpgen/tpgen"
)

// Generator names, in table order.
const (
	genTpgen = "tpgen"
	genBase  = "tpgen-base" // tpgen built from -base
	genOapi  = "oapi-codegen"
	genOgen  = "ogen"
)

var defaultSpecs = "ogen-sample.json,spotify.yaml,slack.json,stripe.yaml,github.json"

func main() {
	if log := os.Getenv(toolexecEnv); log != "" {
		os.Exit(toolexecMain(log, os.Args[1:]))
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
}

// bench holds the settings of one run.
type bench struct {
	repo, corpus string
	tmp, binDir  string
	self         string // this executable, the -toolexec wrapper
	n            int
	timeout      time.Duration
	verbose      bool
	ogenInfer    bool
	base         string // -base: the revision tpgen-base is built from
	baseRepo     string // where its tree is unpacked
	start        time.Time
}

func run() error {
	var (
		specs   = flag.String("specs", defaultSpecs, "comma-separated base names of corpus documents")
		all     = flag.Bool("all", false, "use every document of the corpus")
		gens    = flag.String("gens", strings.Join([]string{genTpgen, genOapi, genOgen}, ","), "generators to run")
		n       = flag.Int("n", 3, "repetitions of each measurement (the median is reported)")
		jsonOut = flag.String("json", "", "also write the raw results to this file")
		corpus  = flag.String("corpus", "/work/shared/corpus", "corpus directory")
		repo    = flag.String("repo", "", "tpgen repository (default: found from the working directory)")
		timeout = flag.Duration("timeout", 20*time.Minute, "limit for any one command")
		keep    = flag.Bool("keep", false, "keep the temporary directory")
		verbose = flag.Bool("v", false, "print what each compile-only build compiled, and command output on failure")
		infer   = flag.Bool("ogen-infer-types", false, "run ogen with parser.infer_types (the baseline did not)")
		base    = flag.String("base", "", "also run tpgen built from this git revision of the repository (main, a commit), as tpgen-base")
	)
	flag.Parse()
	if *n < 1 {
		return errors.New("-n must be at least 1")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	b := &bench{corpus: *corpus, n: *n, timeout: *timeout, verbose: *verbose, ogenInfer: *infer, base: *base, start: time.Now()}
	var err error
	if b.repo, err = findRepo(*repo); err != nil {
		return err
	}
	if b.self, err = os.Executable(); err != nil {
		return err
	}
	files, err := b.selectSpecs(*specs, *all)
	if err != nil {
		return err
	}
	generators := strings.Split(*gens, ",")
	for _, g := range generators {
		if !slices.Contains([]string{genTpgen, genOapi, genOgen}, g) {
			return fmt.Errorf("-gens: unknown generator %q", g)
		}
	}
	if b.base != "" {
		// Right before tpgen, so that the two run as close together as the
		// table allows.
		i := max(slices.Index(generators, genTpgen), 0)
		generators = slices.Insert(generators, i, genBase)
	}
	if b.tmp, err = os.MkdirTemp("", "tpgen-peers-"); err != nil {
		return err
	}
	if *keep {
		b.progress("keeping %s", b.tmp)
	} else {
		defer os.RemoveAll(b.tmp)
	}
	b.binDir = filepath.Join(b.tmp, "bin")

	meta, err := b.install(ctx)
	if err != nil {
		return err
	}
	var results []*result
	for _, spec := range files {
		for _, g := range generators {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			results = append(results, b.measure(ctx, g, spec))
		}
	}
	meta.Seconds = time.Since(b.start).Seconds()
	ratios := computeRatios(results)
	report(os.Stdout, meta, results, ratios)
	if *jsonOut != "" {
		data, err := json.MarshalIndent(map[string]any{"meta": meta, "results": results, "ratios": ratios}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*jsonOut, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	b.progress("done in %s", time.Since(b.start).Round(time.Second))
	return nil
}

// findRepo returns dir, or the nearest directory above the working directory
// whose go.mod declares tpgen's module.
func findRepo(dir string) (string, error) {
	if dir != "" {
		return filepath.Abs(dir)
	}
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil &&
			strings.HasPrefix(strings.TrimSpace(string(data)), "module "+tpgenModule+"\n") {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("not inside the tpgen repository; use -repo")
		}
		d = parent
	}
}

func (b *bench) selectSpecs(list string, all bool) ([]string, error) {
	if all {
		var out []string
		for _, ext := range []string{"*.json", "*.yaml", "*.yml"} {
			m, err := filepath.Glob(filepath.Join(b.corpus, ext))
			if err != nil {
				return nil, err
			}
			out = append(out, m...)
		}
		slices.Sort(out)
		if len(out) == 0 {
			return nil, fmt.Errorf("no documents in %s", b.corpus)
		}
		return out, nil
	}
	var out []string
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		path := filepath.Join(b.corpus, name)
		if _, err := os.Stat(path); err != nil {
			return nil, err
		}
		out = append(out, path)
	}
	return out, nil
}

func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6s] %s\n", time.Since(b.start).Round(time.Second), fmt.Sprintf(format, args...))
}

// goEnv is the environment of every go command: the temporary modules may
// change their go.mod, ignore any go.work, and always use this toolchain.
func (b *bench) goEnv() []string {
	return []string{"GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local"}
}

// meta describes the run.
type meta struct {
	Date      string            `json:"date"`
	GoVersion string            `json:"go_version"`
	CPUs      int               `json:"cpus"`
	N         int               `json:"n"`
	Tpgen     string            `json:"tpgen"`          // commit of the tree tpgen was built from
	Base      string            `json:"base,omitempty"` // -base, and the commit it names
	Versions  map[string]string `json:"versions"`
	OgenInfer bool              `json:"ogen_infer_types"`
	Seconds   float64           `json:"seconds"`
}

// install puts oapi-codegen, ogen and tpgen into b.binDir.
func (b *bench) install(ctx context.Context) (*meta, error) {
	m := &meta{
		Date: time.Now().Format(time.RFC3339), GoVersion: runtime.Version(), CPUs: runtime.NumCPU(),
		N: b.n, OgenInfer: b.ogenInfer, Versions: map[string]string{},
	}
	env := append(b.goEnv(), "GOBIN="+b.binDir)
	for _, pkg := range []string{oapiCodegenPkg, ogenPkg} {
		b.progress("go install %s", pkg)
		// Run outside any module so that the install cannot touch one.
		if p := runProc(ctx, b.timeout, b.tmp, env, "go", "install", pkg); p.Err != nil {
			return nil, fmt.Errorf("go install %s: %s", pkg, errLine(p.Out, p.Err))
		}
	}
	b.progress("go build ./cmd/tpgen")
	if p := runProc(ctx, b.timeout, b.repo, b.goEnv(), "go", "build", "-o", b.bin(genTpgen), "./cmd/tpgen"); p.Err != nil {
		return nil, fmt.Errorf("building tpgen: %s", errLine(p.Out, p.Err))
	}
	versions := map[string]string{genTpgen: "version", genOapi: "-version", genOgen: "-version"}
	if b.base != "" {
		commit := runProc(ctx, b.timeout, b.repo, nil, "git", "rev-parse", "--short", b.base+"^{commit}")
		if commit.Err != nil {
			return nil, fmt.Errorf("-base %s: %s", b.base, errLine(commit.Out, commit.Err))
		}
		m.Base = b.base + " (" + strings.TrimSpace(commit.Out) + ")"
		b.progress("go build ./cmd/tpgen at %s", m.Base)
		if err := b.buildBase(ctx); err != nil {
			return nil, err
		}
		versions[genBase] = "version"
	}
	for name, arg := range versions {
		p := runProc(ctx, b.timeout, b.tmp, nil, b.bin(name), arg)
		m.Versions[name] = strings.Join(strings.Fields(p.Out), " ")
	}
	commit := runProc(ctx, b.timeout, b.repo, nil, "git", "rev-parse", "--short", "HEAD")
	dirty := runProc(ctx, b.timeout, b.repo, nil, "git", "status", "--porcelain", "--untracked-files=no")
	m.Tpgen = strings.TrimSpace(commit.Out)
	if strings.TrimSpace(dirty.Out) != "" {
		m.Tpgen += " + uncommitted changes"
	}
	return m, nil
}

func (b *bench) bin(name string) string { return filepath.Join(b.binDir, name) }

// buildBase unpacks revision b.base of the repository (git archive: the
// repository and its work trees are only read) and builds tpgen-base there.
func (b *bench) buildBase(ctx context.Context) error {
	b.baseRepo = filepath.Join(b.tmp, "base")
	if err := os.MkdirAll(b.baseRepo, 0o755); err != nil {
		return err
	}
	tarFile := filepath.Join(b.tmp, "base.tar")
	if p := runProc(ctx, b.timeout, b.repo, nil, "git", "archive", "--format=tar", "-o", tarFile, b.base); p.Err != nil {
		return fmt.Errorf("git archive %s: %s", b.base, errLine(p.Out, p.Err))
	}
	if p := runProc(ctx, b.timeout, b.baseRepo, nil, "tar", "-xf", tarFile); p.Err != nil {
		return fmt.Errorf("unpacking %s: %s", b.base, errLine(p.Out, p.Err))
	}
	if p := runProc(ctx, b.timeout, b.baseRepo, b.goEnv(), "go", "build", "-o", b.bin(genBase), "./cmd/tpgen"); p.Err != nil {
		return fmt.Errorf("building tpgen at %s: %s", b.base, errLine(p.Out, p.Err))
	}
	return nil
}

// genRun is one run of a generator.
type genRun struct {
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds"`
	MaxRSSKB   int64   `json:"maxrss_kb"`
	Variant    string  `json:"variant"`
	Err        string  `json:"error,omitempty"`
}

// result is what was measured for one generator on one spec.
type result struct {
	Spec       string `json:"spec"`
	Generator  string `json:"generator"`
	ImportPath string `json:"import_path"`
	Variant    string `json:"variant"` // generator settings used for the reported numbers

	GenOK   bool     `json:"gen_ok"`
	GenRuns []genRun `json:"gen_runs"`
	GenS    float64  `json:"gen_s"`  // median over GenRuns of Variant (or the failed run)
	GenMB   float64  `json:"gen_mb"` // median peak RSS
	Files   int      `json:"files"`
	Lines   int      `json:"lines"`

	Deps map[string]string `json:"deps,omitempty"` // direct requirements of the temporary module after tidy

	BuildOK   bool         `json:"build_ok"`
	BuildRuns []compileRun `json:"build_runs,omitempty"`
	BuildS    float64      `json:"build_s"`  // median wall time of the generated packages' compile processes, summed
	BuildMB   float64      `json:"build_mb"` // median of the largest peak RSS among them

	Vet  string `json:"vet"` // "ok", "fail", or "" when not run
	Note string `json:"note,omitempty"`
}

// caseDir is the temporary module of one generator and spec.
type caseDir struct {
	spec, pkg, modDir, pkgDir, importPath string
}

// measure generates, builds and vets one spec with one generator.
func (b *bench) measure(ctx context.Context, gen, spec string) *result {
	base := filepath.Base(spec)
	pkg := packageName(base)
	c := caseDir{
		spec:       spec,
		pkg:        pkg,
		modDir:     filepath.Join(b.tmp, "work", gen+"-"+pkg),
		importPath: "bench.local/" + gen + "/" + pkg,
	}
	c.pkgDir = filepath.Join(c.modDir, pkg)
	r := &result{Spec: base, Generator: gen, ImportPath: c.importPath}
	var notes []string
	note := func(s string) { notes = append(notes, s) }
	defer func() {
		// Error texts name the spec by its absolute path; the spec column says it.
		r.Note = strings.ReplaceAll(strings.Join(notes, "; "), b.corpus+string(filepath.Separator), "")
	}()

	if err := b.writeGoMod(gen, c); err != nil {
		note(err.Error())
		return r
	}

	// Generation. oapi-codegen has a fallback variant for the name
	// collisions its default settings refuse; the first variant that works
	// is repeated.
	variants := []string{"default"}
	switch gen {
	case genOapi:
		variants = append(variants, "resolve-type-name-collisions")
	case genOgen:
		variants = []string{"client-only"}
		if b.ogenInfer {
			variants = []string{"client-only+infer_types"}
		}
	}
	var firstErr string
	for _, v := range variants {
		r.Variant = v
		ok := true
		for i := 0; i < b.n && ok; i++ {
			if err := os.RemoveAll(c.pkgDir); err != nil {
				note(err.Error())
				return r
			}
			p := b.generate(ctx, gen, v, c)
			run := genRun{Seconds: p.Wall.Seconds(), CPUSeconds: p.CPU.Seconds(), MaxRSSKB: p.MaxRSSKB, Variant: v}
			if p.Err != nil {
				run.Err = errLine(p.Out, p.Err)
				ok = false
				if b.verbose {
					lines := messageLines(p.Out)
					b.progress("%s %s failed:\n\t%s", gen, base, strings.Join(lines[:min(len(lines), 12)], "\n\t"))
				}
			}
			r.GenRuns = append(r.GenRuns, run)
			b.progress("%-12s %-26s gen %d/%d %-28s %6.2fs %5.0f MB %s", gen, base, i+1, b.n, v,
				run.Seconds, kbToMB(run.MaxRSSKB), cmp.Or(run.Err, "ok"))
		}
		if ok {
			r.GenOK = true
			break
		}
		if firstErr == "" {
			firstErr = r.GenRuns[len(r.GenRuns)-1].Err
		}
	}
	if !r.GenOK {
		// Report the first variant's failure; mention the fallback's.
		r.Variant = variants[0]
		first := r.GenRuns[0]
		r.GenS, r.GenMB = first.Seconds, kbToMB(first.MaxRSSKB)
		note("generation: " + firstErr)
		if len(variants) > 1 {
			if last := r.GenRuns[len(r.GenRuns)-1].Err; last == firstErr {
				note(variants[1] + " failed the same way")
			} else {
				note(variants[1] + " also failed: " + last)
			}
		}
		return r
	}
	var secs, kbs []float64
	for _, run := range r.GenRuns {
		if run.Variant == r.Variant {
			secs = append(secs, run.Seconds)
			kbs = append(kbs, float64(run.MaxRSSKB))
		}
	}
	r.GenS, r.GenMB = median(secs), kbToMB(int64(median(kbs)))
	if r.Variant != variants[0] {
		note(fmt.Sprintf("used %s (default failed: %s)", r.Variant, firstErr))
	}
	var err error
	if r.Files, r.Lines, err = countLines(c.pkgDir); err != nil {
		note(err.Error())
		return r
	}

	// Dependencies: tidy resolves the runtime libraries the output imports.
	if p := runProc(ctx, b.timeout, c.modDir, b.goEnv(), "go", "mod", "tidy"); p.Err != nil {
		note("go mod tidy: " + errLine(p.Out, p.Err))
		return r
	}
	r.Deps = directRequires(filepath.Join(c.modDir, "go.mod"))

	// Warm-up build: compiles the dependencies into the build cache (and
	// the package once).
	warm := runProc(ctx, b.timeout, c.modDir, b.goEnv(), "go", "build", "./...")
	b.progress("%-12s %-26s warm-up build %.1fs %s", gen, base, warm.Wall.Seconds(), okOr(warm.Err))
	reps := b.n
	if warm.Err != nil {
		// A package that does not compile is timed once, for the record.
		reps = 1
	}
	var bs, bkb []float64
	for i := range reps {
		nonce := fmt.Sprintf("%d-%d", time.Now().UnixNano(), i)
		cr, err := b.measureCompile(ctx, c.modDir, c.importPath, nonce)
		if err != nil {
			note("build measurement: " + err.Error())
			return r
		}
		r.BuildRuns = append(r.BuildRuns, cr)
		b.progress("%-12s %-26s compile %d/%d %6.2fs %5.0f MB (%d package(s); go build %.2fs) %s", gen, base, i+1, reps,
			cr.Compile.Seconds, kbToMB(cr.Compile.MaxRSSKB), len(cr.Packages), cr.GoBuildS, cmp.Or(cr.Err, "ok"))
		if b.verbose {
			b.progress("  compiled: %s", cr.Verified)
		}
		if len(cr.Extra) > 0 {
			// Only if a dependency changed during the run (tpgen's runtime
			// is the working tree, which others may be editing).
			var extra []string
			for _, x := range cr.Extra {
				extra = append(extra, strings.TrimSpace(x.Tool+" "+x.Pkg))
			}
			note(fmt.Sprintf("compile-only build %d also ran %s (a dependency changed during the run)", i+1, strings.Join(extra, ", ")))
		}
		bs = append(bs, cr.Compile.Seconds)
		bkb = append(bkb, float64(cr.Compile.MaxRSSKB))
	}
	r.BuildS, r.BuildMB = median(bs), kbToMB(int64(median(bkb)))
	if warm.Err != nil || r.BuildRuns[0].Err != "" {
		note("build: " + cmp.Or(r.BuildRuns[0].Err, errLine(warm.Out, warm.Err)))
		return r
	}
	r.BuildOK = true

	vet := runProc(ctx, b.timeout, c.modDir, b.goEnv(), "go", "vet", "./...")
	b.progress("%-12s %-26s vet %.1fs %s", gen, base, vet.Wall.Seconds(), okOr(vet.Err))
	r.Vet = "ok"
	if vet.Err != nil {
		r.Vet = "fail"
		note("vet: " + errLine(vet.Out, vet.Err))
	}
	return r
}

// writeGoMod starts the temporary module. tpgen's output uses the runtime of
// this tree; ogen's output gets the runtime of the generator's own version
// (tidy would otherwise pick the newest); oapi-codegen's runtime module is
// not tied to the generator's version, so tidy picks it.
func (b *bench) writeGoMod(gen string, c caseDir) error {
	if err := os.MkdirAll(c.modDir, 0o755); err != nil {
		return err
	}
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	if major, rest, ok := strings.Cut(goVersion, "."); ok {
		minor, _, _ := strings.Cut(rest, ".")
		goVersion = major + "." + minor
	}
	mod := fmt.Sprintf("module bench.local/%s\n\ngo %s\n", gen, goVersion)
	switch gen {
	case genTpgen:
		mod += fmt.Sprintf("\nrequire %s v0.0.0\n\nreplace %s => %s\n", tpgenModule, tpgenModule, b.repo)
	case genBase:
		mod += fmt.Sprintf("\nrequire %s v0.0.0\n\nreplace %s => %s\n", tpgenModule, tpgenModule, b.baseRepo)
	case genOgen:
		mod += "\nrequire " + ogenModule + "\n"
	}
	return os.WriteFile(filepath.Join(c.modDir, "go.mod"), []byte(mod), 0o644)
}

// generate runs one generator once into c.pkgDir.
func (b *bench) generate(ctx context.Context, gen, variant string, c caseDir) proc {
	switch gen {
	case genTpgen, genBase:
		return runProc(ctx, b.timeout, c.modDir, nil, b.bin(gen),
			"-spec", c.spec, "-package", c.pkg, "-out", c.pkgDir)
	case genOapi:
		cfg := fmt.Sprintf("package: %s\noutput: %s\ngenerate:\n  models: true\n  client: true\n",
			c.pkg, filepath.Join(c.pkgDir, "client.gen.go"))
		if variant == "resolve-type-name-collisions" {
			cfg += "output-options:\n  resolve-type-name-collisions: true\n"
		}
		cfgPath := filepath.Join(c.modDir, "oapi-codegen.yaml")
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
			return proc{Err: err}
		}
		if err := os.MkdirAll(c.pkgDir, 0o755); err != nil {
			return proc{Err: err}
		}
		return runProc(ctx, b.timeout, c.modDir, nil, b.bin(gen), "-config", cfgPath, c.spec)
	case genOgen:
		cfg := "generator:\n  features:\n    disable_all: true\n    enable: [paths/client]\n"
		if b.ogenInfer {
			cfg += "parser:\n  infer_types: true\n"
		}
		cfgPath := filepath.Join(c.modDir, "ogen.yml")
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
			return proc{Err: err}
		}
		return runProc(ctx, b.timeout, c.modDir, nil, b.bin(gen),
			"-config", cfgPath, "-target", c.pkgDir, "-package", c.pkg, "-clean", c.spec)
	}
	return proc{Err: fmt.Errorf("unknown generator %q", gen)}
}

// packageName makes a Go package name of a file's base name, as the
// baseline did: "ogen-sample.json" -> "ogensample".
func packageName(base string) string {
	base = strings.TrimSuffix(base, filepath.Ext(base))
	var sb strings.Builder
	for _, r := range strings.ToLower(base) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			sb.WriteRune(r)
		}
	}
	name := sb.String()
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "p" + name
	}
	return name
}

// countLines counts the .go files under dir (subpackages included, such as
// tpgen's model package) and their newlines (`cat $(find dir -name '*.go') | wc -l`).
func countLines(dir string) (files, lines int, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		lines += strings.Count(string(data), "\n")
		return nil
	})
	return files, lines, err
}

// directRequires reads the direct requirements of a go.mod (path -> version).
func directRequires(gomod string) map[string]string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for line := range strings.Lines(string(data)) {
		if strings.Contains(line, "// indirect") {
			continue
		}
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) == 2 && strings.Contains(f[0], ".") && strings.HasPrefix(f[1], "v") {
			out[f[0]] = f[1]
		}
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func kbToMB(kb int64) float64 { return float64(kb) / 1024 }

func okOr(err error) string {
	if err != nil {
		return "FAILED"
	}
	return "ok"
}

// ratio is one of the figures the project tracks.
type ratio struct {
	Name    string   `json:"name"`
	Formula string   `json:"formula"`
	Value   *float64 `json:"value,omitempty"` // nil when it cannot be computed in this run
	Text    string   `json:"text"`            // the formula with the run's numbers
}

func find(results []*result, spec, gen string) *result {
	for _, r := range results {
		if r.Spec == spec && r.Generator == gen {
			return r
		}
	}
	return nil
}

func computeRatios(results []*result) []ratio {
	var out []ratio
	na := func(name, formula, why string) {
		out = append(out, ratio{Name: name, Formula: formula, Text: "n/a: " + why})
	}
	val := func(name, formula, text string, v float64) {
		out = append(out, ratio{Name: name, Formula: formula, Text: text, Value: &v})
	}

	// 1. stripe generation time against the faster peer that generates it.
	{
		name := "stripe_gen_vs_fastest_peer"
		formula := "gen_s(tpgen, stripe.yaml) / min over peers p that generate stripe.yaml of gen_s(p, stripe.yaml)"
		t := find(results, "stripe.yaml", genTpgen)
		var best *result
		for _, g := range []string{genOapi, genOgen} {
			if p := find(results, "stripe.yaml", g); p != nil && p.GenOK && (best == nil || p.GenS < best.GenS) {
				best = p
			}
		}
		switch {
		case t == nil:
			na(name, formula, "stripe.yaml with tpgen not in this run")
		case !t.GenOK:
			na(name, formula, "tpgen did not generate stripe.yaml")
		case best == nil:
			na(name, formula, "no peer generated stripe.yaml in this run")
		default:
			val(name, formula, fmt.Sprintf("%.2f s / %.2f s (%s) = %.2f", t.GenS, best.GenS, best.Generator, t.GenS/best.GenS), t.GenS/best.GenS)
		}
	}

	// 2. github generation time, absolute.
	{
		name := "github_gen_s"
		formula := "gen_s(tpgen, github.json)"
		if t := find(results, "github.json", genTpgen); t == nil {
			na(name, formula, "github.json with tpgen not in this run")
		} else if !t.GenOK {
			na(name, formula, "tpgen did not generate github.json")
		} else {
			val(name, formula, fmt.Sprintf("%.2f s", t.GenS), t.GenS)
		}
	}

	// 2b. github generation against tpgen-base (-base), time and memory.
	{
		t, base := find(results, "github.json", genTpgen), find(results, "github.json", genBase)
		for _, m := range []struct{ name, what string }{{"github_gen_s_vs_base", "gen_s"}, {"github_gen_mb_vs_base", "gen_mb"}} {
			formula := fmt.Sprintf("%s(tpgen, github.json) / %s(tpgen-base, github.json)", m.what, m.what)
			switch {
			case base == nil:
				continue // no -base
			case t == nil:
				na(m.name, formula, "github.json with tpgen not in this run")
			case !t.GenOK || !base.GenOK:
				na(m.name, formula, fmt.Sprintf("generation failed (tpgen ok=%v, tpgen-base ok=%v)", t.GenOK, base.GenOK))
			default:
				a, bv, format := t.GenS, base.GenS, "%.2f s / %.2f s"
				if m.what == "gen_mb" {
					a, bv, format = t.GenMB, base.GenMB, "%.0f MB / %.0f MB"
				}
				val(m.name, formula, fmt.Sprintf(format+" = %.2f", a, bv, a/bv), a/bv)
			}
		}
	}

	// 3. tpgen's github compile against ogen's biggest compiling client.
	{
		var big *result
		for _, r := range results {
			if r.Generator == genOgen && r.BuildOK && (big == nil || r.Lines > big.Lines) {
				big = r
			}
		}
		t := find(results, "github.json", genTpgen)
		for _, m := range []struct{ name, what string }{{"github_compile_s_vs_ogen", "build_s"}, {"github_compile_mb_vs_ogen", "build_mb"}} {
			formula := fmt.Sprintf("%s(tpgen, github.json) / %s(ogen, S), S = the spec with the most ogen lines among those whose ogen client compiles", m.what, m.what)
			switch {
			case t == nil:
				na(m.name, formula, "github.json with tpgen not in this run")
			case !t.BuildOK:
				na(m.name, formula, "tpgen's github.json client did not compile")
			case big == nil:
				na(m.name, formula, "no ogen client compiled in this run")
			default:
				a, b, format := t.BuildS, big.BuildS, "%.2f s / %.2f s"
				if m.what == "build_mb" {
					a, b, format = t.BuildMB, big.BuildMB, "%.0f MB / %.0f MB"
				}
				val(m.name, formula, fmt.Sprintf(format+" (ogen, %s, %d lines) = %.2f", a, b, big.Spec, big.Lines, a/b), a/b)
			}
		}
	}

	// 4. generated lines against ogen, per spec.
	var specs []string
	for _, r := range results {
		if !slices.Contains(specs, r.Spec) {
			specs = append(specs, r.Spec)
		}
	}
	for _, s := range specs {
		name := "lines_vs_ogen/" + s
		formula := "lines(tpgen, " + s + ") / lines(ogen, " + s + ")"
		t, o := find(results, s, genTpgen), find(results, s, genOgen)
		switch {
		case t == nil || o == nil:
			na(name, formula, "not both generators in this run")
		case !t.GenOK || !o.GenOK:
			na(name, formula, fmt.Sprintf("generation failed (tpgen ok=%v, ogen ok=%v)", t.GenOK, o.GenOK))
		default:
			v := float64(t.Lines) / float64(o.Lines)
			val(name, formula, fmt.Sprintf("%d / %d = %.2f", t.Lines, o.Lines, v), v)
		}
	}
	return out
}

// report prints the Markdown report.
func report(w io.Writer, m *meta, results []*result, ratios []ratio) {
	fmt.Fprintf(w, "## tpgen vs oapi-codegen and ogen\n\n")
	fmt.Fprintf(w, "%s · %s · %d CPUs · median of n=%d · tpgen %s\n\n", m.Date, m.GoVersion, m.CPUs, m.N, m.Tpgen)
	for _, g := range []string{genTpgen, genOapi, genOgen} {
		fmt.Fprintf(w, "- %s: `%s`\n", g, m.Versions[g])
	}
	if m.Base != "" {
		fmt.Fprintf(w, "- %s: built from %s: `%s`\n", genBase, m.Base, m.Versions[genBase])
	}
	ogenCfg := "client only (features: disable_all, enable paths/client)"
	if m.OgenInfer {
		ogenCfg += ", infer_types"
	}
	fmt.Fprintf(w, "- settings: oapi-codegen models+client, one file (fallback: resolve-type-name-collisions); ogen %s\n", ogenCfg)
	fmt.Fprintf(w, "- gen: generator process, wall time and peak RSS. build: the compiler processes of the generated packages only (dependencies cached): wall times summed (tpgen's client and its model package compile one after the other), largest peak RSS. lines: newlines in the generated .go files.\n\n")

	fmt.Fprintln(w, "| spec | generator | gen s | gen MB | lines | build s | build MB | vet | note |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---|---|")
	for _, r := range results {
		gen := fmt.Sprintf("%.2f", r.GenS)
		lines, build, buildMB, vet := "—", "—", "—", cmp.Or(r.Vet, "—")
		if !r.GenOK {
			gen = "❌ " + gen
		} else {
			lines = fmt.Sprintf("%d", r.Lines)
		}
		if len(r.BuildRuns) > 0 {
			build, buildMB = fmt.Sprintf("%.2f", r.BuildS), fmt.Sprintf("%.0f", r.BuildMB)
			if !r.BuildOK {
				build = "❌ " + build
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s |\n",
			r.Spec, r.Generator, gen, r.GenMB, lines, build, buildMB, vet, cell(r.Note, 220))
	}

	fmt.Fprintf(w, "\n### Ratios\n\n")
	for _, r := range ratios {
		if strings.HasPrefix(r.Name, "lines_vs_ogen/") {
			continue
		}
		fmt.Fprintf(w, "- **%s** = `%s`\n  = %s\n", r.Name, r.Formula, r.Text)
	}
	fmt.Fprintf(w, "\nGenerated lines, `lines(tpgen, spec) / lines(ogen, spec)`:\n\n| spec | tpgen/ogen |\n|---|---|\n")
	for _, r := range ratios {
		if spec, ok := strings.CutPrefix(r.Name, "lines_vs_ogen/"); ok {
			fmt.Fprintf(w, "| %s | %s |\n", spec, r.Text)
		}
	}
	fmt.Fprintf(w, "\nRun took %s.\n", time.Duration(m.Seconds*float64(time.Second)).Round(time.Second))
}

// cell makes s safe for a Markdown table cell and at most max runes long.
func cell(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}
