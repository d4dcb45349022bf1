package generator

import (
	"bytes"
	"errors"
	"net/url"
	"path"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// Loading a JSON spec without kin-openapi's YAML parser. kin-openapi reads
// every document, JSON too, by parsing it into a yaml.Node tree and decoding
// that tree into its types; on a big JSON document (GitHub's, 13 MB) the
// YAML parser is most of the load, its token queue being costly in flow
// collections (it allocates about 1 GB to parse GitHub's). tpgen parses JSON
// itself (jsonnode.go), about nine times faster and allocating a tenth
// (BenchmarkParseJSON), into the trees go-yaml would have made of the same
// text, and hands them to the same decoder.
//
// Nor is the whole tree ever held: a node is 176 bytes, and GitHub's tree
// (475,000 nodes, 80 MB) would be more than the loaded document. inspect reads
// the text once without keeping what it reads (jsonParser.keep), noting what
// its checks look for and where the values of the document, of its
// components and of their sections are (spans); the load then parses those
// values one at a time, on all cores, each decoded into its place in the
// document and let go (decodeSplit).
//
// The trees must be the ones go-yaml makes, or the spec would load otherwise
// than kin-openapi loads it alone. So the parser resolves scalars as go-yaml
// does (yamlNumberTag), and every text that go-yaml reads otherwise than JSON
// or refuses (a key given twice, a key longer than a YAML implicit key, an
// escaped surrogate, the characters YAML reads as line breaks or does not
// allow: differsAsYAML) takes kin-openapi's own way instead, as does every
// spec whose load fails, so that its errors are kin-openapi's words.
// FuzzJSONDoc checks the trees against go-yaml's, FuzzJSONScan the notes and
// spans against the tree, TestJSONDocLoad the loaded documents against
// kin-openapi's.

// jsonDoc is a JSON spec as inspect read it.
type jsonDoc struct {
	data []byte
	src  string // data as a string, which the parsed strings are slices of
	// top is the top-level object: its keys, and its values, collections
	// without their content (spans has them).
	top   *yaml.Node
	spans []jsonSpan // see docSpan
	// asYAML says that go-yaml reads the text as these trees too, so that
	// kin-openapi may decode them instead of the text.
	asYAML bool
	// What inspect's checks look for (see jsonParser).
	emptyType, badIn, nullOp bool
}

// docSpan says which spans inspect records: the document's values, its
// components' values, and the objects of the sections of its components
// (schemas, parameters, ...).
func docSpan(path []string) bool {
	switch len(path) {
	case 1:
		return true
	case 2:
		return path[0] == "components"
	case 3:
		return path[0] == "components" && componentsApart[path[1]]
	}
	return false
}

// parseJSONDoc reads a JSON spec, keeping its top level only. It refuses
// what checkJSONDepth refuses, at the same place.
func parseJSONDoc(data []byte) (*jsonDoc, error) {
	p := newJSONParser(data, string(data), true)
	p.keep, p.spanAt = 1, docSpan
	top, err := p.document()
	if err != nil {
		return nil, err
	}
	return &jsonDoc{
		data: data, src: p.src, top: top, spans: p.spans,
		asYAML:    !p.differs && !differsAsYAML(data),
		emptyType: p.emptyType, badIn: p.badIn, nullOp: p.nullOp,
	}, nil
}

// yamlNumberTag is the tag go-yaml resolves a JSON number to (its resolver
// as it is for plain scalars: -0 is a float, integers beyond int64 up to
// uint64 are integers, numbers beyond float64 are strings).
func yamlNumberTag(s string) string {
	if s == "-0" || s == "-0.0" {
		return "!!float"
	}
	if _, err := strconv.ParseInt(s, 0, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseUint(s, 0, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return "!!float"
	}
	return "!!str"
}

// yamlDiffers are the characters (in UTF-8) that go-yaml does not read as
// JSON does: DEL, which YAML does not allow; U+2028 and U+2029, which it
// reads as line breaks; U+FEFF, a byte order mark; U+FFFE and U+FFFF, not
// allowed. (C1 controls and U+0085, a line break, are looked for apart.)
var yamlDiffers = [][]byte{{0x7f}, []byte("\u2028"), []byte("\u2029"), []byte("\ufeff"), {0xef, 0xbf, 0xbe}, {0xef, 0xbf, 0xbf}}

// differsAsYAML reports whether data (UTF-8, checked already) holds a
// character go-yaml reads otherwise than JSON or refuses.
func differsAsYAML(data []byte) bool {
	for _, seq := range yamlDiffers {
		if bytes.Contains(data, seq) {
			return true
		}
	}
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], 0xc2)
		if j < 0 {
			return false
		}
		i += j + 1
		if i < len(data) && data[i] >= 0x80 && data[i] <= 0x9f {
			return true // U+0080-U+009F: C1 controls, and U+0085
		}
	}
}

