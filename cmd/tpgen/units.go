package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/generator"
)

// unit is one configuration of a run: a services.yaml, or single-spec mode.
// One run handles many (-config a.yaml -config 'services/*.yaml'): their
// services are generated in one pool, each writes its own section of the
// manifest in its output root.
type unit struct {
	name  string // how messages name it: the services.yaml as given, or the spec
	multi bool   // the run has other units: messages name this one
	tgt   target
	svcs  []*generator.Job

	kept      map[string]*mpackage // packages found up to date, by directory relative to the root
	generated []generated
}

// generated is a service generated in this run.
type generated struct {
	svc    *generator.Job
	result generator.JobResult
}

// svcName is how messages name a service: with its configuration when the
// run has several.
func (u *unit) svcName(svc *generator.Job) string {
	if u.multi {
		return u.name + ": " + svc.Name
	}
	return svc.Name
}

// wrap puts the configuration in front of every line of a generation error
// when the run has several: the same spec may serve services of two of them.
func (u *unit) wrap(err error, multi bool) error {
	if !multi {
		return err
	}
	lines := strings.Split(strings.TrimRight(err.Error(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = u.name + ": " + l
	}
	return fmt.Errorf("%s", strings.Join(lines, "\n"))
}

// plan works out what writing the unit's output does (see planOutput).
func (u *unit) plan() (*plan, error) {
	var files []generator.File
	stamps := map[string]stamp{}
	for _, g := range u.generated {
		files = append(files, g.result.Files...)
		dir, err := relSlash(u.tgt.root, g.svc.OutDir)
		if err != nil {
			return nil, err
		}
		stamps[dir] = newStamp(g.svc, u.tgt.root, g.result.Stats.Inputs, len(g.result.Alerts) > 0)
	}
	slices.SortFunc(files, func(a, b generator.File) int { return strings.Compare(a.Path, b.Path) })
	return planOutput(u.tgt, u.svcs, files, stamps, u.kept)
}

// expandConfigs turns -config values into files: a value with a glob
// character is a pattern (filepath.Match) that must match at least one file;
// the files of each pattern are sorted; a file named twice counts once.
func expandConfigs(values []string) ([]string, error) {
	var (
		out  []string
		seen = map[string]bool{}
	)
	for _, v := range values {
		files := []string{v}
		if strings.ContainsAny(v, "*?[") {
			matches, err := filepath.Glob(v)
			if err != nil {
				return nil, fmt.Errorf("-config %q: %v", v, err)
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("-config %q: no file matches", v)
			}
			slices.Sort(matches)
			files = matches
		}
		for _, f := range files {
			abs, err := filepath.Abs(f)
			if err != nil {
				return nil, err
			}
			if !seen[abs] {
				seen[abs] = true
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// checkOverlaps refuses two configurations of one run that generate into the
// same package directory, before either is generated or written.
func checkOverlaps(units []*unit) error {
	owner := map[string]*unit{}
	for _, u := range units {
		for _, svc := range u.svcs {
			for _, d := range generator.PackageDirs(svc.OutDir) {
				abs, err := filepath.Abs(d)
				if err != nil {
					return err
				}
				if o := owner[abs]; o != nil && o != u {
					return fmt.Errorf("%s and %s both generate into %s: give one of them another output or package name", o.name, u.name, d)
				}
				owner[abs] = u
			}
		}
	}
	return nil
}

// loadManifest reads and parses the manifest in root; an empty one when
// there is none.
func loadManifest(root string) (*manifest, error) {
	name := filepath.Join(root, manifestName)
	data, err := readManifest(name)
	if err != nil || data == nil {
		return &manifest{}, err
	}
	return parseManifest(name, data)
}
