package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/generator/config"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// generate is the generator, a variable so that tests can count what it is
// asked to generate (a no-op run asks for nothing).
var generate = generator.GenerateEach

// flags are the command line of a generating run (and of tpgen outputs,
// which takes the same).
type flags struct {
	configs, services               stringList
	check, verbose, followLinks     bool
	lenient                         bool
	spec, pkg, out, importPath      string
	baseURL, grant, models, refRoot string
	base                            string // tpgen outputs: what the paths printed are relative to
}

const usage = `usage:
  tpgen -config services.yaml [-config ...] [-service NAME ...] [-out DIR] [-import-path PATH] [-follow-links] [-check] [-v]
  tpgen -spec openapi.yaml -package NAME -out DIR [-base-url URL] [-grant GRANT] [-models all] [-ref-root DIR] [-lenient] [-import-path PATH] [-follow-links] [-check] [-v]
  tpgen outputs (-config ... | -spec ...) [same flags] [-base DIR]
                         print the files a run writes, without generating
  tpgen init [FILE]      write a commented starter services.yaml (default ./services.yaml)
  tpgen schema           print the JSON Schema of services.yaml
  tpgen version

flags:
`

// parseFlags parses a generating run's flags (outputs: tpgen outputs').
func parseFlags(name string, args []string, stderr io.Writer, outputs bool) (*flags, int, bool) {
	f := &flags{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&f.configs, "config", "services.yaml to generate from; repeatable, and a glob ('services/*.yaml') names every file it matches")
	fs.Var(&f.services, "service", "generate only this service (repeatable; one -config only)")
	if !outputs {
		fs.BoolVar(&f.check, "check", false, "write nothing; list the files that differ from what would be generated, print the change as a unified diff, and exit 1 if any")
		fs.BoolVar(&f.verbose, "v", false, "print what was generated or found up to date, timings, and what could not be typed exactly")
	} else {
		fs.StringVar(&f.base, "base", "", "print paths relative to this directory (default: as tpgen names them, relative to the working directory)")
	}
	fs.StringVar(&f.spec, "spec", "", "single-spec mode: the OpenAPI document")
	fs.StringVar(&f.pkg, "package", "", "single-spec mode: the Go package name (and service name)")
	fs.StringVar(&f.out, "out", "", "the output directory: single-spec mode's package directory, or instead of services.yaml's output (one -config only)")
	fs.StringVar(&f.importPath, "import-path", "", "the import path of the -out directory (or services.yaml's output) instead of the one derived from the go.mod above it")
	fs.StringVar(&f.baseURL, "base-url", "", "single-spec mode: base URL (default: the spec's first server)")
	fs.StringVar(&f.grant, "grant", "", "single-spec mode: grant (none, client_credentials, token_exchange, passthrough, auto)")
	fs.StringVar(&f.models, "models", "", "single-spec mode: which component schemas become types: used (default; those the operations use) or all")
	fs.BoolVar(&f.followLinks, "follow-links", false, "let $refs read through symbolic links that lead out of the ref root (for build systems that lay inputs out as links, such as Bazel's sandbox); paths are still confined to the ref root as written")
	fs.BoolVar(&f.lenient, "lenient", false, "single-spec mode: generate from a broken spec, repairing dangling schema $refs, undeclared path variables and components of the wrong kind, with a warning each")
	fs.StringVar(&f.refRoot, "ref-root", "", "single-spec mode: the directory tree the spec's $refs may read files in (default: the spec's directory); it must hold the spec")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, exitOK, false
		}
		return nil, exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tpgen: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return nil, exitUsage, false
	}
	if len(f.configs) == 0 && f.spec == "" {
		fs.Usage()
		return nil, exitUsage, false
	}
	return f, 0, true
}

