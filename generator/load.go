package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/config"
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

// SpecError is a problem with a spec, pointing at the file and, where it can
// be found, the line.
type SpecError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *SpecError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// loadSpec reads an OpenAPI 3.x or Swagger 2.0 document and resolves its references.
func loadSpec(path, display string) (*spec, error) {
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
	version, err := inspect(data)
	if err != nil {
		return nil, withPos(display, data, err)
	}
	abs, _ := filepath.Abs(path)
	loc := &url.URL{Path: filepath.ToSlash(abs)}
	switch {
	case strings.HasPrefix(version, "2"):
		sp.doc, err = loadSwagger2(data)
		sp.notes = append(sp.notes, "Swagger 2.0 document converted to OpenAPI 3.0")
	case strings.HasPrefix(version, "3"):
		sp.doc, err = loadOpenAPI3(data, loc)
		if err != nil && tupleItemsError(err) {
			// Some 3.1 documents (and older JSON Schema habits) write tuples as
			// array-valued items; kin-openapi wants prefixItems.
			if fixed, ferr := rewriteTupleItems(data); ferr == nil {
				if doc, rerr := loadOpenAPI3(fixed, loc); rerr == nil {
					sp.doc, err = doc, nil
					sp.notes = append(sp.notes, "array-valued items read as prefixItems (tuples)")
				}
			}
		}
	default:
		return nil, fail("unsupported version %q: tpgen reads OpenAPI 3.0, 3.1 and Swagger 2.0", version)
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
func loadOpenAPI3(data []byte, loc *url.URL) (*openapi3.T, error) {
	l := openapi3.NewLoader()
	l.IsExternalRefsAllowed = true
	l.ReadFromURIFunc = readLocalFile
	return l.LoadFromDataWithPath(data, loc)
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

// unmarshalAny decodes JSON, or YAML when the data is not JSON.
func unmarshalAny(data []byte, v any) error {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
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

// inspect checks a document's shape before any decoder sees it (nesting
// depth, YAML aliases, which can expand without bound, a top level that is not
// a mapping) and returns its openapi or swagger version.
func inspect(data []byte) (string, error) {
	var head struct {
		OpenAPI any
		Swagger any
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		line, col := offsetPos(data, int64(off))
		return "", &posError{line: line, col: col, msg: "not UTF-8 text: OpenAPI documents are JSON or YAML text in UTF-8"}
	}
	var keys []topKey
	var yamlRoot *yaml.Node
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		if err := checkJSONDepth(data); err != nil {
			return "", err
		}
		// Raw values, so that keys are matched exactly (encoding/json ignores case).
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			return "", err
		}
		for k, raw := range top {
			keys = append(keys, topKey{name: k})
			var v any
			switch k {
			case "openapi", "swagger":
				if json.Unmarshal(raw, &v) == nil {
					if _, isString := v.(string); !isString {
						line, col := offsetPos(data, int64(bytes.Index(data, []byte(strconv.Quote(k)))))
						return "", &posError{line: line, col: col, msg: fmt.Sprintf("%s must be a string: write \"%s\": \"%v\"", k, k, v)}
					}
					if k == "openapi" {
						head.OpenAPI = v
					} else {
						head.Swagger = v
					}
				}
			}
		}
		for i := range keys {
			if off := bytes.Index(data, []byte(strconv.Quote(keys[i].name))); off >= 0 {
				keys[i].line, keys[i].col = offsetPos(data, int64(off))
			}
		}
		if raw := top["paths"]; nullOperationRE.Match(raw) {
			// Something that looks like a null operation: decode the path items to be sure.
			var items map[string]map[string]json.RawMessage
			if json.Unmarshal(raw, &items) == nil {
				for _, p := range sortedKeys(items) {
					for _, m := range methodKeys {
						if v, ok := items[p][m]; ok && string(bytes.TrimSpace(v)) == "null" {
							key := []byte(strconv.Quote(p))
							line, col := 0, 0
							if off := bytes.Index(data, key); off >= 0 {
								line, col = offsetPos(data, int64(off))
							}
							return "", &posError{line: line, col: col, msg: fmt.Sprintf("operation %s of %s is empty: give it responses, or remove it", m, p)}
						}
					}
				}
			}
		}
	} else {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			return "", err
		}
		if err := walkYAML(&n, 0); err != nil {
			return "", err
		}
		if len(n.Content) == 0 {
			return "", errors.New("not an OpenAPI document: it holds no value")
		}
		root := n.Content[0]
		yamlRoot = root
		if root.Kind != yaml.MappingNode {
			return "", &posError{line: root.Line, col: root.Column, msg: fmt.Sprintf("not an OpenAPI document: the top level is %s, not a mapping with an openapi field", yamlKind(root))}
		}
		for i := 0; i+1 < len(root.Content); i += 2 {
			k := root.Content[i]
			if k.Value == "paths" {
				if err := checkNullOperations(root.Content[i+1]); err != nil {
					return "", err
				}
			}
			keys = append(keys, topKey{name: k.Value, line: k.Line, col: k.Column})
			switch v := root.Content[i+1]; k.Value {
			case "openapi", "swagger":
				if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
					return "", &posError{line: v.Line, col: v.Column, msg: fmt.Sprintf("%s must be a string: write it in quotes, %s: \"%s\"", k.Value, k.Value, v.Value)}
				}
				if k.Value == "openapi" {
					head.OpenAPI = v.Value
				} else {
					head.Swagger = v.Value
				}
			}
		}
	}
	v := fmt.Sprint(firstNonNil(head.OpenAPI, head.Swagger))
	if v == "<nil>" || v == "" {
		for _, k := range keys {
			if strings.EqualFold(k.name, "openapi") || strings.EqualFold(k.name, "swagger") {
				return "", &posError{line: k.line, col: k.col, msg: fmt.Sprintf("unknown top-level key %q (did you mean %s?)", k.name, strings.ToLower(k.name))}
			}
		}
		return "", errors.New("not an OpenAPI document: it has neither an openapi nor a swagger field")
	}
	if err := checkTopKeys(keys, head.OpenAPI == nil); err != nil {
		return "", err
	}
	if !versionRE.MatchString(v) {
		key := "openapi"
		if head.OpenAPI == nil {
			key = "swagger"
		}
		return "", &versionError{key: key, msg: fmt.Sprintf("unsupported version %q: tpgen reads OpenAPI 3.0, 3.1 and Swagger 2.0", v)}
	}
	if err := checkRaw(data, yamlRoot, strings.HasPrefix(v, "3")); err != nil {
		return "", err
	}
	if strings.HasPrefix(v, "2") && v != "2.0" {
		return "", &versionError{key: "swagger", msg: fmt.Sprintf("unsupported version %q: tpgen reads OpenAPI 3.0, 3.1 and Swagger 2.0", v)}
	}
	return v, nil
}

