package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
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
		lenient    = fs.Bool("lenient", false, "single-spec mode: generate from a broken spec, repairing dangling schema $refs, undeclared path variables and components of the wrong kind, with a warning each")
	)
	fs.Var(&services, "service", "generate only this service (repeatable)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage:
  tpgen -config services.yaml [-service NAME ...] [-check] [-v]
  tpgen -spec openapi.yaml -package NAME -out DIR [-base-url URL] [-grant GRANT] [-models all] [-ref-root DIR] [-lenient] [-check] [-v]
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
		tgt  target
		err  error
	)
	switch {
	case *configPath != "" && *specPath != "":
		fmt.Fprintln(stderr, "tpgen: -config and -spec cannot be used together")
		return exitUsage
	case *configPath != "":
		if *pkgName != "" || *outDir != "" || *baseURL != "" || *grant != "" || *models != "" || *refRoot != "" || *lenient {
			fmt.Fprintln(stderr, "tpgen: -package, -out, -base-url, -grant, -models, -ref-root and -lenient belong to single-spec mode (-spec); with -config, set them in services.yaml")
			return exitUsage
		}
		svcs, tgt, err = fromConfig(*configPath, services)
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
		for _, s := range svcs {
			s.Lenient = *lenient
		}
		tgt = target{root: *outDir, identity: singleSpec}
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
	pl, err := planOutput(tgt, svcs, out.Files)
	if err != nil {
		printErr(stderr, err)
		return exitFail
	}
	if *check {
		diffs := pl.differences()
		for _, d := range diffs {
			fmt.Fprintln(stdout, d)
		}
		if len(diffs) > 0 {
			fmt.Fprintf(stderr, "tpgen: %d generated file(s) are out of date; run tpgen without -check\n", len(diffs))
			return exitFail
		}
		return exitOK
	}
	if err := pl.write(stderr); err != nil {
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
