package generator

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// bundleWriter writes a bundled document as YAML in flow style (JSON's
// syntax, with YAML's scalars: 0x1F, .inf and timestamps stay what they were),
// one key or list item per line, so that a line kin-openapi names in an
// error is one node of one file (see lines).
type bundleWriter struct {
	buf    bytes.Buffer
	track  bool
	fileOf map[*yaml.Node]*refFile
	lines  []lineOrigin // per line of buf, when tracking
	limit  int
	err    error
}

// lineOrigin is where a line of the bundled document came from.
type lineOrigin struct {
	file      *refFile
	line, col int
}

func (w *bundleWriter) document(n *yaml.Node) error {
	w.mark(n)
	w.value(n, 0)
	w.buf.WriteByte('\n')
	return w.err
}

// mark records that the line being started holds n.
func (w *bundleWriter) mark(n *yaml.Node) {
	if w.track {
		w.lines = append(w.lines, lineOrigin{file: w.fileOf[n], line: n.Line, col: n.Column})
	}
}

func (w *bundleWriter) newline(n *yaml.Node) {
	w.buf.WriteByte('\n')
	w.mark(n)
	if w.buf.Len() > w.limit && w.err == nil {
		w.err = fmt.Errorf("bundling the spec's files makes a document of more than %d bytes: path items or operations are referenced too often", w.limit)
	}
}

func (w *bundleWriter) value(n *yaml.Node, depth int) {
	for n.Kind == yaml.AliasNode && n.Alias != nil && depth <= maxNesting {
		n, depth = n.Alias, depth+1
	}
	if w.err != nil {
		return
	}
	if depth > maxNesting {
		w.err = fmt.Errorf("nested more than %d levels deep", maxNesting)
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			w.value(n.Content[0], depth)
		}
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			w.tag(n, "!!map")
			w.buf.WriteString("{}")
			return
		}
		w.tag(n, "!!map")
		w.buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			w.newline(n.Content[i])
			w.key(n.Content[i])
			w.buf.WriteString(": ")
			w.value(n.Content[i+1], depth+1)
			if i+2 < len(n.Content) {
				w.buf.WriteByte(',')
			}
		}
		w.newline(n)
		w.buf.WriteByte('}')
	case yaml.SequenceNode:
		w.tag(n, "!!seq")
		if len(n.Content) == 0 {
			w.buf.WriteString("[]")
			return
		}
		w.buf.WriteByte('[')
		for i, c := range n.Content {
			w.newline(c)
			w.value(c, depth+1)
			if i+1 < len(n.Content) {
				w.buf.WriteByte(',')
			}
		}
		w.newline(n)
		w.buf.WriteByte(']')
	case yaml.ScalarNode:
		w.scalar(n)
	default:
		w.buf.WriteString("null")
	}
}

// tag writes a collection's tag when it is not the plain one.
func (w *bundleWriter) tag(n *yaml.Node, plain string) {
	if t := n.ShortTag(); t != plain && t != "" {
		w.buf.WriteString(t)
		w.buf.WriteByte(' ')
	}
}

func (w *bundleWriter) key(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!merge" {
		w.buf.WriteString("<<")
		return
	}
	appendQuoted(&w.buf, n.Value)
}

func (w *bundleWriter) scalar(n *yaml.Node) {
	switch t := n.ShortTag(); t {
	case "!!str":
		appendQuoted(&w.buf, n.Value)
	case "!!null":
		w.buf.WriteString("null")
	case "!!int", "!!float", "!!bool", "!!timestamp":
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			w.buf.WriteString(t + " ") // quoted in the source, typed by an explicit tag
			appendQuoted(&w.buf, n.Value)
			return
		}
		w.buf.WriteString(n.Value)
	default:
		w.buf.WriteString(t + " ")
		appendQuoted(&w.buf, n.Value)
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