// versionRE matches the versions tpgen reads: 3.x(.y) and 2.0.
var versionRE = regexp.MustCompile(`^(3\.[0-9]+(\.[0-9]+)?|2\.0)$`)

// versionError is an unsupported version, located at its key.
type versionError struct{ key, msg string }

func (e *versionError) Error() string { return e.msg }

func yamlKind(n *yaml.Node) string {
	switch n.Kind {
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
			if depth > maxNesting {
				return &posError{line: line, col: col, msg: fmt.Sprintf("nested more than %d levels deep", maxNesting)}
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

func walkYAML(n *yaml.Node, depth int) error {
	if depth > maxNesting {
		return &posError{line: n.Line, col: n.Column, msg: fmt.Sprintf("nested more than %d levels deep", maxNesting)}
	}
	if n.Kind == yaml.AliasNode {
		return &posError{line: n.Line, col: n.Column, msg: "YAML aliases (*name) are not supported in specs: write the value out, or use a $ref"}
	}
	if n.Kind == yaml.MappingNode && len(n.Content) > 2 {
		seen := make(map[string]*yaml.Node, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if prev, dup := seen[k.Value]; dup {
				return &posError{line: k.Line, col: k.Column, msg: fmt.Sprintf("key %q is written twice (also at line %d): YAML keeps only one of them; merge them", k.Value, prev.Line)}
			}
			seen[k.Value] = k
		}
	}
	for _, c := range n.Content {
		if err := walkYAML(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

type posError struct {
	line, col int
	msg       string
}

func (e *posError) Error() string { return e.msg }

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// withPos turns a load error into a SpecError with the best position it carries.
func withPos(display string, data []byte, err error) error {
	se := &SpecError{File: display, Msg: cleanLoadError(err.Error())}
	var pe *posError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var ve *versionError
	switch {
	case errors.As(err, &pe):
		se.Line, se.Col, se.Msg = pe.line, pe.col, pe.msg
	case errors.As(err, &ve):
		sp := &spec{data: data}
		se.Line, se.Col = sp.locate(ve.key)
		se.Msg = ve.msg
	case refInError(err.Error()) != "":
		ref := refInError(err.Error())
		if off := bytes.Index(data, []byte(ref)); off >= 0 {
			se.Line, se.Col = offsetPos(data, int64(off))
		}
	case errors.As(err, &syn):
		se.Line, se.Col = offsetPos(data, syn.Offset)
	case errors.As(err, &typ):
		se.Line, se.Col = offsetPos(data, typ.Offset)
	default:
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			se.Line, _ = strconv.Atoi(m[1])
		}
	}
	se.Msg = yamlPrefixRE.ReplaceAllString(se.Msg, "")
	return se
}

// yamlPrefixRE matches yaml.v3's own "yaml: line N:" prefixes, redundant
// beside the position.
var yamlPrefixRE = regexp.MustCompile(`^(yaml error: )?yaml: (construct errors: )?(line \d+: )?`)

// refRE finds the reference kin-openapi could not resolve in its error text.
var refRE = regexp.MustCompile(`(?:resolving reference|in URI:|bad data in) "([^"]+)"`)

func refInError(msg string) string {
	if m := refRE.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}

// cleanLoadError shortens kin-openapi's doubled JSON-then-YAML messages.
func cleanLoadError(msg string) string {
	msg = strings.TrimPrefix(msg, "failed to unmarshal data: ")
	if i := strings.Index(msg, ", yaml error: "); i > 0 && strings.HasPrefix(msg, "json error: ") {
		// The document is YAML when the JSON attempt failed at its first byte.
		if strings.Contains(msg[:i], "invalid character") {
			return "YAML: " + msg[i+len(", yaml error: "):]
		}
		return msg[len("json error: "):i]
	}
	return msg
}

func offsetPos(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
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

// locate finds the line and column of a JSON pointer-like path of keys in a
// spec, for messages about things kin-openapi does not keep positions of.
// It is only called on errors, so it parses the file again.
func (sp *spec) locate(keys ...string) (int, int) {
	var root yaml.Node
	if yaml.Unmarshal(sp.data, &root) != nil || len(root.Content) == 0 {
		return 0, 0
	}
	n := root.Content[0]
	line, col := 0, 0
	for _, k := range keys {
		if n.Kind != yaml.MappingNode {
			break
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				line, col = n.Content[i].Line, n.Content[i].Column
				n = n.Content[i+1]
				found = true
				break
			}
		}
		if !found {
			break
		}
	}
	return line, col
}

// errorAt builds a SpecError located at keys.
func (sp *spec) errorAt(msg string, keys ...string) *SpecError {
	line, col := sp.locate(keys...)
	return &SpecError{File: sp.display, Line: line, Col: col, Msg: msg}
}

// readLocalFile reads a file a $ref names. kin-openapi's default reader caches
// files by path for the life of the process, so that a second generation in
// one process (go test, a long-running tool) would see stale files; and it
// fetches http(s) URLs, which a build should not do behind the user's back.
func readLocalFile(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
	if u.Scheme != "" && u.Scheme != "file" {
		return nil, fmt.Errorf("$ref to %s: tpgen reads referenced documents from local files only; download it next to the spec", u.Redacted())
	}
	fi, err := os.Stat(u.Path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", u.Path)
	}
	if fi.Size() > maxSpecSize {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d tpgen reads", u.Path, fi.Size(), maxSpecSize)
	}
	return os.ReadFile(u.Path)
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
		return &posError{line: k.line, col: k.col, msg: msg}
	}
	return nil
}

// nullOperationRE finds an operation written as null in a JSON document.
var nullOperationRE = regexp.MustCompile(`"(get|put|post|delete|options|head|patch|trace|query|connect)"\s*:\s*null\b`)

// checkNullOperations refuses an operation written as null (get: with
// nothing after it), which loaders read as no operation at all.
func checkNullOperations(paths *yaml.Node) error {
	if paths.Kind != yaml.MappingNode {
		return nil
	}
	for i := 1; i < len(paths.Content); i += 2 {
		item := paths.Content[i]
		if item.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := item.Content[j], item.Content[j+1]
			if slices.Contains(methodKeys, k.Value) && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
				return &posError{line: k.Line, col: k.Column, msg: fmt.Sprintf("operation %s of %s is empty: give it responses, or remove it", k.Value, paths.Content[i-1].Value)}
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
			return &posError{line: line, col: col, msg: "type: [] allows no value at all: list at least one type, or leave type out"}
		}
		if openapi3 && badIn != "" && inLoc != nil {
			line, col := offsetPos(data, int64(inLoc[0]))
			return &posError{line: line, col: col, msg: fmt.Sprintf("a parameter in %q: OpenAPI 3 parameters are in path, query, header or cookie (a body goes in requestBody)", badIn)}
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
						return &posError{line: v.Line, col: v.Column, msg: "type: [] allows no value at all: list at least one type, or leave type out"}
					}
				case "in":
					in = v
				case "name":
					hasName = true
				}
			}
			if openapi3 && in != nil && hasName && in.Kind == yaml.ScalarNode && !slices.Contains([]string{"path", "query", "header", "cookie"}, in.Value) {
				return &posError{line: in.Line, col: in.Column, msg: fmt.Sprintf("a parameter in %q: OpenAPI 3 parameters are in path, query, header or cookie (a body goes in requestBody)", in.Value)}
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
