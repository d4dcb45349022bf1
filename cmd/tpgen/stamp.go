package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"unicode"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/generator/config"
)

// No-op runs. A service's package is made from three things only: the
// generator.Job that services.yaml (or single-spec mode's flags) and
// go.mod describe it by, the files its generation reads (the spec and the
// files it refers to), and tpgen itself. The manifest keeps, per package, a
// hash of each (its stamp) and the SHA-256 of every file written. A run in
// which all of them are unchanged, and every file is still on disk as
// written, does not load the spec: it keeps the package as it is.
//
// Content hashes, never times, so that a fresh clone is still up to date;
// paths relative to the output root, so that neither the working directory
// nor the machine enters the stamp. -check never relies on the stamp: it
// generates everything and compares.

// buildVersion is tpgen's version for builds that carry none in their build
// information (a build in a clone of tpgen, Bazel's go_binary): set it with
// -ldflags "-X main.buildVersion=v1.2.3". Without it such a build never skips
// generating, since nothing tells one of its builds from another.
var buildVersion string

// toolIdentity names the running tpgen: its module version, Go's release
// (major.minor: gofmt's output can change between releases) and a hash of
// the modules it was built with (the user's module may require newer ones
// than tpgen's go.mod), or "" when it has no version. A variable, so that
// tests can give the test binary one.
var toolIdentity = identity()

func identity() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	v := buildVersion
	if v == "" {
		v = bi.Main.Version
	}
	if v == "" || v == "(devel)" || strings.Contains(v, "+dirty") || bi.Main.Replace != nil {
		return ""
	}
	h := sha256.New()
	for _, d := range bi.Deps {
		for d.Replace != nil {
			fmt.Fprintf(h, "%s %s %s => ", d.Path, d.Version, d.Sum)
			d = d.Replace
		}
		fmt.Fprintf(h, "%s %s %s\n", d.Path, d.Version, d.Sum)
	}
	goRelease := runtime.Version()
	if parts := strings.SplitN(goRelease, ".", 3); len(parts) == 3 {
		goRelease = parts[0] + "." + parts[1]
	}
	id := fmt.Sprintf("tpgen %s %s deps:%x", v, goRelease, h.Sum(nil)[:6])
	if strings.IndexFunc(id, unicode.IsControl) >= 0 {
		return ""
	}
	return id
}

// optionsSum is the hash of what svc tells the generator, with paths made
// relative to the output root and with what only messages use left out
// (positions, the spec's name as written): the same services.yaml gives the
// same sum from any working directory, and an edit of services.yaml that
// changes nothing for this service (a comment, another service) keeps it.
// Every field of generator.Job is exported, so json sees it
// (TestOptionsSumCoversService).
func optionsSum(svc *generator.Job, root string) (string, error) {
	c := *svc
	var err error
	rel := func(p string) string {
		if p == "" || err != nil {
			return p
		}
		var r string
		if r, err = relTo(root, p); err != nil {
			return ""
		}
		return r
	}
	c.Spec, c.RefRoot, c.OutDir = rel(svc.Spec), rel(svc.RefRoot), rel(svc.OutDir)
	c.SpecDisplay = ""
	c.Pos = config.Pos{}
	c.Include.TagsPos, c.Include.OperationsPos = nil, nil
	c.Exclude.TagsPos, c.Exclude.OperationsPos = nil, nil
	c.Overrides = nil
	for _, o := range svc.Overrides {
		o := *o
		o.Pos = config.Pos{}
		c.Overrides = append(c.Overrides, &o)
	}
	if err != nil {
		return "", err
	}
	data, err := json.Marshal(&c)
	if err != nil {
		return "", err
	}
	return hashOf(data), nil
}

func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// relTo is p relative to root, slash-separated (it may start with ../).
func relTo(root, p string) (string, error) {
	rootAbs, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(rootAbs, abs)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}

