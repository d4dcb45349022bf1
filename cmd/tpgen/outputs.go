package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/tpgen/tpgen/generator"
)

// runOutputs is tpgen outputs: it prints, one a line and sorted, the files a
// run with the same flags writes, without generating: the files of each
// service's package (generator.PackageFiles: the same names whatever the
// spec holds) and the manifest of each output root. It reads services.yaml
// and the go.mod above the output (or takes -import-path), never a spec, so
// that a build system can declare the outputs before the action runs. Paths
// are as a run names them (relative to the working directory when the
// -config or -out given is), or relative to -base.
func runOutputs(args []string, stdout, stderr io.Writer) int {
	f, code, ok := parseFlags("tpgen outputs", args, stderr, true)
	if !ok {
		return code
	}
	units, code := f.units(stderr)
	if units == nil {
		return code
	}
	paths, err := declaredOutputs(units)
	if err != nil {
		printErr(stderr, err)
		return exitFail
	}
	for _, p := range paths {
		if f.base != "" {
			rel, err := filepath.Rel(f.base, p)
			if err != nil {
				if rel, err = relTo(f.base, p); err != nil {
					printErr(stderr, err)
					return exitFail
				}
			}
			p = rel
		}
		fmt.Fprintln(stdout, filepath.ToSlash(p))
	}
	return exitOK
}

// declaredOutputs are the files the units write, sorted, each once.
func declaredOutputs(units []*unit) ([]string, error) {
	if err := checkOverlaps(units); err != nil {
		return nil, err
	}
	var paths []string
	for _, u := range units {
		paths = append(paths, filepath.Join(u.tgt.root, manifestName))
		for _, svc := range u.svcs {
			paths = append(paths, generator.PackageFiles(svc.OutDir, svc.ImportPath != "")...)
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths), nil
}
