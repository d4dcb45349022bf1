package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tpgen/tpgen/generator/config"
	"go.yaml.in/yaml/v4"
)

// Checks of a spec's raw text before and beside kin-openapi: what its
// decoder would reject without a position, or accept without a word.

// Inspect checks a document's shape before any decoder sees it (nesting
// depth, YAML aliases that would expand without bound, a top level that is
// not a mapping) and returns its openapi or swagger version, and a JSON
// document parsed (nil for YAML, and for JSON tpgen's parser does not read).
func Inspect(data []byte) (string, *jsonDoc, error) {
	if err := checkUTF8(data); err != nil {
		return "", nil, err
	}
	var h docHead
	var yamlRoot *yaml.Node
	var jd *jsonDoc
	var err error
	if isJSON(data) {
		h, jd, err = inspectJSON(data)
	} else {
		h, yamlRoot, err = inspectYAML(data)
	}
	if err != nil {
		return "", nil, err
	}
	v, err := h.version()
	if err != nil {
		return "", nil, err
	}
	if err := checkRawDoc(data, yamlRoot, jd, strings.HasPrefix(v, "3")); err != nil {
		return "", nil, err
	}
	if strings.HasPrefix(v, "2") && v != "2.0" {
		return "", nil, &versionError{key: "swagger", msg: fmt.Sprintf("unsupported version %q: tpgen reads OpenAPI 3.0, 3.1 and Swagger 2.0", v)}
	}
	return v, jd, nil
}

// docHead is what Inspect reads of a document's top level, JSON or YAML:
// its openapi and swagger fields (nil when absent) and its keys, each at
// its place.
type docHead struct {
	openapi, swagger any
	keys             []topKey
}

// setVersion keeps the value of an openapi or swagger key.
func (h *docHead) setVersion(key string, v any) {
	if key == "openapi" {
		h.openapi = v
	} else {
		h.swagger = v
	}
}

// version is the document's openapi or swagger version, checked: present,
// the top-level keys known, a version tpgen reads.
func (h *docHead) version() (string, error) {
	v := fmt.Sprint(firstNonNil(h.openapi, h.swagger))
	if v == "<nil>" || v == "" {
		for _, k := range h.keys {
			if strings.EqualFold(k.name, "openapi") || strings.EqualFold(k.name, "swagger") {
				return "", &posError{Line: k.line, Col: k.col, Msg: fmt.Sprintf("unknown top-level key %q (did you mean %s?)", k.name, strings.ToLower(k.name))}
			}
		}
		return "", errors.New("not an OpenAPI document: it has neither an openapi nor a swagger field")
	}
	if err := checkTopKeys(h.keys, h.openapi == nil); err != nil {
		return "", err
	}
	if !versionRE.MatchString(v) {
		key := "openapi"
		if h.openapi == nil {
			key = "swagger"
		}
		return "", &versionError{key: key, msg: fmt.Sprintf("unsupported version %q: tpgen reads OpenAPI 3.0, 3.1 and Swagger 2.0", v)}
	}
	return v, nil
}

// inspectJSON reads the head of a JSON document, from tpgen's parse of it
// where that has nothing to say, else from the text (rawJSONHead).
func inspectJSON(data []byte) (docHead, *jsonDoc, error) {
	// The parser stops at the nesting checkJSONDepth refuses; when it
	// fails, the text is checked as it always was, so that the error is
	// the one for the first problem in it.
	var jd *jsonDoc
	if parsed, err := parseJSONDoc(data); err == nil {
		jd = parsed
	} else if err := checkJSONDepth(data); err != nil {
		return docHead{}, nil, err
	}
	if jd != nil {
		if openapi, swagger, keys, ok := jsonHead(jd); ok {
			return docHead{openapi: openapi, swagger: swagger, keys: keys}, jd, nil
		}
	}
	h, err := rawJSONHead(data)
	return h, jd, err
}

// rawJSONHead reads the head of a JSON document from its text with
// encoding/json: a version that is not a string, or an operation that is
// null, is an error at its place.
func rawJSONHead(data []byte) (docHead, error) {
	var h docHead
	// Raw values, so that keys are matched exactly (encoding/json ignores case).
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return h, err
	}
	for k, raw := range top {
		h.keys = append(h.keys, topKey{name: k})
		var v any
		switch k {
		case "openapi", "swagger":
			if json.Unmarshal(raw, &v) == nil {
				if _, isString := v.(string); !isString {
					line, col := offsetPos(data, int64(bytes.Index(data, []byte(strconv.Quote(k)))))
					return h, &posError{Line: line, Col: col, Msg: fmt.Sprintf("%s must be a string: write \"%s\": \"%v\"", k, k, v)}
				}
				h.setVersion(k, v)
			}
		}
	}
	for i := range h.keys {
		if off := bytes.Index(data, []byte(strconv.Quote(h.keys[i].name))); off >= 0 {
			h.keys[i].line, h.keys[i].col = offsetPos(data, int64(off))
		}
	}
	return h, checkNullOperationsJSON(data, top["paths"])
}