// errNotLocal stops a load from a tree at the first $ref to another file.
var errNotLocal = errors.New("a $ref to another document")

// loadJSONDoc loads a parsed JSON spec as kin-openapi's loader loads the
// text at loc (LoadFromDataWithPath), as long as every $ref in it is local:
// at the first that is not, it fails with errNotLocal, and the spec is loaded
// as text (which reads the other file through the ref reader).
func loadJSONDoc(jd *jsonDoc, loc *url.URL) (*openapi3.T, error) {
	l := openapi3.NewLoader()
	l.IsExternalRefsAllowed = true
	l.ReadFromURIFunc = func(*openapi3.Loader, *url.URL) ([]byte, error) { return nil, errNotLocal }
	l.JoinFunc = func(base, rel *url.URL) *url.URL {
		u := *base
		u.Path = path.Join(path.Dir(base.Path), rel.Path)
		return &u
	}
	// The loader keeps the root document's location from its first load, and
	// resolves discriminator mappings by it (a local one in the root is left
	// as written): a first load of an empty document at loc sets it, as
	// loading the spec's text would.
	if _, err := l.LoadFromDataWithPath([]byte(`{"openapi":"3.0.0","info":{"title":"","version":""},"paths":{}}`), loc); err != nil {
		return nil, err
	}
	doc, err := decodeSplit(jd)
	if err != nil {
		return nil, err
	}
	if err := l.ResolveRefsIn(doc, loc); err != nil {
		return nil, err
	}
	return doc, nil
}

// Keys of a document, and of its components, whose values are decoded apart
// (and at once, on all cores). Decoding a struct decodes each declared
// field's value on its own, into the field, and a map each value into its
// key, so the document decoded without them, with each then decoded into its
// field (a section of the components one object at a time), is the document
// decoded whole (TestJSONDocLoad compares them). Extensions (x-...) stay:
// kin-openapi decodes them with the struct.
var (
	docApart        = map[string]bool{"paths": true, "webhooks": true}
	componentsApart = map[string]bool{
		"schemas": true, "parameters": true, "headers": true, "requestBodies": true, "responses": true,
		"securitySchemes": true, "examples": true, "links": true, "callbacks": true,
	}
)

// jsonPart is a value decoded apart: into field, or, with key, into the
// map field at key.
type jsonPart struct {
	span  jsonSpan
	field reflect.Value
	key   string
	entry bool
	value reflect.Value // decoded
	err   error
}

