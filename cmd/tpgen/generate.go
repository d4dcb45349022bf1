package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/generator/config"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tpgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		configPath = fs.String("config", "", "services.yaml to generate from")
		services   stringList
		check      = fs.Bool("check", false, "write nothing; list the files that differ from what would be generated and exit 1 if any")
		verbose    = fs.Bool("v", false, "print what was generated, timings, and what could not be typed exactly")
		specPath   = fs.String("spec", "", "single-spec mode: the OpenAPI document")
		pkgName    = fs.String("package", "", "single-spec mode: the Go package name (and service name)")
		outDir     = fs.String("out", "", "single-spec mode: the output directory")
		baseURL    = fs.String("base-url", "", "single-spec mode: base URL (default: the spec's first server)")
		grant      = fs.String("grant", "", "single-spec mode: grant (none, client_credentials, token_exchange, passthrough, auto)")
		models     = fs.String("models", "", "single-spec mode: which component schemas become types: used (default; those the operations use) or all")
		refRoot    = fs.String("ref-root", "", "single-spec mode: the directory tree the spec's $refs may read files in (default: the spec's directory); it must hold the spec")
	)
	fs.Var(&services, "service", "generate only this service (repeatable)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage:
  tpgen -config services.yaml [-service NAME ...] [-check] [-v]
  tpgen -spec openapi.yaml -package NAME -out DIR [-base-url URL] [-grant GRANT] [-models all] [-ref-root DIR] [-check] [-v]
  tpgen init [FILE]      write a commented starter services.yaml (default ./services.yaml)
  tpgen schema           print the JSON Schema of services.yaml
  tpgen version

flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tpgen: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return exitUsage
	}
	var (
		svcs []*generator.Service
		err  error
	)
	switch {
	case *configPath != "" && *specPath != "":
		fmt.Fprintln(stderr, "tpgen: -config and -spec cannot be used together")
		return exitUsage
	case *configPath != "":
		if *pkgName != "" || *outDir != "" || *baseURL != "" || *grant != "" || *models != "" || *refRoot != "" {
			fmt.Fprintln(stderr, "tpgen: -package, -out, -base-url, -grant, -models and -ref-root belong to single-spec mode (-spec); with -config, set them in services.yaml")
			return exitUsage
		}
		svcs, err = fromConfig(*configPath, services)
	case *specPath != "":
		if *pkgName == "" || *outDir == "" {
			fmt.Fprintln(stderr, "tpgen: single-spec mode needs -package and -out")
			return exitUsage
		}
		if len(services) > 0 {
			fmt.Fprintln(stderr, "tpgen: -service selects services of a -config file")
			return exitUsage
		}
		if msg := checkSpecFlags(*pkgName, *grant, *models, *baseURL); msg != "" {
			fmt.Fprintln(stderr, "tpgen: "+msg)
			return exitUsage
		}
		svcs, err = fromSpec(*specPath, *pkgName, *outDir, *baseURL, *grant, *refRoot, *models == config.ModelsAll)
	default:
		fs.Usage()
		return exitUsage
	}
	if err != nil {
		printErr(stderr, err)
		return exitFail
	}
	start := time.Now()
	out, err := generator.Generate(svcs)
	if err != nil {
		printErr(stderr, err)
		return exitFail
	}
	for _, a := range out.Alerts {
		fmt.Fprintf(stderr, "tpgen: warning: %s\n", a)
	}
	if *verbose {
		for _, st := range out.Stats {
			fmt.Fprintf(stderr, "tpgen: %s: %d operations, %d types, %d lines (load %v, model %v, emit %v)\n",
				st.Service, st.Operations, st.Types, st.Lines, st.Load.Round(time.Millisecond), st.Build.Round(time.Millisecond), st.Emit.Round(time.Millisecond))
			if st.Unused > 0 {
				fmt.Fprintf(stderr, "tpgen: %s: %d component schemas left out: nothing generated needs them as a Go type (models: all keeps them)\n", st.Service, st.Unused)
			}
		}
		for _, w := range out.Warnings {
			fmt.Fprintf(stderr, "tpgen: note: %s\n", w)
		}
	}
	dirs := outputDirs(svcs)
	if *configPath != "" && len(services) == 0 && len(svcs) > 0 {
		// Packages of services taken out of services.yaml are stale too; with
		// -service, the other services' packages are left alone.
		dirs = append(dirs, packageDirs(filepath.Dir(svcs[0].OutDir))...)
	}
	if *check {
		diffs, err := diffOutput(dirs, out.Files)
		if err != nil {
			printErr(stderr, err)
			return exitFail
		}
		for _, d := range diffs {
			fmt.Fprintln(stdout, d)
		}
		if len(diffs) > 0 {
			fmt.Fprintf(stderr, "tpgen: %d generated file(s) are out of date; run tpgen without -check\n", len(diffs))
			return exitFail
		}
		return exitOK
	}
	if err := writeOutput(dirs, out.Files); err != nil {
		printErr(stderr, err)
		return exitFail
	}
	if *verbose {
		fmt.Fprintf(stderr, "tpgen: wrote %d files in %v\n", len(out.Files), time.Since(start).Round(time.Millisecond))
	}
	return exitOK
}

