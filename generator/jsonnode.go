package generator

import (
	"encoding/json"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v4"
)

// parseJSONNode parses a JSON document into a yaml.Node tree that keeps the
// line and column of every value, so that referenced JSON files are walked and
// located like YAML ones. yaml.v3 would read most JSON too, but refuses some
// valid JSON (the \/ escape) and is slow on big documents. A key given twice
// keeps its last value, as encoding/json does. The caller bounds the nesting
// (checkJSONDepth): the parser recurses once per level.
func parseJSONNode(data []byte) (*yaml.Node, error) {
	p := &jsonParser{data: data, line: 1}
	p.space()
	n, err := p.value()
	if err == nil {
		p.space()
		if p.i < len(p.data) {
			err = p.errorf("invalid character %q after top-level value", p.data[p.i])
		}
	}
	if err != nil {
		// encoding/json's words and offset for what is wrong, when it sees it too.
		var v any
		if jerr := json.Unmarshal(data, &v); jerr != nil {
			if syn, ok := jerr.(*json.SyntaxError); ok {
				line, col := offsetPos(data, jsonErrorOffset(syn))
				return nil, &posError{line: line, col: col, msg: syn.Error()}
			}
		}
		return nil, err
	}
	return n, nil
}

type jsonParser struct {
	data      []byte
	i         int
	line, bol int // the current line and the offset its first byte is at
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return &posError{line: p.line, col: p.i - p.bol + 1, msg: fmt.Sprintf(format, args...)}
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

func (p *jsonParser) node(kind yaml.Kind, tag string) *yaml.Node {
	return &yaml.Node{Kind: kind, Tag: tag, Line: p.line, Column: p.i - p.bol + 1}
}

func (p *jsonParser) value() (*yaml.Node, error) {
	if p.i >= len(p.data) {
		return nil, p.errorf("unexpected end of JSON input")
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
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
		if len(p.data)-p.i >= len(lit.text) && string(p.data[p.i:p.i+len(lit.text)]) == lit.text {
			n := p.node(yaml.ScalarNode, lit.tag)
			n.Value = lit.text
			p.i += len(lit.text)
			return n, nil
		}
	}
	return nil, p.errorf("invalid character %q looking for beginning of value", p.data[p.i])
}

func (p *jsonParser) object() (*yaml.Node, error) {
	n := p.node(yaml.MappingNode, "!!map")
	p.i++ // {
	index := map[string]int{}
	p.space()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return n, nil
	}
	for {
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return nil, p.errorf("expected a string key")
		}
		k := p.node(yaml.ScalarNode, "!!str")
		k.Style = yaml.DoubleQuotedStyle
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		k.Value = s
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, p.errorf("expected : after object key")
		}
		p.i++
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if at, dup := index[s]; dup {
			n.Content[at], n.Content[at+1] = k, v
		} else {
			index[s] = len(n.Content)
			n.Content = append(n.Content, k, v)
		}
		p.space()
		if p.i < len(p.data) && p.data[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.data) && p.data[p.i] == '}' {
			p.i++
			return n, nil
		}
		return nil, p.errorf("expected , or } after object value")
	}
}

func (p *jsonParser) array() (*yaml.Node, error) {
	n := p.node(yaml.SequenceNode, "!!seq")
	p.i++ // [
	p.space()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return n, nil
	}
	for {
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.Content = append(n.Content, v)
		p.space()
		if p.i < len(p.data) && p.data[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.data) && p.data[p.i] == ']' {
			p.i++
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
			p.i++
		case c == '"':
			p.i++
			raw := p.data[start:p.i]
			if !escaped {
				return string(raw[1 : len(raw)-1]), nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
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
	n.Value = string(p.data[start:p.i])
	if !json.Valid(p.data[start:p.i]) {
		return nil, p.errorf("invalid number %s", n.Value)
	}
	if n.Tag == "!!int" {
		if _, err := strconv.ParseInt(n.Value, 10, 64); err != nil {
			n.Tag = "!!float" // too large for an int64: still a number
		}
	}
	return n, nil
}
