package load

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// Swagger 2.0 documents are converted to OpenAPI 3 in memory by
// kin-openapi, which words its errors in the converted document's terms
// (#/components/schemas/Pet, without a line) rather than the user's
// (#/definitions/Pet, at its $ref). So tpgen reads the document's tree
// first: a $ref to a definition, parameter or response the document does not
// have is an error at the $ref (in lenient mode, a dangling $ref to a
// definition is raw JSON), and documentation fields that are not text are
// left out, as for OpenAPI 3 (see bundle_docs.go). Messages about the
// converted document name the document's own places (see swagger2Keys).

// loadSwagger2 reads a Swagger 2.0 document and converts it.
func (sp *Spec) loadSwagger2() error {
	var tree *yaml.Node
	var err error
	if isJSON(sp.data) {
		tree, err = parseJSONNode(sp.data)
	} else {
		var doc yaml.Node
		if err = yaml.Unmarshal(sp.data, &doc); err == nil && len(doc.Content) > 0 {
			tree = doc.Content[0]
		}
	}
	if err != nil || tree == nil {
		// inspect parsed it already; should this fail, the decoder words it.
		sp.Doc, err = loadSwagger2(sp.data)
		return err
	}
	s := &swagger2Walk{sp: sp, root: tree}
	out := s.object(tree, nil)
	if s.err != nil {
		return s.err
	}
	data := sp.data
	if out != tree {
		w := &bundleWriter{Limit: 2*len(sp.data) + 1<<20}
		if err := w.Document(out); err != nil {
			return err
		}
		data = w.Buf.Bytes()
	}
	sp.Doc, err = loadSwagger2(data)
	return err
}

// swagger2Walk walks a Swagger 2.0 document's objects, leaving out the
// values that are data (examples, defaults, enums, extensions).
type swagger2Walk struct {
	sp   *Spec
	root *yaml.Node
	err  error
}

// swagger2Maps are the keys whose values map names (or status codes, or
// paths) to objects, rather than being objects themselves.
var swagger2Maps = []string{"definitions", "properties", "patternProperties", "responses", "paths", "securityDefinitions", "headers", "parameters"}

// swagger2Data are the keys whose values are data, not objects of the document.
var swagger2Data = []string{"example", "examples", "default", "enum", "scopes", "x-example"}

// object walks the object n at ptr and returns it as it is to be read: n
// itself when nothing in it changes.
func (s *swagger2Walk) object(n *yaml.Node, ptr []string) *yaml.Node {
	n = deref(n)
	switch n.Kind {
	case yaml.SequenceNode:
		return s.each(n, ptr, false)
	case yaml.MappingNode:
	default:
		return n
	}
	if ref := refNode(n); ref != nil {
		return s.ref(n, ref)
	}
	var out *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, v := n.Content[i].Value, n.Content[i+1]
		if strings.HasPrefix(key, "x-") || slices.Contains(swagger2Data, key) {
			continue
		}
		var nv *yaml.Node
		switch {
		case swagger2DocValue(key, v) != nil:
			nv = swagger2DocValue(key, v)
			if deref(v).Kind != yaml.ScalarNode || nv.Kind == yaml.MappingNode {
				what := "text"
				if nv.Kind == yaml.MappingNode {
					what = "an object"
				}
				s.sp.Notes = append(s.sp.Notes, docNote(s.sp.Display, v, encodePointer(append(slices.Clone(ptr), key)), what))
			}
		case slices.Contains(swagger2Maps, key) && deref(v).Kind == yaml.MappingNode:
			nv = s.each(deref(v), append(slices.Clone(ptr), key), true)
		default:
			nv = s.object(v, append(slices.Clone(ptr), key))
		}
		if s.err != nil {
			return n
		}
		if nv != v && nv != deref(v) {
			if out == nil {
				out = &yaml.Node{}
				*out = *n
				out.Content = slices.Clone(n.Content)
			}
			out.Content[i+1] = nv
		}
	}
	if out == nil {
		return n
	}
	return out
}

// each walks the objects of a list, or of a mapping of names to objects.
func (s *swagger2Walk) each(n *yaml.Node, ptr []string, named bool) *yaml.Node {
	var out *yaml.Node
	step := 1
	if named {
		step = 2
	}
	for i := step - 1; i < len(n.Content); i += step {
		key := fmt.Sprint((i - step + 1) / step)
		if named {
			key = n.Content[i-1].Value
			if strings.HasPrefix(key, "x-") {
				continue
			}
		}
		v := n.Content[i]
		nv := s.object(v, append(slices.Clone(ptr), key))
		if s.err != nil {
			return n
		}
		if nv != v && nv != deref(v) {
			if out == nil {
				out = &yaml.Node{}
				*out = *n
				out.Content = slices.Clone(n.Content)
			}
			out.Content[i] = nv
		}
	}
	if out == nil {
		return n
	}
	return out
}