// units turns the flags into the configurations to generate, or says what is
// wrong with them (exit status exitUsage or exitFail).
func (f *flags) units(stderr io.Writer) ([]*unit, int) {
	usageErr := func(msg string) ([]*unit, int) {
		fmt.Fprintln(stderr, "tpgen: "+msg)
		return nil, exitUsage
	}
	if f.importPath != "" && !validImportPath(f.importPath) {
		return usageErr(fmt.Sprintf("-import-path %q is not an import path (example.com/repo/gen: slash-separated, no spaces, quotes or backslashes)", f.importPath))
	}
	switch {
	case len(f.configs) > 0 && f.spec != "":
		return usageErr("-config and -spec cannot be used together")
	case len(f.configs) > 0:
		if f.pkg != "" || f.baseURL != "" || f.grant != "" || f.models != "" || f.refRoot != "" || f.lenient {
			return usageErr("-package, -base-url, -grant, -models, -ref-root and -lenient belong to single-spec mode (-spec); with -config, set them in services.yaml")
		}
		files, err := expandConfigs(f.configs)
		if err != nil {
			printErr(stderr, err)
			return nil, exitFail
		}
		if len(files) > 1 {
			switch {
			case len(f.services) > 0:
				return usageErr("-service selects services of one -config file; " + fmt.Sprint(len(files)) + " are named")
			case f.out != "" || f.importPath != "":
				return usageErr("-out and -import-path replace the output of one -config file; " + fmt.Sprint(len(files)) + " are named")
			}
		}
		var (
			units []*unit
			errs  []error
		)
		for _, file := range files {
			u, err := fromConfig(file, f.services, f.out, f.importPath)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			units = append(units, u)
		}
		if len(errs) > 0 {
			printErr(stderr, errors.Join(errs...))
			return nil, exitFail
		}
		for _, u := range units {
			u.multi = len(units) > 1
			f.apply(u)
		}
		return units, 0
	default:
		if f.pkg == "" || f.out == "" {
			return usageErr("single-spec mode needs -package and -out")
		}
		if len(f.services) > 0 {
			return usageErr("-service selects services of a -config file")
		}
		if msg := checkSpecFlags(f.pkg, f.grant, f.models, f.baseURL); msg != "" {
			return usageErr(msg)
		}
		svcs, err := fromSpec(f.spec, f.pkg, f.out, f.baseURL, f.grant, f.refRoot, f.importPath, f.models == config.ModelsAll)
		if err != nil {
			printErr(stderr, err)
			return nil, exitFail
		}
		for _, s := range svcs {
			s.Lenient = f.lenient
		}
		u := &unit{name: f.spec, tgt: target{root: f.out, identity: singleSpec}, svcs: svcs}
		f.apply(u)
		return []*unit{u}, 0
	}
}

// apply sets what the flags say of every service of u.
func (f *flags) apply(u *unit) {
	for _, svc := range u.svcs {
		svc.FollowLinks = f.followLinks
	}
}

func runGenerate(args []string, stdout, stderr io.Writer) int {
	f, code, ok := parseFlags("tpgen", args, stderr, false)
	if !ok {
		return code
	}
	units, code := f.units(stderr)
	if units == nil {
		return code
	}
	return generateUnits(units, f.check, f.verbose, stdout, stderr)
}

// generateUnits generates the services of every configuration that are not
// up to date (all of them with -check), in one pool, and then writes (or
// compares) each configuration's output. Nothing is written unless every
// service of every configuration was generated.
func generateUnits(units []*unit, check, verbose bool, stdout, stderr io.Writer) int {
	start := time.Now()
	if err := checkOverlaps(units); err != nil {
		printErr(stderr, err)
		return exitFail
	}
	todo, ownerOf, total, err := staleServices(units, check, verbose, stderr)
	if err != nil {
		printErr(stderr, err)
		return exitFail
	}
	results := generate(todo)
	failed := false
	for i, r := range results {
		if r.Err != nil {
			printErr(stderr, ownerOf[i].wrap(r.Err, len(units) > 1))
			failed = true
		}
	}
	if failed {
		return exitFail
	}
	written := 0
	for i, r := range results {
		u, svc := ownerOf[i], todo[i]
		for _, a := range r.Alerts {
			fmt.Fprintf(stderr, "tpgen: warning: %s: %s\n", u.svcName(svc), a)
		}
		u.generated = append(u.generated, generated{svc: svc, result: r})
		written += len(r.Files)
	}
	if verbose {
		reportResults(stderr, results, todo, ownerOf)
	}
	plans := make([]*plan, len(units))
	for i, u := range units {
		p, err := u.plan()
		if err != nil {
			printErr(stderr, err)
			return exitFail
		}
		plans[i] = p
	}
	if check {
		return checkPlans(plans, stdout, stderr)
	}
	if err := writePlans(units, plans, stderr); err != nil {
		printErr(stderr, err)
		return exitFail
	}
	if verbose {
		if kept := total - len(todo); kept > 0 {
			fmt.Fprintf(stderr, "tpgen: %d of %d packages up to date, not generated\n", kept, total)
		}
		fmt.Fprintf(stderr, "tpgen: wrote %d files in %v\n", written, time.Since(start).Round(time.Millisecond))
	}
	return exitOK
}