// newStamp is the stamp of a package just generated for svc from inputs.
// It is empty (the package is generated again next time) when tpgen has no
// version, when an input's path cannot be written in the manifest, or when
// the run warned: a warning is for every run, and a skipped run would not
// repeat it.
func newStamp(svc *generator.Job, root string, inputs []generator.Input, alert bool) stamp {
	if toolIdentity == "" || alert {
		return stamp{}
	}
	opts, err := optionsSum(svc, root)
	if err != nil {
		return stamp{}
	}
	st := stamp{tool: toolIdentity, options: opts}
	for _, in := range inputs {
		p, err := relTo(root, in.Path)
		if err != nil || p == "." || !cleanPath(p, true) || strings.IndexFunc(p, func(r rune) bool { return unicode.IsControl(r) || r == '\\' }) >= 0 {
			return stamp{}
		}
		st.inputs = append(st.inputs, minput{path: p, sum: "sha256:" + hex.EncodeToString(in.Sum[:])})
	}
	slices.SortFunc(st.inputs, func(a, b minput) int { return strings.Compare(a.path, b.path) })
	return st
}

// upToDate reports whether the package old of the manifest is what
// generating svc now would write, without generating it: the same tool (one
// with a version), options and inputs, and the files PackageFiles names all
// listed and on disk with the hashes written. Every input is read again
// through the service's ref root, as generating reads it, so a path in the
// manifest (which anyone can edit) cannot make tpgen read outside it. A
// reason is returned for -v when it is not.
func upToDate(svc *generator.Job, root string, old *mpackage) (bool, string) {
	switch {
	case old == nil:
		return false, "not generated before"
	case toolIdentity == "":
		return false, "this tpgen has no version (a build from source), so it cannot tell that it generated the files"
	case old.tool != toolIdentity:
		return false, "generated by another tpgen"
	}
	if opts, err := optionsSum(svc, root); err != nil || opts != old.options {
		return false, "its settings changed"
	}
	refRoot := svc.RefRoot
	if refRoot == "" {
		refRoot = filepath.Dir(svc.Spec)
	}
	refRootAbs, err := filepath.Abs(refRoot)
	if err != nil {
		return false, err.Error()
	}
	rootAbs, err := filepath.Abs(root)
	if err != nil {
		return false, err.Error()
	}
	specRel, err := relTo(root, svc.Spec)
	if err != nil || !slices.ContainsFunc(old.inputs, func(in minput) bool { return in.path == specRel }) {
		return false, "its spec is not among the inputs recorded"
	}
	inputs, err := os.OpenRoot(refRootAbs)
	if err != nil {
		return false, err.Error()
	}
	defer inputs.Close()
	for _, in := range old.inputs {
		rel, err := filepath.Rel(refRootAbs, filepath.Join(rootAbs, filepath.FromSlash(in.path)))
		if err != nil || !filepath.IsLocal(rel) {
			return false, in.path + " is outside the spec's ref root"
		}
		var sum string
		if svc.FollowLinks {
			sum, err = sumOf(filepath.Join(refRootAbs, rel)) // through the links, as generating reads it
		} else {
			sum, err = sumIn(inputs, rel)
		}
		if err != nil || sum != in.sum {
			return false, in.path + " changed"
		}
	}
	want := make([]string, 0, len(old.files))
	for _, f := range generator.PackageFiles(filepath.Join(rootAbs, filepath.FromSlash(old.dir)), svc.ImportPath != "") {
		rel, err := relSlash(rootAbs, f)
		if err != nil {
			return false, err.Error()
		}
		want = append(want, rel)
	}
	if got := slices.Sorted(slices.Values(old.files)); !slices.Equal(got, want) {
		return false, "its files are not the ones tpgen writes now"
	}
	outputs, err := os.OpenRoot(rootAbs)
	if err != nil {
		return false, err.Error()
	}
	defer outputs.Close()
	for _, f := range old.files {
		if sum, err := sumIn(outputs, filepath.FromSlash(f)); err != nil || sum != old.sums[f] {
			return false, f + " was changed or removed since tpgen wrote it"
		}
	}
	return true, ""
}

// maxInputSize bounds what is read to hash an input or an output: no more
// than the generator reads of one spec file.
const maxInputSize = 64 << 20

// sumIn hashes the regular file rel inside root.
func sumIn(root *os.Root, rel string) (string, error) {
	f, err := root.Open(rel)
	if err != nil {
		return "", err
	}
	return sumFile(f)
}

// sumOf hashes the regular file at name.
func sumOf(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	return sumFile(f)
}

// sumFile hashes f, a regular file of at most maxInputSize bytes, and closes it.
func sumFile(f *os.File) (string, error) {
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", f.Name())
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, maxInputSize+1))
	if err != nil {
		return "", err
	}
	if n > maxInputSize {
		return "", fmt.Errorf("%s is too large", f.Name())
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
