package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/tpgen/tpgen/generator"
)

// target is where a run writes, and for which configuration.
type target struct {
	root     string // the output root as the user named it: services.yaml's output, or -out
	identity string // the run's section in the manifest
	// partial is -service: the configuration's packages that are not
	// generated now stay as they are, on disk and in the manifest.
	partial bool
}

// plan is what writing the output does, worked out before anything is
// touched, so that -check can report it and a refusal leaves the disk alone.
type plan struct {
	root        string
	files       []generator.File
	stale       []string // to remove: relative to root, slash-separated, sorted
	kept        []string // listed and no longer generated, but edited (no header): left alone
	emptyDirs   []string // directories to remove if removing stale files empties them: those of stale files and above, deepest first
	manifest    []byte   // the new manifest
	oldManifest []byte   // nil when there was none
}

func (p *plan) manifestPath() string { return filepath.Join(p.root, manifestName) }

// maxManifestSize bounds the manifest tpgen reads (GitHub's client lists a
// few dozen files).
const maxManifestSize = 4 << 20

// planOutput works out what writing files for svcs into t does: which files
// tpgen can prove it wrote for this configuration and no longer generates
// (listed in the manifest under t.identity; for a package the manifest does
// not list yet, the tpgen-headed files in its directories), and the manifest
// after the run. files are those generated now, stamps their packages'
// stamps (by directory relative to the root); kept are the packages of svcs
// found up to date, which stay as they are, on disk and in the manifest. It
// refuses to write into a package that another configuration's manifest
// claims.
func planOutput(t target, svcs []*generator.Job, files []generator.File, stamps map[string]stamp, kept map[string]*mpackage) (*plan, error) {
	p := &plan{root: t.root, files: files}
	m := &manifest{}
	if data, err := readManifest(p.manifestPath()); err != nil {
		return nil, err
	} else if data != nil {
		p.oldManifest = data
		if m, err = parseManifest(p.manifestPath(), data); err != nil {
			return nil, err
		}
	}

	// The packages generated now, with their files, relative to the root.
	now := &section{id: t.identity}
	generated := map[string]bool{}
	for _, s := range svcs {
		dir, err := relSlash(t.root, s.OutDir)
		if err != nil {
			return nil, err
		}
		if old := kept[dir]; old != nil {
			now.packages = append(now.packages, old)
			for _, f := range old.files {
				generated[f] = true
			}
			continue
		}
		now.packages = append(now.packages, &mpackage{dir: dir, sums: map[string]string{}, stamp: stamps[dir]})
	}
	for _, f := range files {
		rel, err := relSlash(t.root, f.Path)
		if err != nil {
			return nil, err
		}
		generated[rel] = true
		pkg := packageOf(now, rel)
		if pkg == nil || kept[pkg.dir] != nil {
			return nil, fmt.Errorf("%s is outside the directories of the packages it belongs to (a bug in tpgen: please report it)", f.Path)
		}
		pkg.files = append(pkg.files, rel)
		pkg.sums[rel] = hashOf(f.Data)
	}
	if err := checkClaims(t, m, now); err != nil {
		return nil, err
	}

	own := m.section(t.identity)
	next := &section{id: t.identity, packages: slices.Clone(now.packages)}
	var listed, scanned []string
	if own != nil {
		for _, old := range own.packages {
			if now.pkg(old.dir) == nil && t.partial {
				next.packages = append(next.packages, old) // -service: not ours to judge now
				continue
			}
			for _, f := range old.files {
				if !generated[f] {
					listed = append(listed, f)
				}
			}
		}
	}
	for _, pkg := range now.packages {
		if own != nil && own.pkg(pkg.dir) != nil {
			continue
		}
		// Not listed yet (the first run with a manifest, or a new package):
		// what tpgen can prove is its header, in this package's directories.
		for _, d := range pkgDirs(pkg.dir) {
			ents, err := os.ReadDir(filepath.Join(t.root, filepath.FromSlash(d)))
			if err != nil {
				continue
			}
			for _, e := range ents {
				rel := path.Join(d, e.Name())
				if e.Type().IsRegular() && !generated[rel] && isGenerated(filepath.Join(t.root, filepath.FromSlash(rel))) {
					scanned = append(scanned, rel)
				}
			}
		}
	}
	if len(listed) > 0 {
		root, err := os.OpenRoot(t.root)
		if err != nil {
			return nil, err
		}
		defer root.Close()
		for _, f := range listed {
			switch fi, err := root.Lstat(filepath.FromSlash(f)); {
			case errors.Is(err, fs.ErrNotExist):
				// gone already
			case err != nil:
				return nil, fmt.Errorf("%s: %w", filepath.Join(t.root, filepath.FromSlash(f)), err)
			case fi.Mode().IsRegular() && isGeneratedIn(root, f):
				p.stale = append(p.stale, f)
			default:
				p.kept = append(p.kept, f)
			}
		}
	}
	p.stale = append(p.stale, scanned...)
	sort.Strings(p.stale)
	sort.Strings(p.kept)
	// The directories that stale files are removed from, and those above
	// them below the root: removed when that leaves them empty (they held
	// tpgen's files only), deepest first so that a model directory goes
	// before its package's. Never the root; a package generated now is
	// never empty, its files are written first.
	for _, f := range p.stale {
		for d := path.Dir(f); d != "."; d = path.Dir(d) {
			p.emptyDirs = append(p.emptyDirs, d)
		}
	}
	sort.Slice(p.emptyDirs, func(i, j int) bool { return p.emptyDirs[i] > p.emptyDirs[j] })
	p.emptyDirs = slices.DeleteFunc(slices.Compact(p.emptyDirs), func(d string) bool { return now.pkg(d) != nil })
	m.set(next)
	p.manifest = m.bytes()
	return p, nil
}