// decodeSplit decodes a JSON spec read by parseJSONDoc as kin-openapi
// decodes its tree: the document but for what is decoded apart, then those
// parts, on all cores, each parsed from its span and let go once decoded.
func decodeSplit(jd *jsonDoc) (*openapi3.T, error) {
	top := make(map[string]jsonSpan, len(jd.top.Content)/2) // the spans of the document's values
	for _, s := range jd.spans {
		if len(s.path) == 1 {
			top[s.path[0]] = s
		}
	}
	p := newJSONParser(jd.data, jd.src, true)
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: jd.top.Style, Line: jd.top.Line, Column: jd.top.Column}
	var docParts, compParts []jsonSpan // decoded apart
	for i := 0; i+1 < len(jd.top.Content); i += 2 {
		k := jd.top.Content[i]
		s, ok := top[k.Value]
		if !ok {
			return nil, errors.New("no span for " + k.Value)
		}
		switch {
		case docApart[k.Value]:
			docParts = append(docParts, s)
			continue
		case k.Value == "components" && jd.data[s.start] == '{':
			// The components, but for their sections.
			comps := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Line: s.line, Column: s.start - s.bol + 1}
			for _, cs := range jd.spans {
				if len(cs.path) != 2 || cs.path[0] != "components" {
					continue
				}
				if componentsApart[cs.path[1]] {
					compParts = append(compParts, cs)
					continue
				}
				v, err := p.spanValue(cs)
				if err != nil {
					return nil, err
				}
				comps.Content = append(comps.Content, spanKey(cs), v)
			}
			root.Content = append(root.Content, k, comps)
			continue
		}
		v, err := p.spanValue(s)
		if err != nil {
			return nil, err
		}
		root.Content = append(root.Content, k, v)
	}
	doc := &openapi3.T{}
	if err := (&yaml.Node{Kind: yaml.DocumentNode, Line: 1, Column: 1, Content: []*yaml.Node{root}}).Decode(doc); err != nil {
		return nil, err
	}

	var parts []*jsonPart
	docValue := reflect.ValueOf(doc).Elem()
	for _, s := range docParts {
		parts = append(parts, &jsonPart{span: s, field: yamlField(docValue, s.path[0])})
	}
	type section struct {
		field reflect.Value
		parts []*jsonPart
	}
	var sections []*section
	if len(compParts) > 0 {
		if doc.Components == nil {
			return nil, errors.New("no components decoded")
		}
		compsValue := reflect.ValueOf(doc.Components).Elem()
		for _, s := range compParts {
			field := yamlField(compsValue, s.path[1])
			if jd.data[s.start] != '{' {
				parts = append(parts, &jsonPart{span: s, field: field})
				continue
			}
			sec := &section{field: field}
			for _, es := range jd.spans {
				if len(es.path) == 3 && es.path[0] == "components" && es.path[1] == s.path[1] {
					sec.parts = append(sec.parts, &jsonPart{span: es, field: field, key: es.path[2], entry: true})
				}
			}
			sections = append(sections, sec)
			parts = append(parts, sec.parts...)
		}
	}
	if err := decodeParts(jd, parts); err != nil {
		return nil, err
	}
	for _, sec := range sections {
		m := reflect.MakeMapWithSize(sec.field.Type(), len(sec.parts))
		for _, part := range sec.parts {
			m.SetMapIndex(reflect.ValueOf(part.key).Convert(m.Type().Key()), part.value)
		}
		sec.field.Set(m)
	}
	for _, part := range parts {
		if !part.entry {
			part.field.Set(part.value)
		}
	}
	return doc, nil
}

// decodeParts parses and decodes the parts, as many at once as GOMAXPROCS
// allows, the largest first.
func decodeParts(jd *jsonDoc, parts []*jsonPart) error {
	for _, part := range parts {
		if !part.field.IsValid() {
			return errors.New("no field for " + strings.Join(part.span.path, "/"))
		}
	}
	order := slices.Clone(parts)
	slices.SortStableFunc(order, func(a, b *jsonPart) int { return (b.span.end - b.span.start) - (a.span.end - a.span.start) })
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(order)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newJSONParser(jd.data, jd.src, true)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(order) {
					return
				}
				part := order[i]
				t := part.field.Type()
				if part.entry {
					t = t.Elem()
				}
				n, err := p.spanValue(part.span)
				if err == nil {
					v := reflect.New(t)
					if err = n.Decode(v.Interface()); err == nil {
						part.value = v.Elem()
					}
				}
				part.err = err
			}
		}()
	}
	wg.Wait()
	for _, part := range parts {
		if part.err != nil {
			return part.err
		}
	}
	return nil
}

// spanKey is the key node of the value at a span.
func spanKey(s jsonSpan) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: s.path[len(s.path)-1]}
}

// yamlField is the field of struct v that the yaml key names.
func yamlField(v reflect.Value, key string) reflect.Value {
	t := v.Type()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name == key {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}
