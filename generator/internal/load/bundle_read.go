package load

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Reading the files of a multi-file spec, and following pointers in them.

// resolve finds the file and pointer a $ref in f names, reading the file the
// first time.
func (b *bundler) resolve(f *refFile, ref *yaml.Node) (*refFile, []string, error) {
	u, err := url.Parse(ref.Value)
	if err != nil {
		return nil, nil, b.refError(f, ref, fmt.Errorf("not a valid reference: %v", err))
	}
	ptr, err := ParsePointer(u.Fragment)
	if err != nil {
		return nil, nil, b.refError(f, ref, err)
	}
	if u.Scheme == "" && u.Host == "" && u.Path == "" {
		return f, ptr, nil
	}
	tf, err := b.read(f, u)
	if err != nil {
		var se *SpecError
		if errors.As(err, &se) {
			return nil, nil, err // a problem inside that file, positioned there
		}
		var refused *refusal
		if errors.As(err, &refused) {
			return nil, nil, b.reader.refusalError(f.display, ref.Line, ref.Column, ref.Value, refused)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, &missingFile{b.refError(f, ref, err).(*SpecError)}
		}
		return nil, nil, b.refError(f, ref, err)
	}
	return tf, ptr, nil
}

// missingFile is the error of a $ref to a file that does not exist, which
// lenient mode repairs where a schema belongs.
type missingFile struct{ err *SpecError }

func (e *missingFile) Error() string { return e.err.Error() }
func (e *missingFile) Unwrap() error { return e.err }

// read returns the file u (relative to f) names, read and parsed once,
// through the ref reader, which confines it to the ref root.
func (b *bundler) read(f *refFile, u *url.URL) (*refFile, error) {
	if u.Scheme == "" && u.Host == "" && !filepath.IsAbs(filepath.FromSlash(u.Path)) {
		abs := filepath.Join(filepath.Dir(f.abs), filepath.FromSlash(u.Path))
		if tf := b.files[abs]; tf != nil {
			return tf, nil
		}
	}
	data, abs, err := b.reader.readFrom(f.abs, u)
	if err != nil {
		return nil, err
	}
	if tf := b.files[abs]; tf != nil {
		return tf, nil
	}
	if b.size += len(data); b.size > maxBundleInput {
		return nil, fmt.Errorf("the spec's files are more than the %d bytes tpgen reads in all", maxBundleInput)
	}
	rel, err := filepath.Rel(filepath.Dir(b.root.abs), abs)
	if err != nil {
		rel = abs
	}
	tf := &refFile{abs: abs, rel: filepath.ToSlash(rel), data: data, display: rel}
	if dir := filepath.Dir(b.root.display); dir != "." {
		tf.display = filepath.Join(dir, rel)
	}
	tree, err := parseRefFile(tf)
	if err != nil {
		return nil, err
	}
	tf.tree = tree
	b.input += countNodes(tree, 0)
	b.files[abs] = tf
	b.order = append(b.order, tf)
	return tf, nil
}

// parseRefFile parses a file of a spec into its top value, with tpgen's
// checks of raw text (nesting, aliases, duplicate keys, type: []).
func parseRefFile(f *refFile) (*yaml.Node, error) {
	fail := func(err error) error {
		var se *SpecError
		if errors.As(err, &se) {
			return se
		}
		return withPos(f.display, f.data, err)
	}
	if len(bytes.TrimSpace(f.data)) == 0 {
		return nil, &SpecError{File: f.display, Msg: "the file is empty: it holds no value to refer to"}
	}
	if err := checkUTF8(f.data); err != nil {
		return nil, fail(err)
	}
	ext := strings.ToLower(filepath.Ext(f.abs))
	if t := bytes.TrimSpace(f.data); (t[0] == '{' || t[0] == '[') && ext != ".yaml" && ext != ".yml" {
		// JSON (YAML files may start with a flow collection too: they are read as YAML).
		if err := checkJSONDepth(f.data); err != nil {
			return nil, fail(err)
		}
		top, err := parseJSONNode(f.data)
		if err != nil {
			return nil, fail(err)
		}
		if err := checkRaw(f.data, nil, true); err != nil {
			return nil, fail(err)
		}
		return top, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(f.data, &doc); err != nil {
		return nil, fail(err)
	}
	if err := checkYAML(&doc); err != nil {
		return nil, fail(err)
	}
	if len(doc.Content) == 0 {
		return nil, &SpecError{File: f.display, Msg: "the file holds no value to refer to"}
	}
	top := doc.Content[0]
	if err := checkRaw(f.data, top, true); err != nil {
		return nil, fail(err)
	}
	return top, nil
}

// refNode returns the value of n's $ref when n is a mapping with one that is
// a string.
func refNode(n *yaml.Node) *yaml.Node {
	if v := mappingValue(n, "$ref"); v != nil && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" {
		return v
	}
	return nil
}

// mappingValue is the value of key in mapping n, nil when n has none.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// childNode is n's value at a pointer segment: a mapping key or a list index.
func childNode(n *yaml.Node, seg string) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.MappingNode:
		return mappingValue(n, seg)
	case n.Kind == yaml.SequenceNode:
		if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(n.Content) && strconv.Itoa(i) == seg {
			return n.Content[i]
		}
	}
	return nil
}

// lookupNode follows a pointer from n.
func lookupNode(n *yaml.Node, ptr []string) *yaml.Node {
	for _, seg := range ptr {
		if n = childNode(n, seg); n == nil {
			return nil
		}
	}
	return n
}

// ParsePointer splits a URI fragment (already percent-decoded) into JSON
// pointer segments: "" and "/" are the whole document.
func ParsePointer(frag string) ([]string, error) {
	if frag == "" || frag == "/" {
		return nil, nil
	}
	if frag[0] != '/' {
		return nil, fmt.Errorf("the fragment #%s is not a JSON pointer (#/...): tpgen does not follow anchors", frag)
	}
	segs := strings.Split(frag[1:], "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return segs, nil
}

// encodePointer writes pointer segments as a JSON pointer.
func encodePointer(ptr []string) string {
	var b strings.Builder
	for _, s := range ptr {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1"))
	}
	return b.String()
}