// checkNullOperationsJSON is checkNullOperations for the paths of a JSON
// document, as raw text.
func checkNullOperationsJSON(data []byte, paths json.RawMessage) error {
	if !nullOperationRE.Match(paths) {
		return nil
	}
	// Something that looks like a null operation: decode the path items to be sure.
	var items map[string]map[string]json.RawMessage
	if json.Unmarshal(paths, &items) != nil {
		return nil
	}
	for _, p := range slices.Sorted(maps.Keys(items)) {
		for _, m := range MethodKeys {
			if v, ok := items[p][m]; ok && string(bytes.TrimSpace(v)) == "null" {
				key := []byte(strconv.Quote(p))
				line, col := 0, 0
				if off := bytes.Index(data, key); off >= 0 {
					line, col = offsetPos(data, int64(off))
				}
				return &posError{Line: line, Col: col, Msg: fmt.Sprintf("operation %s of %s is empty: give it responses, or remove it", m, p)}
			}
		}
	}
	return nil
}

// inspectYAML reads the head of a YAML document, and its root mapping.
func inspectYAML(data []byte) (docHead, *yaml.Node, error) {
	var h docHead
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return h, nil, err
	}
	if err := checkYAML(&n); err != nil {
		return h, nil, err
	}
	if len(n.Content) == 0 {
		return h, nil, errors.New("not an OpenAPI document: it holds no value")
	}
	root := n.Content[0]
	if root.Kind != yaml.MappingNode {
		return h, nil, &posError{Line: root.Line, Col: root.Column, Msg: fmt.Sprintf("not an OpenAPI document: the top level is %s, not a mapping with an openapi field", yamlKind(root))}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Value == "paths" {
			if err := checkNullOperations(root.Content[i+1]); err != nil {
				return h, nil, err
			}
		}
		h.keys = append(h.keys, topKey{name: k.Value, line: k.Line, col: k.Column})
		switch v := deref(root.Content[i+1]); k.Value {
		case "openapi", "swagger":
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
				return h, nil, &posError{Line: v.Line, Col: v.Column, Msg: fmt.Sprintf("%s must be a string: write it in quotes, %s: \"%s\"", k.Value, k.Value, v.Value)}
			}
			h.setVersion(k.Value, v.Value)
		}
	}
	return h, root, nil
}

// checkUTF8 refuses text that is not UTF-8, at the first byte that is not.
func checkUTF8(data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	off := 0
	for off < len(data) {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		off += size
	}
	line, col := offsetPos(data, int64(off))
	return &posError{Line: line, Col: col, Msg: "not UTF-8 text: OpenAPI documents are JSON or YAML text in UTF-8"}
}

// versionRE matches the versions tpgen reads: 3.x(.y) and 2.0.
var versionRE = regexp.MustCompile(`^(3\.[0-9]+(\.[0-9]+)?|2\.0)$`)

// versionError is an unsupported version, located at its key.
type versionError struct{ key, msg string }

func (e *versionError) Error() string { return e.msg }

func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "not a mapping"
}

