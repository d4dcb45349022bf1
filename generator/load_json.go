package generator

import (
	"bytes"
	"errors"
	"net/url"
	"path"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// Loading a JSON spec without kin-openapi's YAML parser. kin-openapi reads
// every document, JSON too, by parsing it into a yaml.Node tree and decoding
// that tree into its types; on a big JSON document (GitHub's, 13 MB) the
// YAML parser is most of the load, its token queue being costly in flow
// collections (it allocates about 1 GB to parse GitHub's). tpgen parses JSON
// itself (jsonnode.go), about nine times faster and allocating a tenth
// (BenchmarkParseJSON), into the tree go-yaml would have made of the same
// text, and hands that tree to the same decoder. The tree is also what inspect checks, so a
// JSON spec is parsed once.
//
// The tree must be the one go-yaml makes, or the spec would load otherwise
// than kin-openapi loads it alone. So the parser resolves scalars as go-yaml
// does (yamlNumberTag), and every text that go-yaml reads otherwise than JSON
// or refuses (a key given twice, a key longer than a YAML implicit key, an
// escaped surrogate, the characters YAML reads as line breaks or does not
// allow: differsAsYAML) takes kin-openapi's own way instead, as does every
// spec whose load fails, so that its errors are kin-openapi's words.
// FuzzJSONDoc checks the trees against go-yaml's; TestJSONDocLoad the loaded
// documents against kin-openapi's.

// jsonDoc is a JSON spec parsed into the tree go-yaml would make of it.
type jsonDoc struct {
	top *yaml.Node
	// asYAML says that go-yaml reads the text as this tree too, so that
	// kin-openapi may decode the tree instead of the text.
	asYAML bool
}

// parseJSONDoc parses a JSON spec whose nesting is bounded already
// (checkJSONDepth).
func parseJSONDoc(data []byte) (*jsonDoc, error) {
	p := newJSONParser(data, true)
	top, err := p.document()
	if err != nil {
		return nil, err
	}
	return &jsonDoc{top: top, asYAML: !p.differs && !differsAsYAML(data)}, nil
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
	doc, err := decodeSplit(jd.top)
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
// field's value on its own, into the field, so the document decoded without
// them, with each then decoded into its field, is the document decoded whole
// (TestJSONDocLoad compares them). Extensions (x-...) stay: kin-openapi
// decodes them with the struct.
var (
	docApart        = map[string]bool{"paths": true, "webhooks": true}
	componentsApart = map[string]bool{
		"schemas": true, "parameters": true, "headers": true, "requestBodies": true, "responses": true,
		"securitySchemes": true, "examples": true, "links": true, "callbacks": true,
	}
)

// decodeSplit decodes a JSON spec's tree as kin-openapi decodes it whole,
// its paths, webhooks and sections of components apart, on all cores, each
// subtree let go once decoded.
func decodeSplit(top *yaml.Node) (*openapi3.T, error) {
	root, apart := withoutKeys(top, docApart)
	var compsApart []*yaml.Node
	for i := 1; i < len(root.Content); i += 2 {
		if root.Content[i-1].Value == "components" && root.Content[i].Kind == yaml.MappingNode {
			root.Content[i], compsApart = withoutKeys(root.Content[i], componentsApart)
		}
	}
	doc := &openapi3.T{}
	if err := (&yaml.Node{Kind: yaml.DocumentNode, Line: 1, Column: 1, Content: []*yaml.Node{root}}).Decode(doc); err != nil {
		return nil, err
	}
	type part struct {
		key   string
		node  *yaml.Node
		field reflect.Value
	}
	var parts []part
	for i := 0; i+1 < len(apart); i += 2 {
		parts = append(parts, part{apart[i].Value, apart[i+1], yamlField(reflect.ValueOf(doc).Elem(), apart[i].Value)})
	}
	if doc.Components != nil {
		for i := 0; i+1 < len(compsApart); i += 2 {
			parts = append(parts, part{compsApart[i].Value, compsApart[i+1], yamlField(reflect.ValueOf(doc.Components).Elem(), compsApart[i].Value)})
		}
	}
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, p := range parts {
		if !p.field.IsValid() {
			errs[i] = errors.New("no field for " + p.key)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			v := reflect.New(p.field.Type())
			if errs[i] = p.node.Decode(v.Interface()); errs[i] == nil {
				p.field.Set(v.Elem())
			}
			p.node.Content = nil // decoded: the subtree is garbage
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return doc, nil
}

// withoutKeys returns a copy of mapping n without the keys named, and the
// keys and values left out.
func withoutKeys(n *yaml.Node, keys map[string]bool) (*yaml.Node, []*yaml.Node) {
	light := *n
	light.Content = nil
	var apart []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if keys[n.Content[i].Value] {
			apart = append(apart, n.Content[i], n.Content[i+1])
		} else {
			light.Content = append(light.Content, n.Content[i], n.Content[i+1])
		}
	}
	return &light, apart
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
