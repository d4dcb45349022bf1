package load

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v4"
)

// parseJSONNode parses a JSON document into a yaml.Node tree that keeps the
// line and column of every value, so that referenced JSON files are walked and
// located like YAML ones. yaml.v3 would read most JSON too, but refuses some
// valid JSON (the \/ escape) and is slow on big documents. A key given twice
// keeps its last value, as encoding/json does. The parser recurses once per
// level, to maxNesting levels, where it stops as checkJSONDepth does.
func parseJSONNode(data []byte) (*yaml.Node, error) {
	return newJSONParser(data, string(data), false).Document()
}

// jsonParser reads JSON into yaml.Nodes. Big specs are millions of nodes, so
// it allocates little per node: nodes come from slabs, every collection's
// content is gathered on one stack and copied out at its exact size, and
// strings without escapes are slices of one copy of the text.
//
// It can also read without keeping what it reads below a depth (keep), for
// inspect: the nodes below are reused, what inspect looks for is noted as the
// objects are read, and the spans of the values spanAt names are recorded, to
// be parsed (and let go) one at a time later (see load_json.go).
type jsonParser struct {
	data      []byte
	src       string // data as a string: unescaped strings are slices of it
	i         int
	line, bol int // the current line and the offset its first byte is at
	stack     []*yaml.Node
	slab      []yaml.Node
	// asYAML reads scalars and collections as go-yaml reads the same text
	// (see parseJSONDoc); differs is then set when go-yaml would read the
	// text otherwise than encoding/json, or refuse it.
	asYAML  bool
	Differs bool

	keep   int          // collections at a depth below keep keep their content
	free   []*yaml.Node // nodes read and no longer kept, to reuse
	path   []string     // the keys of the objects the parser is in
	arrays int          // the arrays it is in
	// spanAt says whether the span of the value at path (keys of objects
	// only) is recorded in spans.
	spanAt func(path []string) bool
	spans  []jsonSpan
	// What inspect looks for (see inspect_json.go), noted as objects and
	// arrays are read; a key given twice may note what its last value does
	// not say, which only makes inspect look at the text.
	emptyType bool // an object with "type": []
	badIn     bool // an object with a name and "in": "body" or "formData"
	nullOp    bool // a path item of the document's paths with an operation that is null
}

// maxSpanDepth is the deepest a recorded span may be.
const maxSpanDepth = 3

// jsonSpan is where a value is in the text, and the keys that lead to it.
type jsonSpan struct {
	Path                  []string
	start, end, line, bol int
}

// newJSONParser reads data, a JSON text that src names in messages; with
// asYAML, scalars and collections are read as go-yaml reads the same text
// (see ParseJSONDoc).
func newJSONParser(data []byte, src string, asYAML bool) *jsonParser {
	return &jsonParser{data: data, src: src, line: 1, asYAML: asYAML, keep: math.MaxInt}
}

// Document parses the whole text as one value.
func (p *jsonParser) Document() (*yaml.Node, error) {
	p.space()
	n, err := p.value(nil, 0)
	if err == nil {
		p.space()
		if p.i < len(p.data) {
			err = p.errorf("invalid character %q after top-level value", p.data[p.i])
		}
	}
	if err != nil {
		// encoding/json's words and offset for what is wrong, when it sees it too.
		var v any
		if jerr := json.Unmarshal(p.data, &v); jerr != nil {
			if syn, ok := jerr.(*json.SyntaxError); ok {
				line, col := offsetPos(p.data, jsonErrorOffset(syn))
				return nil, &posError{Line: line, Col: col, Msg: syn.Error()}
			}
		}
		return nil, err
	}
	return n, nil
}

// SpanValue parses the value of a span recorded earlier from the same text.
func (p *jsonParser) SpanValue(s jsonSpan) (*yaml.Node, error) {
	p.i, p.line, p.bol = s.start, s.line, s.bol
	n, err := p.value(nil, 0)
	if err == nil && p.i != s.end {
		err = p.errorf("the value ends at %d, not at %d", p.i, s.end)
	}
	return n, err
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return &posError{Line: p.line, Col: p.i - p.bol + 1, Msg: fmt.Sprintf(format, args...)}
}