// staleServices are the services of units to generate, each with the unit
// it belongs to, and how many services the units have: with check all of
// them, else those the manifest does not show up to date (which each unit
// keeps, u.kept). With verbose, stderr hears why each is (not) generated.
func staleServices(units []*unit, check, verbose bool, stderr io.Writer) (todo []*generator.Job, ownerOf []*unit, total int, err error) {
	for _, u := range units {
		u.kept = map[string]*mpackage{}
		var old *section
		if !check {
			m, err := loadManifest(u.tgt.root)
			if err != nil {
				return nil, nil, 0, err
			}
			old = m.section(u.tgt.identity)
		}
		for _, svc := range u.svcs {
			total++
			if old != nil {
				dir, err := relSlash(u.tgt.root, svc.OutDir)
				if err != nil {
					return nil, nil, 0, err
				}
				ok, why := upToDate(svc, u.tgt.root, old.pkg(dir))
				if ok {
					u.kept[dir] = old.pkg(dir)
					if verbose {
						fmt.Fprintf(stderr, "tpgen: %s: up to date, not generated (spec, files it refers to, settings and tpgen unchanged)\n", u.svcName(svc))
					}
					continue
				}
				if verbose && old.pkg(dir) != nil {
					fmt.Fprintf(stderr, "tpgen: %s: generating: %s\n", u.svcName(svc), why)
				}
			}
			todo = append(todo, svc)
			ownerOf = append(ownerOf, u)
		}
	}
	return todo, ownerOf, total, nil
}

// reportResults is -v's account of each service generated: its size and
// timings, the schemas left out, then the notes.
func reportResults(stderr io.Writer, results []generator.JobResult, todo []*generator.Job, ownerOf []*unit) {
	for i, r := range results {
		u, st := ownerOf[i], r.Stats
		name := u.svcName(todo[i])
		fmt.Fprintf(stderr, "tpgen: %s: %d operations, %d types, %d lines (load %v, model %v, emit %v)\n",
			name, st.Operations, st.Types, st.Lines, st.Load.Round(time.Millisecond), st.Build.Round(time.Millisecond), st.Emit.Round(time.Millisecond))
		if st.Unused > 0 {
			fmt.Fprintf(stderr, "tpgen: %s: %d component schemas left out: nothing generated needs them as a Go type (models: all keeps them)\n", name, st.Unused)
		}
	}
	for i, r := range results {
		for _, w := range r.Warnings {
			fmt.Fprintf(stderr, "tpgen: note: %s: %s\n", ownerOf[i].svcName(todo[i]), w)
		}
	}
}

// checkPlans is -check: what differs, one line each, to stderr; the change
// itself, as a unified diff, to stdout; exitFail when anything differs.
func checkPlans(plans []*plan, stdout, stderr io.Writer) int {
	n := 0
	for _, p := range plans {
		for _, d := range p.differences() {
			fmt.Fprintf(stderr, "tpgen: out of date: %s\n", d)
			d.printDiff(stdout, stderr)
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(stderr, "tpgen: %d generated file(s) are out of date; run tpgen without -check\n", n)
		return exitFail
	}
	return exitOK
}

// writePlans writes each unit's plan. Configurations that share an output
// root share its manifest: each is planned again after the one before it
// wrote there.
func writePlans(units []*unit, plans []*plan, stderr io.Writer) error {
	wrote := map[string]bool{}
	for i, u := range units {
		root, _ := filepath.Abs(u.tgt.root)
		p := plans[i]
		if wrote[root] {
			var err error
			if p, err = u.plan(); err != nil {
				return err
			}
		}
		if err := p.write(stderr); err != nil {
			return err
		}
		wrote[root] = true
	}
	return nil
}

// validImportPath reports whether p can be a Go import path as generated
// code writes it: clean, slash-separated, relative, of printable ASCII
// without spaces, quotes or backslashes.
func validImportPath(p string) bool {
	if p == "" || path.Clean(p) != p || strings.HasPrefix(p, "/") || strings.HasPrefix(p, ".") {
		return false
	}
	for _, r := range p {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune("\"'`\\:;", r) {
			return false
		}
	}
	return true
}

// printErr prints err; joined errors (errors.Join, config.Errors) already
// put one problem on each line.
func printErr(w io.Writer, err error) {
	fmt.Fprintln(w, strings.TrimRight(err.Error(), "\n"))
}