func firstNonNil(vs ...any) any {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

// checkJSONDepth refuses JSON nested deeper than maxNesting.
func checkJSONDepth(data []byte) error {
	depth, inStr, esc := 0, false, false
	line, col := 1, 0
	for _, c := range data {
		col++
		switch {
		case c == '\n':
			line++
			col = 0
		case inStr && esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			depth++
			if depth > MaxNesting {
				return &posError{Line: line, Col: col, Msg: fmt.Sprintf("nested more than %d levels deep", MaxNesting)}
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// topKey is a key of a document's top level and where it is.
type topKey struct {
	name      string
	line, col int
}

// Top-level fields of OpenAPI 3 and Swagger 2 documents.
var (
	openAPIKeys = []string{"openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components", "security", "tags", "externalDocs", "$self"}
	swaggerKeys = []string{"swagger", "info", "host", "basePath", "schemes", "consumes", "produces", "paths", "definitions", "parameters", "responses", "securityDefinitions", "security", "tags", "externalDocs"}
)

// checkTopKeys refuses unknown top-level keys: a misspelt one (Paths,
// openApi) would be ignored by the loader, and with it the operations.
func checkTopKeys(keys []topKey, swagger bool) error {
	known := openAPIKeys
	if swagger {
		known = swaggerKeys
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].line < keys[j].line || keys[i].line == keys[j].line && keys[i].name < keys[j].name
	})
	for _, k := range keys {
		if strings.HasPrefix(k.name, "x-") || slices.Contains(known, k.name) {
			continue
		}
		msg := fmt.Sprintf("unknown top-level key %q", k.name)
		if s := config.Suggest(k.name, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		return &posError{Line: k.line, Col: k.col, Msg: msg}
	}
	return nil
}

// nullOperationRE finds an operation written as null in a JSON document.
var nullOperationRE = regexp.MustCompile(`"(get|put|post|delete|options|head|patch|trace|query|connect)"\s*:\s*null\b`)

// checkNullOperations refuses an operation written as null (get: with
// nothing after it), which loaders read as no operation at all.
func checkNullOperations(paths *yaml.Node) error {
	paths = deref(paths)
	if paths.Kind != yaml.MappingNode {
		return nil
	}
	for i := 1; i < len(paths.Content); i += 2 {
		item := deref(paths.Content[i])
		if item.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := item.Content[j], deref(item.Content[j+1])
			if slices.Contains(MethodKeys, k.Value) && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
				return &posError{Line: k.Line, Col: k.Column, Msg: fmt.Sprintf("operation %s of %s is empty: give it responses, or remove it", k.Value, paths.Content[i-1].Value)}
			}
		}
	}
	return nil
}

var (
	emptyTypeRE = regexp.MustCompile(`"type"\s*:\s*\[\s*\]`)
	bodyInRE    = regexp.MustCompile(`"in"\s*:\s*"(body|formData)"`)
)

// checkRaw finds what loaders accept without a word but cannot be generated
// faithfully, at its exact place: type: [] (allows nothing) and, in OpenAPI 3,
// parameters in a location it does not have (body, formData: Swagger 2 habits).
// root is the YAML tree, nil for JSON documents.
func checkRaw(data []byte, root *yaml.Node, openapi3 bool) error {
	if root == nil {
		// JSON: the patterns are cheap on big documents; what they find is
		// confirmed on the decoded tree (an example may hold such text as data).
		typeLoc, inLoc := emptyTypeRE.FindIndex(data), bodyInRE.FindSubmatchIndex(data)
		if typeLoc == nil && (inLoc == nil || !openapi3) {
			return nil
		}
		var tree any
		if json.Unmarshal(data, &tree) != nil {
			return nil // the loader words syntax errors
		}
		emptyType, badIn := scanTree(tree)
		if emptyType && typeLoc != nil {
			line, col := offsetPos(data, int64(typeLoc[0]))
			return &posError{Line: line, Col: col, Msg: "type: [] allows no value at all: list at least one type, or leave type out"}
		}
		if openapi3 && badIn != "" && inLoc != nil {
			line, col := offsetPos(data, int64(inLoc[0]))
			return &posError{Line: line, Col: col, Msg: fmt.Sprintf("a parameter in %q: OpenAPI 3 parameters are in path, query, header or cookie (a body goes in requestBody)", badIn)}
		}
		return nil
	}
	var walk func(n *yaml.Node) error
	walk = func(n *yaml.Node) error {
		if n.Kind == yaml.MappingNode {
			var in *yaml.Node
			hasName := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				switch k.Value {
				case "type":
					if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
						return &posError{Line: v.Line, Col: v.Column, Msg: "type: [] allows no value at all: list at least one type, or leave type out"}
					}
				case "in":
					in = v
				case "name":
					hasName = true
				}
			}
			if openapi3 && in != nil && hasName && in.Kind == yaml.ScalarNode && !slices.Contains([]string{"path", "query", "header", "cookie"}, in.Value) {
				return &posError{Line: in.Line, Col: in.Column, Msg: fmt.Sprintf("a parameter in %q: OpenAPI 3 parameters are in path, query, header or cookie (a body goes in requestBody)", in.Value)}
			}
		}
		for _, c := range n.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root)
}

// scanTree reports whether a decoded JSON document has a schema with
// type: [] or a parameter (an object with name and in) in body or formData.
func scanTree(v any) (emptyType bool, badIn string) {
	switch x := v.(type) {
	case map[string]any:
		if t, ok := x["type"].([]any); ok && len(t) == 0 {
			emptyType = true
		}
		if in, ok := x["in"].(string); ok && (in == "body" || in == "formData") {
			if _, named := x["name"]; named {
				badIn = in
			}
		}
		for _, e := range x {
			et, bi := scanTree(e)
			emptyType = emptyType || et
			if badIn == "" {
				badIn = bi
			}
		}
	case []any:
		for _, e := range x {
			et, bi := scanTree(e)
			emptyType = emptyType || et
			if badIn == "" {
				badIn = bi
			}
		}
	}
	return emptyType, badIn
}