func (p *jsonParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case '\n':
			p.line++
			p.bol = p.i + 1
		case ' ', '\t', '\r':
		default:
			return
		}
		p.i++
	}
}

// slabSize is how many nodes are allocated at once.
const slabSize = 512

func (p *jsonParser) node(kind yaml.Kind, tag string) *yaml.Node {
	var n *yaml.Node
	if k := len(p.free); k > 0 {
		n, p.free = p.free[k-1], p.free[:k-1]
		*n = yaml.Node{}
	} else {
		if len(p.slab) == 0 {
			p.slab = make([]yaml.Node, slabSize)
		}
		n, p.slab = &p.slab[0], p.slab[1:]
	}
	n.Kind, n.Tag, n.Line, n.Column = kind, tag, p.line, p.i-p.bol+1
	if p.asYAML && kind != yaml.ScalarNode {
		n.Style = yaml.FlowStyle
	}
	return n
}

// value reads the value at p.i, at depth (the document is 0); key is its
// key when it is an object's member.
func (p *jsonParser) value(key *yaml.Node, depth int) (*yaml.Node, error) {
	if p.i >= len(p.data) {
		return nil, p.errorf("unexpected end of JSON input")
	}
	switch c := p.data[p.i]; {
	case (c == '{' || c == '[') && depth >= MaxNesting:
		return nil, p.errorf("nested more than %d levels deep", MaxNesting)
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(key, depth)
	case c == '"':
		n := p.node(yaml.ScalarNode, "!!str")
		n.Style = yaml.DoubleQuotedStyle
		s, err := p.str()
		n.Value = s
		return n, err
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	for _, lit := range []struct{ text, tag string }{{"true", "!!bool"}, {"false", "!!bool"}, {"null", "!!null"}} {
		if len(p.data)-p.i >= len(lit.text) && p.src[p.i:p.i+len(lit.text)] == lit.text {
			n := p.node(yaml.ScalarNode, lit.tag)
			n.Value = lit.text
			p.i += len(lit.text)
			return n, nil
		}
	}
	return nil, p.errorf("invalid character %q looking for beginning of value", p.data[p.i])
}

// content moves the nodes gathered on the stack since mark into a slice of
// their own, or, below the depth kept, lets them go for reuse.
func (p *jsonParser) content(mark, depth int) []*yaml.Node {
	var c []*yaml.Node
	if depth < p.keep {
		if len(p.stack) > mark {
			c = make([]*yaml.Node, len(p.stack)-mark)
			copy(c, p.stack[mark:])
		}
	} else {
		p.free = append(p.free, p.stack[mark:]...)
	}
	clear(p.stack[mark:])
	p.stack = p.stack[:mark]
	return c
}

func (p *jsonParser) object(depth int) (*yaml.Node, error) {
	n := p.node(yaml.MappingNode, "!!map")
	mark := len(p.stack)
	p.i++ // {
	p.space()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return n, nil
	}
	var index map[string]int // of the keys, once there are many
	for {
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return nil, p.errorf("expected a string key")
		}
		k := p.node(yaml.ScalarNode, "!!str")
		k.Style = yaml.DoubleQuotedStyle
		start := p.i
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		if p.i-start > maxImplicitKey {
			// go-yaml reads a key this long in a flow mapping otherwise.
			p.Differs = true
		}
		k.Value = s
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, p.errorf("expected : after object key")
		}
		p.i++
		p.space()
		p.path = append(p.path, s)
		span := jsonSpan{start: p.i, line: p.line, bol: p.bol}
		v, err := p.value(k, depth+1)
		if err != nil {
			return nil, err
		}
		if p.spanAt != nil && p.arrays == 0 && len(p.path) <= maxSpanDepth && p.spanAt(p.path) {
			span.Path, span.end = slices.Clone(p.path), p.i
			p.spans = append(p.spans, span)
		}
		p.path = p.path[:len(p.path)-1]
		at := -1
		pairs := p.stack[mark:]
		switch {
		case index != nil:
			if j, ok := index[s]; ok {
				at = j
			}
		case len(pairs) < 32:
			for j := 0; j < len(pairs); j += 2 {
				if pairs[j].Value == s {
					at = j
					break
				}
			}
		default:
			index = make(map[string]int, len(pairs))
			for j := 0; j < len(pairs); j += 2 {
				index[pairs[j].Value] = j
			}
			if j, ok := index[s]; ok {
				at = j
			}
		}
		if at >= 0 {
			// The last value wins, at the first key's place; go-yaml refuses
			// the document.
			p.free = append(p.free, pairs[at], pairs[at+1])
			pairs[at], pairs[at+1] = k, v
			p.Differs = true
		} else {
			if index != nil {
				index[s] = len(pairs)
			}
			p.stack = append(p.stack, k, v)
		}
		p.space()
		if p.i < len(p.data) && p.data[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.data) && p.data[p.i] == '}' {
			p.i++
			p.noteObject(p.stack[mark:])
			n.Content = p.content(mark, depth)
			return n, nil
		}
		return nil, p.errorf("expected , or } after object value")
	}
}

