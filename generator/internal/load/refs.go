package load

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// The files a spec's $refs name are read only inside one directory tree, the
// ref root: by default the directory of the root spec, or a wider one the
// user names (ref_root in services.yaml, -ref-root in single-spec mode). A
// spec is someone else's text, so a $ref must not read /etc/passwd, a
// credentials file two directories up, or fetch a URL. The rules:
//
//   - a $ref names a file by a path relative to the file that holds it;
//     absolute paths, file: URLs and URLs of any other scheme are refused;
//   - the path, resolved, lies inside the ref root, symbolic links followed:
//     a link inside the tree that points out of it is refused;
//   - a refused file is never opened, so nothing of it can reach the output
//     or an error message.
//
// kin-openapi resolves each $ref against the file that holds it and hands the
// result to refReader.read, the one place tpgen reads a referenced file. That
// call does not say which $ref asked, so when it refuses, locateRef finds the
// $ref again in the files read so far, for an error at its line and column.
// (Being tpgen's own reader has a second use: kin-openapi's default caches
// files by path for the life of the process, so that a second generation in
// one process, go test or a long-running tool, would see stale files. This
// reader keeps what it read for one load only.)

// RefReader reads the files a spec's $refs name, confined to a ref root.
type RefReader struct {
	root     *os.Root
	rootDir  string // absolute
	rootReal string // rootDir with symbolic links resolved
	rootName string // how messages name the tree
	widened  bool   // the root was set by the user rather than the spec's directory
	// followLinks reads through symbolic links in the root wherever they
	// lead (Service.FollowLinks); paths are still confined as written.
	followLinks bool
	spec        string // the root spec, absolute, slash-separated (kin-openapi reads it again in places)
	specDir     string // its directory, absolute
	display     string // the root spec as the user wrote it
	// joined holds the paths kin-openapi made by resolving a relative $ref
	// (through join); any other path reached the reader as written: absolute.
	joined map[string]bool
	// files are those read so far, in order; kin-openapi reads a file again
	// for every $ref into it, and gets it from read (by path) instead.
	files   []readFile
	byPath  map[string][]byte
	refused *refusal // the first refusal; a load that saw one fails
}

type readFile struct {
	path string // absolute, slash-separated, as kin-openapi names it
	data []byte
}

// refusal is a file the reader would not read, and why.
type refusal struct {
	target *url.URL
	kind   refusalKind
}

type refusalKind int

const (
	refNetwork  refusalKind = iota + 1 // http(s) or another scheme with a host
	refURL                             // file: and other URLs
	refAbsolute                        // an absolute path
	refOutside                         // .. above the root
	refSymlink                         // a symbolic link out of the root
)

func (r *refusal) Error() string {
	return fmt.Sprintf("$ref to %s refused", r.target.Redacted())
}

// NewRefReader opens the ref root of the spec at specPath: refRoot, or the
// spec's directory when refRoot is "". The caller closes it.
func NewRefReader(specPath, display, refRoot string) (*RefReader, error) {
	specAbs, err := filepath.Abs(specPath)
	if err != nil {
		return nil, err
	}
	r := &RefReader{
		spec: filepath.ToSlash(specAbs), specDir: filepath.Dir(specAbs), display: display,
		joined: map[string]bool{}, byPath: map[string][]byte{}, widened: refRoot != "",
	}
	r.rootName = fmt.Sprintf("the spec's directory (%s)", filepath.Dir(display))
	if refRoot == "" {
		refRoot = filepath.Dir(specPath)
	} else {
		r.rootName = fmt.Sprintf("ref_root (%s)", refRoot)
	}
	if r.rootDir, err = filepath.Abs(refRoot); err != nil {
		return nil, err
	}
	if rel, err := filepath.Rel(r.rootDir, specAbs); err != nil || !filepath.IsLocal(rel) {
		return nil, fmt.Errorf("the spec is not inside %s: the ref root must hold the spec", r.rootName)
	}
	if r.rootReal, err = filepath.EvalSymlinks(r.rootDir); err != nil {
		return nil, fmt.Errorf("ref root: %w", err)
	}
	if r.root, err = os.OpenRoot(r.rootDir); err != nil {
		return nil, fmt.Errorf("ref root: %w", err)
	}
	return r, nil
}

// Close releases the ref root.
func (r *RefReader) Close() error { return r.root.Close() }