// checkClaims refuses a package that another configuration generated: listed
// under another section of this manifest, or in the manifest of another
// output root around or inside this one (a single-spec client placed in a
// package of a services.yaml, or the other way round).
func checkClaims(t target, m *manifest, now *section) error {
	mine := map[string]bool{}
	for _, p := range now.packages {
		for _, d := range pkgDirs(p.dir) {
			mine[d] = true
		}
	}
	for _, s := range m.sections {
		if s.id == t.identity {
			continue
		}
		for _, p := range s.packages {
			for _, d := range pkgDirs(p.dir) {
				if mine[d] {
					return fmt.Errorf("%s: %s is generated by %s (it is listed in %s): two configurations cannot generate into one directory; give one of them another output or package name",
						t.identity, filepath.Join(t.root, filepath.FromSlash(d)), s.id, filepath.Join(t.root, manifestName))
				}
			}
		}
	}
	for _, p := range now.packages {
		for _, d := range pkgDirs(p.dir) {
			other := filepath.Join(t.root, filepath.FromSlash(d), manifestName)
			if _, err := os.Lstat(other); d != "." && err == nil {
				return fmt.Errorf("%s: %s is the output directory of another tpgen run (it holds %s): choose another output or package name", t.identity, filepath.Dir(other), other)
			}
		}
	}
	rootAbs, err := filepath.Abs(t.root)
	if err != nil {
		return err
	}
	for dir := filepath.Dir(rootAbs); ; dir = filepath.Dir(dir) {
		name := filepath.Join(dir, manifestName)
		if data, err := readManifest(name); err == nil && data != nil {
			outer, err := parseManifest(name, data)
			if err != nil {
				return err
			}
			for _, s := range outer.sections {
				for _, p := range s.packages {
					for _, d := range pkgDirs(p.dir) {
						rel, err := filepath.Rel(rootAbs, filepath.Join(dir, filepath.FromSlash(d)))
						if err == nil && mine[filepath.ToSlash(rel)] {
							return fmt.Errorf("%s: %s is generated by %s (it is listed in %s): choose another output directory",
								t.identity, filepath.Join(t.root, rel), s.id, name)
						}
					}
				}
			}
		}
		if filepath.Dir(dir) == dir {
			return nil
		}
	}
}

// readManifest returns the manifest at name, nil when there is none.
func readManifest(name string) ([]byte, error) {
	fi, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file: the manifest tpgen keeps there must be one", name)
	case fi.Size() > maxManifestSize:
		return nil, fmt.Errorf("%s is %d bytes, more than the %d tpgen reads", name, fi.Size(), maxManifestSize)
	}
	return os.ReadFile(name)
}

// packageOf returns the package of s whose directories hold rel.
func packageOf(s *section, rel string) *mpackage {
	for _, p := range s.packages {
		if slices.Contains(pkgDirs(p.dir), path.Dir(rel)) {
			return p
		}
	}
	return nil
}

// relSlash is p relative to root, slash-separated, and inside it.
func relSlash(root, p string) (string, error) {
	rel, err := filepath.Rel(root, p)
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		return "", fmt.Errorf("%s is not inside the output directory %s (a bug in tpgen: please report it)", p, root)
	}
	return filepath.ToSlash(rel), nil
}

// header reports whether the start of a file is tpgen's: Go files carry the
// standard header, READMEs the HTML comment.
func header(r io.Reader) bool {
	head := make([]byte, 64)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	return bytes.HasPrefix(head, []byte("// "+generator.GeneratedLine)) ||
		bytes.HasPrefix(head, []byte("<!-- "+generator.GeneratedLine+" -->"))
}

// isGenerated reports whether the file at path is tpgen's.
func isGenerated(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return header(f)
}