// noteObject notes what inspect looks for in an object's keys and values.
func (p *jsonParser) noteObject(pairs []*yaml.Node) {
	named, badIn := false, false
	item := p.arrays == 0 && len(p.path) == 2 && p.path[0] == "paths"
	for j := 0; j+1 < len(pairs); j += 2 {
		switch k, v := pairs[j].Value, pairs[j+1]; {
		case k == "name":
			named = true
		case k == "in":
			badIn = v.Kind == yaml.ScalarNode && (v.Value == "body" || v.Value == "formData")
		case item && v.Tag == "!!null" && slices.Contains(MethodKeys, k):
			p.nullOp = true
		}
	}
	p.badIn = p.badIn || named && badIn
}

func (p *jsonParser) array(key *yaml.Node, depth int) (*yaml.Node, error) {
	n := p.node(yaml.SequenceNode, "!!seq")
	mark := len(p.stack)
	p.i++ // [
	p.space()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		if key != nil && key.Value == "type" {
			p.emptyType = true
		}
		return n, nil
	}
	p.arrays++
	for {
		p.space()
		v, err := p.value(nil, depth+1)
		if err != nil {
			return nil, err
		}
		p.stack = append(p.stack, v)
		p.space()
		if p.i < len(p.data) && p.data[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.data) && p.data[p.i] == ']' {
			p.i++
			p.arrays--
			n.Content = p.content(mark, depth)
			return n, nil
		}
		return nil, p.errorf("expected , or ] after array element")
	}
}

// str reads a string at p.i, which is its opening quote.
func (p *jsonParser) str() (string, error) {
	start := p.i
	escaped := false
	for p.i++; p.i < len(p.data); p.i++ {
		switch c := p.data[p.i]; {
		case c == '\\':
			escaped = true
			if p.asYAML && p.i+2 < len(p.data) && p.data[p.i+1] == 'u' && (p.data[p.i+2] == 'd' || p.data[p.i+2] == 'D') {
				// \uD800-\uDFFF (surrogates: go-yaml refuses them) or
				// \uD000-\uD7FF (checked no closer: rare, and only slower).
				p.Differs = true
			}
			p.i++
		case c == '"':
			p.i++
			if !escaped {
				return p.src[start+1 : p.i-1], nil
			}
			var s string
			if err := json.Unmarshal(p.data[start:p.i], &s); err != nil {
				return "", p.errorf("invalid string: %v", err)
			}
			return s, nil
		case c < 0x20:
			return "", p.errorf("invalid character %q in string literal", c)
		}
	}
	return "", p.errorf("unexpected end of JSON input in a string")
}

func (p *jsonParser) number() (*yaml.Node, error) {
	n := p.node(yaml.ScalarNode, "!!int")
	start := p.i
	for p.i < len(p.data) {
		c := p.data[p.i]
		if c == '.' || c == 'e' || c == 'E' {
			n.Tag = "!!float"
		} else if !(c == '-' || c == '+' || c >= '0' && c <= '9') {
			break
		}
		p.i++
	}
	n.Value = p.src[start:p.i]
	if !json.Valid(p.data[start:p.i]) {
		return nil, p.errorf("invalid number %s", n.Value)
	}
	switch {
	case p.asYAML:
		n.Tag = yamlNumberTag(n.Value)
	case n.Tag == "!!int":
		if _, err := strconv.ParseInt(n.Value, 10, 64); err != nil {
			n.Tag = "!!float" // too large for an int64: still a number
		}
	}
	return n, nil
}
