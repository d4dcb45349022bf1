package load

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// bundleWriter writes a bundled document as block YAML, every key and list
// item on a line of its own, so that a line kin-openapi names in an error is
// one node of one file (see lines). Scalars are written as YAML reads them
// back: strings double-quoted, other types (0x1F, .inf, timestamps) as they
// were. (Block style, though larger, loads in about half the time of the
// same document in flow style: the YAML parser's token queue is costly in
// flow collections.)
type bundleWriter struct {
	Buf    bytes.Buffer
	track  bool
	fileOf map[*yaml.Node]*refFile
	lines  []lineOrigin // per line of buf, when tracking
	Limit  int
	err    error
}

// lineOrigin is where a line of the bundled document came from.
type lineOrigin struct {
	file      *refFile
	line, col int
}

// maxImplicitKey is the longest key YAML reads without "? " before it.
const maxImplicitKey = 1000

// Document writes n as a document.
func (w *bundleWriter) Document(n *yaml.Node) error {
	for n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	w.mark(n)
	w.value(n, 0, 0, true)
	w.Buf.WriteByte('\n')
	return w.err
}

// mark records that the line being started holds n.
func (w *bundleWriter) mark(n *yaml.Node) {
	if w.track {
		w.lines = append(w.lines, lineOrigin{file: w.fileOf[n], line: n.Line, col: n.Column})
	}
}

// line ends the line and starts the next, indented, for n.
func (w *bundleWriter) line(n *yaml.Node, indent int) {
	w.Buf.WriteByte('\n')
	w.mark(n)
	for range indent {
		w.Buf.WriteByte(' ')
	}
	if w.Buf.Len() > w.Limit && w.err == nil {
		w.err = fmt.Errorf("bundling the spec's files makes a document of more than %d bytes: path items or operations are referenced too often", w.Limit)
	}
}

// value writes n where a value goes: after "key:" or "-", or at the top
// (first: nothing is on the line yet). Collections go on the next lines,
// indented.
func (w *bundleWriter) value(n *yaml.Node, indent, depth int, first bool) {
	for n.Kind == yaml.AliasNode && n.Alias != nil && depth <= MaxNesting {
		n, depth = n.Alias, depth+1
	}
	if w.err != nil {
		return
	}
	if depth > MaxNesting {
		w.err = fmt.Errorf("nested more than %d levels deep", MaxNesting)
		return
	}
	sep := func() {
		if !first {
			w.Buf.WriteByte(' ')
		}
	}
	switch {
	case n.Kind == yaml.MappingNode && len(n.Content) == 0:
		sep()
		w.tag(n, "!!map")
		w.Buf.WriteString("{}")
	case n.Kind == yaml.SequenceNode && len(n.Content) == 0:
		sep()
		w.tag(n, "!!seq")
		w.Buf.WriteString("[]")
	case n.Kind == yaml.MappingNode:
		if t := writtenTag(n, "!!map"); t != "" {
			sep()
			w.Buf.WriteString(t)
			first = false // the entries start on the next line
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !first || i > 0 {
				w.line(k, indent)
			}
			if len(k.Value) > maxImplicitKey {
				w.Buf.WriteString("? ")
				w.key(k)
				w.line(k, indent)
			} else {
				w.key(k)
			}
			w.Buf.WriteByte(':')
			w.value(n.Content[i+1], indent+2, depth+1, false)
		}
	case n.Kind == yaml.SequenceNode:
		if t := writtenTag(n, "!!seq"); t != "" {
			sep()
			w.Buf.WriteString(t)
			first = false // the entries start on the next line
		}
		for i, c := range n.Content {
			if !first || i > 0 {
				w.line(c, indent)
			}
			w.Buf.WriteByte('-')
			w.value(c, indent+2, depth+1, false)
		}
	case n.Kind == yaml.ScalarNode:
		sep()
		w.scalar(n)
	default:
		sep()
		w.Buf.WriteString("null")
	}
}

// tag writes a collection's tag when it is not the plain one.
func (w *bundleWriter) tag(n *yaml.Node, plain string) {
	if t := writtenTag(n, plain); t != "" {
		w.Buf.WriteString(t)
		w.Buf.WriteByte(' ')
	}
}

// writtenTag is the tag to write for n: "" for the plain one, and for tags
// OpenAPI has no use for that are not plain text (they are dropped: the
// value is written as what it is).
func writtenTag(n *yaml.Node, plain string) string {
	t := n.ShortTag()
	if t == plain || t == "!" || len(t) < 2 {
		return ""
	}
	for _, r := range t[1:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!-_.:/", r)) {
			return ""
		}
	}
	return t
}

func (w *bundleWriter) key(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!merge" {
		w.Buf.WriteString("<<")
		return
	}
	appendQuoted(&w.Buf, n.Value)
}

func (w *bundleWriter) scalar(n *yaml.Node) {
	switch t := n.ShortTag(); t {
	case "!!str":
		appendQuoted(&w.Buf, n.Value)
	case "!!null":
		w.Buf.WriteString("null")
	case "!!int", "!!float", "!!bool", "!!timestamp":
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			w.Buf.WriteString(t + " ") // quoted in the source, typed by an explicit tag
			appendQuoted(&w.Buf, n.Value)
			return
		}
		w.Buf.WriteString(n.Value)
	default:
		if t := writtenTag(n, "!!str"); t != "" {
			w.Buf.WriteString(t + " ")
		}
		appendQuoted(&w.Buf, n.Value)
	}
}

// appendQuoted writes s as a YAML double-quoted scalar (which JSON's strings
// also are), escaping what YAML would read as a line break or not print.
func appendQuoted(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			buf.WriteString(`\"`)
		case r == '\\':
			buf.WriteString(`\\`)
		case r == '\n':
			buf.WriteString(`\n`)
		case r == '\t':
			buf.WriteString(`\t`)
		case r == '\r':
			buf.WriteString(`\r`)
		case r < 0x20 || r >= 0x7f && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff || r == utf8.RuneError:
			fmt.Fprintf(buf, `\u%04x`, r)
		default:
			buf.WriteRune(r)
		}
	}
	buf.WriteByte('"')
}