// ref checks a $ref: a local one must name something the document has.
func (s *swagger2Walk) ref(n, ref *yaml.Node) *yaml.Node {
	if !strings.HasPrefix(ref.Value, "#") {
		return n // kin-openapi refuses $refs to other files; withPos places the error
	}
	u, err := url.Parse(ref.Value)
	var ptr []string
	if err == nil {
		ptr, err = ParsePointer(u.Fragment)
	}
	if err != nil {
		s.err = &SpecError{File: s.sp.Display, Line: ref.Line, Col: ref.Column, Msg: fmt.Sprintf("$ref %s: %v", QuoteText(ref.Value), err)}
		return n
	}
	if lookupNode(s.root, ptr) != nil {
		return n
	}
	f := &refFile{display: s.sp.Display, tree: s.root}
	why := fmt.Sprintf("$ref %s: %s", QuoteText(ref.Value), missingTarget(f, ptr))
	if s.sp.lenient && len(ptr) == 2 && ptr[0] == "definitions" {
		s.sp.Repairs = append(s.sp.Repairs, repairAt(s.sp.Display, ref.Line, ref.Column, why+": typed as raw JSON (json.RawMessage)"))
		return unresolvedSchema(n, ref)
	}
	s.err = &SpecError{File: s.sp.Display, Line: ref.Line, Col: ref.Column, Msg: why}
	return n
}

// swagger2DocValue is docValue for Swagger 2.0's documentation fields.
func swagger2DocValue(key string, v *yaml.Node) *yaml.Node {
	for _, k := range []kind{kInfo, kSchema, kOperation, kDoc} {
		if nv := docValue(k, key, v); nv != nil {
			return nv
		}
	}
	return nil
}

// loadSwagger2 converts a Swagger 2.0 document.
func loadSwagger2(data []byte) (*openapi3.T, error) {
	var d2 openapi2.T
	if err := unmarshalAny(data, &d2); err != nil {
		return nil, err
	}
	doc, err := openapi2conv.ToV3(&d2)
	var ext *openapi3.DisallowedExternalRefError
	if errors.As(err, &ext) {
		// refRE finds the $ref in the message, for its position.
		return nil, fmt.Errorf("error resolving reference %q: a $ref to another file; tpgen reads Swagger 2.0 documents from one file only (convert it to OpenAPI 3, or bundle it into one file)", ext.Ref)
	}
	if err != nil {
		return nil, fmt.Errorf("converting Swagger 2.0: %w", swagger2Words(err))
	}
	l := openapi3.NewLoader()
	if err := l.ResolveRefsIn(doc, nil); err != nil {
		return nil, swagger2Words(err)
	}
	return doc, nil
}

// convertedRE finds places in the converted document in messages.
var convertedRE = regexp.MustCompile(`#?/?components/(schemas|parameters|responses|securitySchemes)/`)

// swagger2Words writes the places of the converted document an error names
// as the document wrote them.
func swagger2Words(err error) error {
	msg := Swagger2Text(err.Error())
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// Swagger2Text is swagger2Words for a message.
func Swagger2Text(msg string) string {
	return convertedRE.ReplaceAllStringFunc(msg, func(m string) string {
		prefix := ""
		if strings.HasPrefix(m, "#") {
			prefix = "#/"
		} else if strings.HasPrefix(m, "/") {
			prefix = "/"
		}
		return prefix + swagger2Section[convertedRE.FindStringSubmatch(m)[1]] + "/"
	})
}

// swagger2Section is the Swagger 2.0 section a converted components section came from.
var swagger2Section = map[string]string{"schemas": "definitions", "parameters": "parameters", "responses": "responses", "securitySchemes": "securityDefinitions"}

// swagger2Keys are the keys in the Swagger 2.0 document of a place in the
// converted one, as far as they are the same.
func swagger2Keys(keys []string) []string {
	if len(keys) >= 2 && keys[0] == "components" {
		if sec, ok := swagger2Section[keys[1]]; ok {
			return append([]string{sec}, keys[2:]...)
		}
	}
	return keys
}