// join resolves a relative $ref as kin-openapi's default does, and notes that
// the result came from a relative path.
func (r *RefReader) join(base, rel *url.URL) *url.URL {
	u := *base
	u.Path = path.Join(path.Dir(base.Path), rel.Path)
	r.joined[u.Path] = true
	return &u
}

// read is kin-openapi's ReadFromURIFunc. It also bounds the file's size and
// refuses what is not a regular file (a FIFO would block, /dev/zero never ends).
func (r *RefReader) read(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
	data, err := r.readConfined(u)
	var ref *refusal
	if errors.As(err, &ref) && r.refused == nil {
		r.refused = ref
	}
	return data, err
}

func (r *RefReader) readConfined(u *url.URL) ([]byte, error) {
	refuse := func(kind refusalKind) error { return &refusal{target: u, kind: kind} }
	switch {
	case u.Host != "" && u.Scheme != "file":
		return nil, refuse(refNetwork)
	case u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil:
		return nil, refuse(refURL)
	case u.Path != r.spec && !r.joined[u.Path]:
		return nil, refuse(refAbsolute)
	}
	if data, ok := r.byPath[u.Path]; ok {
		return data, nil
	}
	abs := filepath.FromSlash(u.Path)
	rel, err := filepath.Rel(r.rootDir, abs)
	if err != nil || !filepath.IsLocal(rel) {
		return nil, refuse(refOutside)
	}
	if r.followLinks {
		return r.readLinked(u.Path, abs)
	}
	// os.Root would refuse a link out of the tree too; resolving first tells
	// that apart from a file that does not exist.
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		if rel, err := filepath.Rel(r.rootReal, real); err != nil || !filepath.IsLocal(rel) {
			return nil, refuse(refSymlink)
		}
	}
	fi, err := r.root.Stat(rel)
	if err != nil {
		if escapes(err) {
			return nil, refuse(refSymlink)
		}
		return nil, &fs.PathError{Op: "stat", Path: abs, Err: errors.Unwrap(err)}
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", abs)
	}
	if fi.Size() > maxSpecSize {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d tpgen reads", abs, fi.Size(), maxSpecSize)
	}
	f, err := r.root.Open(rel)
	if escapes(err) {
		return nil, refuse(refSymlink) // replaced by a link since the Stat
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", abs)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSpecSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSpecSize {
		return nil, fmt.Errorf("%s is more than the %d bytes tpgen reads", abs, maxSpecSize)
	}
	r.files = append(r.files, readFile{path: u.Path, data: data})
	r.byPath[u.Path] = data
	return data, nil
}

// readLinked reads abs, a path inside the root as written, following
// symbolic links wherever they lead (followLinks), with the same bounds.
func (r *RefReader) readLinked(slashPath, abs string) ([]byte, error) {
	f, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", abs)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSpecSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSpecSize {
		return nil, fmt.Errorf("%s is more than the %d bytes tpgen reads", abs, maxSpecSize)
	}
	r.files = append(r.files, readFile{path: slashPath, data: data})
	r.byPath[slashPath] = data
	return data, nil
}

// escapes reports whether os.Root refused a path because it leads out of the
// tree; os does not export that error, only its text.
func escapes(err error) bool {
	return err != nil && strings.Contains(err.Error(), "path escapes from parent")
}

// refusedError is the error for the first refusal, at the $ref that asked.
func (r *RefReader) refusedError(rootData []byte) *SpecError {
	file, line, col, written := r.locate(rootData, r.refused)
	return r.refusalError(file, line, col, written, r.refused)
}

// refusalError is the error for ref, at the $ref (written so) in file.
func (r *RefReader) refusalError(file string, line, col int, written string, ref *refusal) *SpecError {
	shown := written
	if shown == "" {
		shown = ref.target.Redacted()
	} else if u, err := url.Parse(written); err == nil && u.User != nil {
		shown = u.Redacted()
	}
	if len(shown) > 200 {
		shown = shown[:200] + "..."
	}
	var why string
	switch ref.kind {
	case refNetwork:
		why = fmt.Sprintf("is a URL: tpgen does not fetch referenced documents over the network; download the file into %s and refer to it by a relative path", r.rootName)
	case refURL:
		why = fmt.Sprintf("is a URL: write the path of the file relative to the file that holds the $ref, inside %s", r.rootName)
	case refAbsolute:
		why = fmt.Sprintf("is an absolute path: write it relative to the file that holds the $ref, inside %s", r.rootName)
	case refOutside:
		why = fmt.Sprintf("leads outside %s, the only directory tree $ref may read", r.rootName)
	case refSymlink:
		why = fmt.Sprintf("leads outside %s through a symbolic link; $ref reads only inside that tree", r.rootName)
	}
	if (ref.kind == refOutside || ref.kind == refSymlink) && !r.widened {
		why += ": move the file into it, or widen the tree with ref_root in services.yaml (-ref-root in single-spec mode)"
	} else if ref.kind == refOutside || ref.kind == refSymlink {
		why += ": move the file into it, or set ref_root to a directory that holds it"
	}
	return &SpecError{File: file, Line: line, Col: col, Msg: fmt.Sprintf("$ref %s %s", strconv.Quote(shown), why)}
}

