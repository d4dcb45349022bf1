package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/internal/model"
	"go.yaml.in/yaml/v4"
)

// maxSpecSize bounds the specs tpgen reads (GitHub's is 13 MB).
const maxSpecSize = 64 << 20

// MaxNesting bounds how deeply a spec's JSON or YAML may nest.
const MaxNesting = 500

// Spec is a loaded OpenAPI document and where it came from.
type Spec struct {
	Doc     *openapi3.T
	path    string // the file read
	Display string // the path as the user wrote it, for messages
	data    []byte
	Notes   []model.Note // what loading had to bend, for -v
	Bundle  *bundle      // the files it refers to, when it refers to others (see bundleSpec)
	Inputs  []Input      // every file read: the spec and those it refers to
	// lenient repairs what lenient mode repairs (see lenient.go); repairs
	// say what was repaired, each at its place.
	lenient bool
	Repairs []string
	Swagger bool // converted from Swagger 2.0: messages name the places in the document as written
	// json is a JSON document parsed by inspect, while it is loaded (see load_json.go).
	json *jsonDoc
}

// LoadSpec reads an OpenAPI 3.x or Swagger 2.0 document and resolves its
// references, reading referenced files only inside refRoot ("": the spec's
// directory; see refs.go). lenient repairs what lenient mode repairs;
// followLinks trusts the symbolic links in the ref root
// (Service.FollowLinks).
func LoadSpec(path, display, refRoot string, lenient, followLinks bool) (*Spec, error) {
	fail := func(format string, args ...any) error {
		return &SpecError{File: display, Msg: fmt.Sprintf(format, args...)}
	}
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fail("spec file does not exist")
		}
		return nil, fail("%v", err)
	}
	if fi.IsDir() {
		return nil, fail("is a directory, not a spec file")
	}
	if !fi.Mode().IsRegular() {
		return nil, fail("is not a regular file")
	}
	if fi.Size() > maxSpecSize {
		return nil, fail("spec is %d bytes, more than the %d tpgen reads", fi.Size(), maxSpecSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fail("%v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail("spec file is empty: expected an OpenAPI 3.x or Swagger 2.0 document")
	}
	sp := &Spec{path: path, Display: display, data: data, lenient: lenient}
	refs, err := NewRefReader(path, display, refRoot)
	if err != nil {
		return nil, fail("%v", err)
	}
	refs.followLinks = followLinks
	defer refs.Close()
	abs, _ := filepath.Abs(path)
	loc := &url.URL{Path: filepath.ToSlash(abs)}
	version, jd, err := Inspect(data)
	if err != nil {
		return nil, withPos(display, data, err)
	}
	sp.json = jd
	switch {
	case strings.HasPrefix(version, "2"):
		sp.Swagger = true
		err = sp.loadSwagger2()
		sp.Notes = append(sp.Notes, model.Note{Group: "Swagger 2.0 document converted to OpenAPI 3.0"})
	case strings.HasPrefix(version, "3"):
		// Lenient mode repairs in the bundle, so every spec is bundled.
		err = sp.loadOpenAPI3(abs, loc, refs, lenient || needsBundle(data))
		if err == nil && sp.Bundle == nil && hasOperationRefs(sp.Doc) {
			// Operations written as $refs, within the document: kin-openapi
			// reads them as empty operations; the bundle writes them out.
			err = sp.loadOpenAPI3(abs, loc, refs, true)
		}
	default:
		return nil, fail("unsupported version %q: tpgen reads OpenAPI 3.0, 3.1 and Swagger 2.0", version)
	}
	sp.json = nil // the tree is as big as the document
	if refs.refused != nil {
		// Whatever kin-openapi made of the refusal, the spec asked for a file
		// outside the ref root.
		return nil, refs.refusedError(data)
	}
	var se *SpecError
	if errors.As(err, &se) {
		return nil, se
	}
	if err != nil {
		// Name referenced files as the user would, relative to the spec.
		se := withPos(display, data, err).(*SpecError)
		se.Msg = relativePaths(se.Msg, filepath.Dir(abs), filepath.Dir(display))
		return nil, se
	}
	if sp.Bundle == nil {
		if p, m := operationRef(sp.Doc); p != "" {
			return nil, sp.ErrorAt(fmt.Sprintf("%s %s: the operation is a $ref, which tpgen resolves in OpenAPI 3 documents only: write the operation out", strings.ToUpper(m), p), "paths", p, m, "$ref")
		}
	}
	if sp.Doc.Paths == nil {
		sp.Doc.Paths = openapi3.NewPaths()
	}
	sp.Inputs = inputsOf(path, data, refs.files)
	return sp, nil
}

// loadOpenAPI3 loads an OpenAPI 3 document, bundled with the files it
// refers to when bundled is set (see bundleSpec).
func (sp *Spec) loadOpenAPI3(abs string, loc *url.URL, refs *RefReader, bundled bool) error {
	data := sp.data
	sp.Bundle = nil
	if bundled {
		bd, err := bundleSpec(abs, sp.Display, sp.data, refs, bundleOptions{lenient: sp.lenient})
		if err != nil {
			return err
		}
		sp.Repairs = append(sp.Repairs, bd.repairs...)
		sp.Bundle, data = bd, bd.Data
		if n := bd.note(); n != "" {
			sp.Notes = append(sp.Notes, model.Note{Group: n})
		}
		sp.Notes = append(sp.Notes, bd.docNotes...)
	}
	var doc *openapi3.T
	var err error
	if !bundled && sp.json != nil && sp.json.AsYAML {
		// The tree inspect parsed, when it loads (see load_json.go).
		if doc, err = loadJSONDoc(sp.json, loc); err != nil {
			doc = nil
		}
	}
	if doc == nil {
		doc, err = LoadOpenAPI3(data, loc, refs)
	}
	if err != nil && tupleItemsError(err) {
		// Some 3.1 documents (and older JSON Schema habits) write tuples as
		// array-valued items; kin-openapi wants prefixItems.
		if fixed, ferr := rewriteTupleItems(data); ferr == nil {
			if fdoc, rerr := LoadOpenAPI3(fixed, loc, refs); rerr == nil {
				doc, err = fdoc, nil
				sp.Notes = append(sp.Notes, model.Note{Group: "array-valued items read as prefixItems (tuples)"})
			}
		}
	}
	if err != nil && !bundled && docFieldError(err) {
		// A description (or another field that only documents) that is not
		// text: the bundle leaves it out.
		return sp.loadOpenAPI3(abs, loc, refs, true)
	}
	if err != nil && sp.Bundle != nil {
		return sp.Bundle.loadError(err)
	}
	sp.Doc = doc
	return err
}

// hasOperationRefs reports whether an operation of doc is a $ref, which
// kin-openapi keeps as an unknown field of an empty operation.
func hasOperationRefs(doc *openapi3.T) bool {
	p, _ := operationRef(doc)
	return p != ""
}

// operationRef returns the path and method of the first operation of doc
// that is a $ref, or "".
func operationRef(doc *openapi3.T) (string, string) {
	if doc == nil || doc.Paths == nil {
		return "", ""
	}
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, p := range paths {
		item := doc.Paths.Value(p)
		if item == nil {
			continue
		}
		ops := item.Operations()
		for _, m := range slices.Sorted(maps.Keys(ops)) {
			if _, ok := ops[m].Extensions["$ref"]; ok {
				return p, strings.ToLower(m)
			}
		}
	}
	return "", ""
}

// LoadOpenAPI3 loads the text with kin-openapi, which reads JSON through its
// YAML parser, on one core: the way of YAML specs, of bundles, and of the
// JSON specs that are not loaded from their tree (see load_json.go).
// Decoding JSON documents in parallel with encoding/json was tried and dropped:
// kin-openapi's UnmarshalJSON decodes every schema's subtree again at each
// level, so it costs more CPU in all and only won on an idle machine.
//
// A JSON document is handed over without its indentation (json.Compact keeps
// every value as written), which its YAML parser reads about a third faster.
// When that load fails, the document is loaded again as written, so that the
// error is the one for the user's text.
func LoadOpenAPI3(data []byte, loc *url.URL, refs *RefReader) (*openapi3.T, error) {
	load := func(data []byte) (*openapi3.T, error) {
		l := openapi3.NewLoader()
		l.IsExternalRefsAllowed = true
		l.ReadFromURIFunc = refs.read
		l.JoinFunc = refs.join
		return l.LoadFromDataWithPath(data, loc)
	}
	if isJSON(data) {
		var compact bytes.Buffer
		compact.Grow(len(data))
		if json.Compact(&compact, data) == nil {
			if doc, err := load(compact.Bytes()); err == nil {
				return doc, nil
			}
		}
	}
	return load(data)
}

// isJSON reports whether a document is JSON (an object) rather than YAML.
func isJSON(data []byte) bool {
	t := bytes.TrimSpace(data)
	return len(t) > 0 && t[0] == '{'
}

// unmarshalAny decodes JSON, or YAML when the data is not JSON.
func unmarshalAny(data []byte, v any) error {
	if isJSON(data) {
		return json.Unmarshal(data, v)
	}
	var tree any
	if err := yaml.Unmarshal(data, &tree); err != nil {
		return err
	}
	b, err := json.Marshal(yamlToJSON(tree))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// yamlToJSON makes a yaml.v3 decoded tree encodable as JSON.
func yamlToJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = yamlToJSON(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = yamlToJSON(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = yamlToJSON(e)
		}
	}
	return v
}

// docFieldRE finds kin-openapi's refusal of a field that only documents
// (see bundle_docs.go) because its value is not of the field's type.
var docFieldRE = regexp.MustCompile(`cannot construct !!\w+ into \S+ in /\S*\b(title|summary|description|termsOfService|\$comment|externalDocs|contact|license)\b`)

func docFieldError(err error) bool { return docFieldRE.MatchString(err.Error()) }

func tupleItemsError(err error) bool {
	s := err.Error()
	return strings.Contains(s, "cannot unmarshal array into") && strings.Contains(s, "Schema") ||
		strings.Contains(s, "cannot construct !!seq into openapi3.Schema")
}

// rewriteTupleItems renames array-valued "items" to "prefixItems".
func rewriteTupleItems(data []byte) ([]byte, error) {
	var tree any
	if err := unmarshalAny(data, &tree); err != nil {
		return nil, err
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if items, ok := x["items"].([]any); ok {
				delete(x, "items")
				if _, has := x["prefixItems"]; !has {
					x["prefixItems"] = items
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(tree)
	return json.Marshal(tree)
}