// isGeneratedIn is isGenerated for a path inside root.
func isGeneratedIn(root *os.Root, rel string) bool {
	f, err := root.Open(filepath.FromSlash(rel))
	if err != nil {
		return false
	}
	defer f.Close()
	return header(f)
}

// difference is one thing -check reports: a generated file that differs from
// what is on disk (or is not there), a stale file tpgen would remove, or the
// manifest.
type difference struct {
	path string // as tpgen names it
	note string // why, for a file that is not simply out of date
	old  []byte // what is on disk; nil when nothing is
	new  []byte // what tpgen would write; nil for a stale file
}

// String is the difference as -check lists it.
func (d difference) String() string {
	if d.note == "" {
		return d.path
	}
	return d.path + " (" + d.note + ")"
}

// differences lists what -check reports: generated files that differ from
// what is on disk, the stale files tpgen would remove, and the manifest.
func (p *plan) differences() []difference {
	var diffs []difference
	for _, f := range p.files {
		old, err := os.ReadFile(f.Path)
		if err != nil || !bytes.Equal(old, f.Data) {
			diffs = append(diffs, difference{path: f.Path, old: old, new: f.Data})
		}
	}
	for _, s := range p.stale {
		name := filepath.Join(p.root, filepath.FromSlash(s))
		old, _ := os.ReadFile(name)
		diffs = append(diffs, difference{path: name, note: "stale: no longer generated", old: old})
	}
	if !bytes.Equal(withoutTool(p.oldManifest), withoutTool(p.manifest)) {
		diffs = append(diffs, difference{path: p.manifestPath(), note: "the manifest of what tpgen generated", old: p.oldManifest, new: p.manifest})
	}
	return diffs
}

// printDiff writes d as a unified diff to w, and to stderr when it was cut
// short.
func (d difference) printDiff(w, stderr io.Writer) {
	oldName, newName := d.path, d.path
	if d.old == nil {
		oldName = "/dev/null"
	}
	if d.new == nil {
		newName = "/dev/null"
	}
	if n := unifiedDiff(w, oldName, newName, d.old, d.new); n > 0 {
		fmt.Fprintf(stderr, "tpgen: the diff of %s is cut short: %d more hunk(s) not shown\n", d.path, n)
	}
}

// write writes every file (each through a temporary file and a rename, so
// that no reader sees half a file), removes the stale ones and the package
// directories that leaves empty, says what it removed and kept, and writes
// the manifest last: a run cut short leaves files the manifest does not list
// (never removed) rather than a manifest listing files that are not tpgen's.
func (p *plan) write(stderr io.Writer) error {
	// Refuse before writing anything when a target is a file of the user's.
	for _, f := range p.files {
		if _, err := os.Stat(f.Path); err == nil && !isGenerated(f.Path) {
			return fmt.Errorf("%s exists and was not generated by tpgen; move it away or choose another output directory", f.Path)
		}
	}
	for _, f := range p.files {
		if old, err := os.ReadFile(f.Path); err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		if err := writeFileAtomic(f.Path, f.Data); err != nil {
			return err
		}
	}
	if len(p.stale) > 0 {
		root, err := os.OpenRoot(p.root)
		if err != nil {
			return err
		}
		defer root.Close()
		for _, s := range p.stale {
			if err := root.Remove(filepath.FromSlash(s)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			fmt.Fprintf(stderr, "tpgen: removed %s (no longer generated)\n", filepath.Join(p.root, filepath.FromSlash(s)))
		}
		for _, d := range p.emptyDirs {
			if root.Remove(filepath.FromSlash(d)) == nil { // fails unless empty
				fmt.Fprintf(stderr, "tpgen: removed %s (empty)\n", filepath.Join(p.root, filepath.FromSlash(d)))
			}
		}
	}
	for _, k := range p.kept {
		fmt.Fprintf(stderr, "tpgen: kept %s: tpgen generated it and no longer does, but it does not start with tpgen's header any more (edited?); remove it yourself if it is not needed\n", filepath.Join(p.root, filepath.FromSlash(k)))
	}
	if bytes.Equal(p.oldManifest, p.manifest) {
		return nil
	}
	return writeFileAtomic(p.manifestPath(), p.manifest)
}

func writeFileAtomic(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tpgen-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), name)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return werr
	}
	return nil
}

// identityOf is the manifest section of the services.yaml at cfgFile writing
// into root: its path relative to the root, so that it is the same on every
// machine.
func identityOf(root, cfgFile string) (string, error) {
	rootAbs, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	cfgAbs, err := filepath.Abs(cfgFile)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(rootAbs, cfgAbs)
	if err != nil {
		return "", err
	}
	// A name the manifest could not hold (a control character, a backslash)
	// is written with _ instead: the identity only needs to be stable.
	rel = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\\' {
			return '_'
		}
		return r
	}, filepath.ToSlash(rel))
	return "config " + rel, nil
}