// printErr prints err; joined errors (errors.Join, config.Errors) already
// put one problem on each line.
func printErr(w io.Writer, err error) {
	fmt.Fprintln(w, strings.TrimRight(err.Error(), "\n"))
}

// outputDirs lists the directories the services' packages are written to,
// each with its model subpackage.
func outputDirs(svcs []*generator.Service) []string {
	var dirs []string
	for _, s := range svcs {
		dirs = append(dirs, generator.PackageDirs(s.OutDir)...)
	}
	return dirs
}

// packageDirs lists the subdirectories of root, each with its model
// subpackage: where earlier runs may have generated packages.
func packageDirs(root string) []string {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, generator.PackageDirs(filepath.Join(root, e.Name()))...)
		}
	}
	return dirs
}

// isGenerated reports whether a file in an output directory is tpgen's: Go
// files carry the standard header, READMEs the HTML comment.
func isGenerated(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	return bytes.HasPrefix(head, []byte("// Code generated by tpgen. DO NOT EDIT.")) ||
		bytes.HasPrefix(head, []byte("<!-- Code generated by tpgen. DO NOT EDIT. -->"))
}

// staleFiles lists files tpgen generated earlier in dirs that are not in want.
func staleFiles(dirs []string, want map[string]bool) []string {
	var stale []string
	seen := map[string]bool{}
	for _, dir := range dirs {
		if seen[dir] {
			continue
		}
		seen[dir] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if e.Type().IsRegular() && !want[p] && isGenerated(p) {
				stale = append(stale, p)
			}
		}
	}
	sort.Strings(stale)
	return stale
}

func diffOutput(dirs []string, files []generator.File) ([]string, error) {
	want := map[string]bool{}
	var diffs []string
	for _, f := range files {
		want[f.Path] = true
		old, err := os.ReadFile(f.Path)
		if err != nil || !bytes.Equal(old, f.Data) {
			diffs = append(diffs, f.Path)
		}
	}
	for _, s := range staleFiles(dirs, want) {
		diffs = append(diffs, s+" (stale: no longer generated)")
	}
	return diffs, nil
}

// writeOutput writes every file (each through a temporary file and a rename,
// so that no reader sees half a file), then removes stale generated files.
func writeOutput(dirs []string, files []generator.File) error {
	// Refuse before writing anything when a target is a file of the user's.
	for _, f := range files {
		if _, err := os.Stat(f.Path); err == nil && !isGenerated(f.Path) {
			return fmt.Errorf("%s exists and was not generated by tpgen; move it away or choose another output directory", f.Path)
		}
	}
	want := map[string]bool{}
	for _, f := range files {
		want[f.Path] = true
		if old, err := os.ReadFile(f.Path); err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			return err
		}
		tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".tpgen-*")
		if err != nil {
			return err
		}
		_, werr := tmp.Write(f.Data)
		cerr := tmp.Close()
		if werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Chmod(tmp.Name(), 0o644)
		}
		if werr == nil {
			werr = os.Rename(tmp.Name(), f.Path)
		}
		if werr != nil {
			os.Remove(tmp.Name())
			return werr
		}
	}
	for _, s := range staleFiles(dirs, want) {
		if err := os.Remove(s); err != nil {
			return err
		}
	}
	return nil
}