// readFrom reads the file that a $ref, written as u in the file at base
// (absolute), names: for the bundler, which resolves $refs itself. It
// returns the file's absolute path; a refusal is a *refusal.
func (r *RefReader) readFrom(base string, u *url.URL) ([]byte, string, error) {
	refuse := func(kind refusalKind) ([]byte, string, error) { return nil, "", &refusal{target: u, kind: kind} }
	switch {
	case u.Host != "" && u.Scheme != "file":
		return refuse(refNetwork)
	case u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil:
		return refuse(refURL)
	case path.IsAbs(u.Path) || filepath.IsAbs(filepath.FromSlash(u.Path)):
		return refuse(refAbsolute)
	}
	target := &url.URL{Path: path.Join(path.Dir(filepath.ToSlash(base)), u.Path)}
	r.joined[target.Path] = true
	data, err := r.readConfined(target)
	var ref *refusal
	if errors.As(err, &ref) {
		ref.target = u // the $ref as written, not the path it resolved to
	}
	return data, filepath.FromSlash(target.Path), err
}

// locate finds a $ref that resolves to the refused target, in the root spec
// (rootData, as the user wrote it) or a file read for it, and returns the file
// as the user would name it, the position and the $ref as written. When the
// refusal is about the $ref's own text (a URL, an absolute path) it looks for
// a $ref written so, since a relative $ref elsewhere may name the same file.
// With no $ref found, the position is 0 and the file the root spec.
func (r *RefReader) locate(rootData []byte, ref *refusal) (file string, line, col int, written string) {
	want := refKey(ref.target)
	textual := ref.kind == refNetwork || ref.kind == refURL || ref.kind == refAbsolute
	file = r.display
	found := false
	for _, doc := range append([]readFile{{path: r.spec, data: rootData}}, r.files...) {
		var tree yaml.Node
		if yaml.Unmarshal(doc.data, &tree) != nil {
			continue
		}
		for _, n := range refNodes(&tree, nil) {
			u, err := url.Parse(n.Value)
			if err != nil || strings.HasPrefix(n.Value, "#") {
				continue
			}
			target, asWritten := u, !isFileURL(u) || filepath.IsAbs(filepath.FromSlash(u.Path))
			if !asWritten {
				target = &url.URL{Path: path.Join(path.Dir(doc.path), u.Path)}
			}
			if refKey(target) != want || found && asWritten != textual {
				continue
			}
			// At the value's first character (its opening quote, when quoted),
			// as the bundler places errors at a $ref.
			file, line, col, written, found = r.displayPath(doc.path), n.Line, n.Column, n.Value, true
			if asWritten == textual {
				return
			}
		}
	}
	return
}

// isFileURL is kin-openapi's test for a $ref that names a local file.
func isFileURL(u *url.URL) bool {
	return u.Path != "" && u.Host == "" && (u.Scheme == "" || u.Scheme == "file")
}

// refKey identifies the document a resolved $ref names.
func refKey(u *url.URL) string {
	return u.Scheme + "\x00" + u.Host + "\x00" + u.Opaque + "\x00" + path.Clean("/"+u.Path)
}

// refNodes appends the values of every $ref key under n.
func refNodes(n *yaml.Node, out []*yaml.Node) []*yaml.Node {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k, v := n.Content[i], n.Content[i+1]; k.Value == "$ref" && v.Kind == yaml.ScalarNode {
				out = append(out, v)
			}
		}
	}
	for _, c := range n.Content {
		out = refNodes(c, out)
	}
	return out
}

// displayPath names a file read for the spec as the user would: relative to
// the spec as the user wrote its path.
func (r *RefReader) displayPath(p string) string {
	if p == r.spec {
		return r.display
	}
	rel, err := filepath.Rel(r.specDir, filepath.FromSlash(p))
	if err != nil {
		return filepath.FromSlash(p)
	}
	return filepath.Join(filepath.Dir(r.display), rel)
}
