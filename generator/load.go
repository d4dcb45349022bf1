package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// maxSpecSize bounds the specs tpgen reads (GitHub's is 13 MB).
const maxSpecSize = 64 << 20

// maxNesting bounds how deeply a spec's JSON or YAML may nest.
const maxNesting = 500

// spec is a loaded OpenAPI document and where it came from.
type spec struct {
	doc     *openapi3.T
	path    string // the file read
	display string // the path as the user wrote it, for messages
	data    []byte
	notes   []string // what loading had to bend, for -v
}

// loadSpec reads an OpenAPI 3.x or Swagger 2.0 document and resolves its
// references, reading referenced files only inside refRoot ("": the spec's
// directory; see refs.go).
func loadSpec(path, display, refRoot string) (*spec, error) {
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
	sp := &spec{path: path, display: display, data: data}
	refs, err := newRefReader(path, display, refRoot)
	if err != nil {
		return nil, fail("%v", err)
	}
	defer refs.Close()
	abs, _ := filepath.Abs(path)
	loc := &url.URL{Path: filepath.ToSlash(abs)}
	version, err := inspect(data)
	if err != nil {
		return nil, withPos(display, data, err)
	}
	switch {
	case strings.HasPrefix(version, "2"):
		sp.doc, err = loadSwagger2(data)
		sp.notes = append(sp.notes, "Swagger 2.0 document converted to OpenAPI 3.0")
	case strings.HasPrefix(version, "3"):
		sp.doc, err = loadOpenAPI3(data, loc, refs)
		if err != nil && tupleItemsError(err) {
			// Some 3.1 documents (and older JSON Schema habits) write tuples as
			// array-valued items; kin-openapi wants prefixItems.
			if fixed, ferr := rewriteTupleItems(data); ferr == nil {
				if doc, rerr := loadOpenAPI3(fixed, loc, refs); rerr == nil {
					sp.doc, err = doc, nil
					sp.notes = append(sp.notes, "array-valued items read as prefixItems (tuples)")
				}
			}
		}
	default:
		return nil, fail("unsupported version %q: tpgen reads OpenAPI 3.0, 3.1 and Swagger 2.0", version)
	}
	if refs.refused != nil {
		// Whatever kin-openapi made of the refusal, the spec asked for a file
		// outside the ref root.
		return nil, refs.refusedError(data)
	}
	if err != nil {
		// Name referenced files as the user would, relative to the spec.
		se := withPos(display, data, err).(*SpecError)
		dir := filepath.Dir(display)
		if absDir := filepath.Dir(abs); dir == "." {
			se.Msg = strings.ReplaceAll(se.Msg, absDir+string(filepath.Separator), "")
		} else {
			se.Msg = strings.ReplaceAll(se.Msg, absDir, dir)
		}
		return nil, se
	}
	if sp.doc.Paths == nil {
		sp.doc.Paths = openapi3.NewPaths()
	}
	return sp, nil
}

// loadOpenAPI3 loads with kin-openapi, which is most of tpgen's time on big
// specs (BenchmarkLoad): it reads JSON through its YAML parser, on one core.
// Decoding JSON documents in parallel with encoding/json was tried and dropped:
// kin-openapi's UnmarshalJSON decodes every schema's subtree again at each
// level, so it costs more CPU in all and only won on an idle machine.
//
// A JSON document is handed over without its indentation (json.Compact keeps
// every value as written), which its YAML parser reads about a third faster:
// 1.1 s instead of 1.7 s for GitHub's. When that load fails, the document is
// loaded again as written, so that the error is the one for the user's text.
func loadOpenAPI3(data []byte, loc *url.URL, refs *refReader) (*openapi3.T, error) {
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

func loadSwagger2(data []byte) (*openapi3.T, error) {
	var d2 openapi2.T
	if err := unmarshalAny(data, &d2); err != nil {
		return nil, err
	}
	doc, err := openapi2conv.ToV3(&d2)
	if err != nil {
		return nil, fmt.Errorf("converting Swagger 2.0: %w", err)
	}
	l := openapi3.NewLoader()
	if err := l.ResolveRefsIn(doc, nil); err != nil {
		return nil, err
	}
	return doc, nil
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
