package load

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
	Data []byte
	Src  string // data as a string, which the parsed strings are slices of
	// Top is the top-level object: its keys, and its values, collections
	// without their content (spans has them).
	Top   *yaml.Node
	Spans []jsonSpan // see docSpan
	// AsYAML says that go-yaml reads the text as these trees too, so that
	// kin-openapi may decode them instead of the text.
	AsYAML bool
	// What inspect's checks look for (see jsonParser).
	EmptyType, BadIn, NullOp bool
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
	top, err := p.Document()
	if err != nil {
		return nil, err
	}
	return &jsonDoc{
		Data: data, Src: p.src, Top: top, Spans: p.spans,
		AsYAML:    !p.Differs && !differsAsYAML(data),
		EmptyType: p.emptyType, BadIn: p.badIn, NullOp: p.nullOp,
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

// jsonPart is a value decoded apart: a field of the document or of its
// components (field), or an object of a section of the components (the map
// field, at key).
type jsonPart struct {
	span  jsonSpan
	typ   reflect.Type // of the value decoded
	field string       // the field's yaml key
	key   string       // for an object of a section: its key
	entry bool
	value reflect.Value // decoded
	err   error
}

// decodeSplit decodes a JSON spec read by parseJSONDoc as kin-openapi
// decodes its tree: the document but for what is decoded apart, and those
// parts, each parsed from its span and let go once decoded, all on all
// cores; then each part is set in its place.
func decodeSplit(jd *jsonDoc) (*openapi3.T, error) {
	top := make(map[string]jsonSpan, len(jd.Top.Content)/2) // the spans of the document's values
	for _, s := range jd.Spans {
		if len(s.Path) == 1 {
			top[s.Path[0]] = s
		}
	}
	var light []jsonSpan       // the document's values that are not apart, components but for their sections
	var parts []*jsonPart      // what is apart
	var sections []string      // the sections of the components decoded one object at a time
	comps := jsonSpan{end: -1} // the components, when they are an object
	docType, compsType := reflect.TypeFor[openapi3.T](), reflect.TypeFor[openapi3.Components]()
	for i := 0; i+1 < len(jd.Top.Content); i += 2 {
		k := jd.Top.Content[i].Value
		s, ok := top[k]
		if !ok {
			return nil, errors.New("no span for " + k)
		}
		switch {
		case docApart[k]:
			parts = append(parts, &jsonPart{span: s, typ: yamlFieldType(docType, k), field: k})
		case k == "components" && jd.Data[s.start] == '{':
			comps = s
			for _, cs := range jd.Spans {
				if len(cs.Path) != 2 || cs.Path[0] != "components" || !componentsApart[cs.Path[1]] {
					continue
				}
				sec := cs.Path[1]
				t := yamlFieldType(compsType, sec)
				if jd.Data[cs.start] != '{' || t == nil || t.Kind() != reflect.Map {
					parts = append(parts, &jsonPart{span: cs, typ: t, field: sec})
					continue
				}
				sections = append(sections, sec)
				for _, es := range jd.Spans {
					if len(es.Path) == 3 && es.Path[0] == "components" && es.Path[1] == sec {
						parts = append(parts, &jsonPart{span: es, typ: t.Elem(), field: sec, key: es.Path[2], entry: true})
					}
				}
			}
		default:
			light = append(light, s)
		}
	}
	for _, part := range parts {
		if part.typ == nil {
			return nil, errors.New("no field for " + strings.Join(part.span.Path, "/"))
		}
	}
	var doc *openapi3.T
	var docErr error
	done := make(chan struct{})
	go func() {
		// The document itself, beside the parts.
		defer close(done)
		doc, docErr = decodeLight(jd, light, comps)
	}()
	partsErr := decodeParts(jd, parts)
	<-done
	if err := errors.Join(docErr, partsErr); err != nil {
		return nil, err
	}
	docValue := reflect.ValueOf(doc).Elem()
	var compsValue reflect.Value
	if doc.Components != nil {
		compsValue = reflect.ValueOf(doc.Components).Elem()
	}
	field := func(part *jsonPart) (reflect.Value, error) {
		if len(part.span.Path) == 1 {
			return yamlField(docValue, part.field), nil
		}
		if !compsValue.IsValid() {
			return reflect.Value{}, errors.New("no components decoded")
		}
		return yamlField(compsValue, part.field), nil
	}
	maps := map[string]reflect.Value{}
	for _, sec := range sections {
		maps[sec] = reflect.MakeMap(yamlFieldType(compsType, sec))
	}
	for _, part := range parts {
		if part.entry {
			m := maps[part.field]
			m.SetMapIndex(reflect.ValueOf(part.key).Convert(m.Type().Key()), part.value)
			continue
		}
		f, err := field(part)
		if err != nil {
			return nil, err
		}
		f.Set(part.value)
	}
	for _, sec := range sections {
		if !compsValue.IsValid() {
			return nil, errors.New("no components decoded")
		}
		yamlField(compsValue, sec).Set(maps[sec])
	}
	return doc, nil
}

// decodeLight decodes the document from the spans of its values that are
// not decoded apart, and of its components' (comps, end -1 when they are not
// an object) but for their sections.
func decodeLight(jd *jsonDoc, light []jsonSpan, comps jsonSpan) (*openapi3.T, error) {
	p := newJSONParser(jd.Data, jd.Src, true)
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: jd.Top.Style, Line: jd.Top.Line, Column: jd.Top.Column}
	add := func(n *yaml.Node, s jsonSpan) error {
		v, err := p.SpanValue(s)
		if err == nil {
			n.Content = append(n.Content, spanKey(s), v)
		}
		return err
	}
	// In the document's order: the components among the others.
	for _, s := range light {
		if comps.end >= 0 && comps.start < s.start {
			if err := lightComponents(jd, p, root, comps, add); err != nil {
				return nil, err
			}
			comps.end = -1
		}
		if err := add(root, s); err != nil {
			return nil, err
		}
	}
	if comps.end >= 0 {
		if err := lightComponents(jd, p, root, comps, add); err != nil {
			return nil, err
		}
	}
	doc := &openapi3.T{}
	if err := (&yaml.Node{Kind: yaml.DocumentNode, Line: 1, Column: 1, Content: []*yaml.Node{root}}).Decode(doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// lightComponents adds the components, but for their sections, to root.
func lightComponents(jd *jsonDoc, p *jsonParser, root *yaml.Node, comps jsonSpan, add func(*yaml.Node, jsonSpan) error) error {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Line: comps.line, Column: comps.start - comps.bol + 1}
	for _, cs := range jd.Spans {
		if len(cs.Path) == 2 && cs.Path[0] == "components" && !componentsApart[cs.Path[1]] {
			if err := add(n, cs); err != nil {
				return err
			}
		}
	}
	root.Content = append(root.Content, spanKey(comps), n)
	return nil
}

// decodeParts parses and decodes the parts, as many at once as GOMAXPROCS
// allows, the largest first.
func decodeParts(jd *jsonDoc, parts []*jsonPart) error {
	order := slices.Clone(parts)
	slices.SortStableFunc(order, func(a, b *jsonPart) int { return (b.span.end - b.span.start) - (a.span.end - a.span.start) })
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(order)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newJSONParser(jd.Data, jd.Src, true)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(order) {
					return
				}
				part := order[i]
				n, err := p.SpanValue(part.span)
				if err == nil {
					v := reflect.New(part.typ)
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
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: s.Path[len(s.Path)-1]}
}

// yamlField is the field of struct v that the yaml key names.
func yamlField(v reflect.Value, key string) reflect.Value {
	if i := yamlFieldIndex(v.Type(), key); i >= 0 {
		return v.Field(i)
	}
	return reflect.Value{}
}

// yamlFieldType is the type of the field of struct type t that the yaml key
// names, nil when none does.
func yamlFieldType(t reflect.Type, key string) reflect.Type {
	if i := yamlFieldIndex(t, key); i >= 0 {
		return t.Field(i).Type
	}
	return nil
}

func yamlFieldIndex(t reflect.Type, key string) int {
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name == key {
			return i
		}
	}
	return -1
}
