package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"go.yaml.in/yaml/v4"
)

// jsonDocFixture is a JSON spec with what go-yaml resolves in its own way:
// numbers at the edges of int64, uint64 and float64, -0, escapes, extensions
// and data of every type, discriminator mappings, a 3.1 schema.
const jsonDocFixture = `{
  "openapi": "3.1.0",
  "info": {"title": "T \u00e9\/\b\f\n\r\t\"\\", "version": "1", "x-n": [0, -0, -0.0, 1.5e3, 1E-400, 1e400, 9223372036854775807, 9223372036854775808, 18446744073709551615, 18446744073709551616]},
  "paths": {
    "/pets/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "maximum": 18446744073709551615, "minimum": -0, "multipleOf": 1e0}}],
      "get": {
        "operationId": "getPet",
        "x-data": {"a": null, "b": true, "c": [1, "2", 3.0], "d": {}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}, "example": {"id": 1e2, "name": "\u2603"}}}}}
      }
    }
  },
  "components": {
    "schemas": {
      "Pet": {
        "type": ["object", "null"],
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat", "dog": "Dog"}},
        "properties": {"id": {"type": "integer", "format": "int64", "enum": [1, 9007199254740993, -0]}, "name": {"type": "string", "maxLength": 10, "default": "x"}}
      },
      "Cat": {"type": "object", "properties": {"kind": {"const": "cat"}}, "prefixItems": [{"type": "string"}]},
      "Dog": {"type": "object", "properties": {"kind": {"const": "dog"}}, "additionalProperties": false}
    }
  }
}`

// TestJSONDocLoad loads JSON specs from their tree and as kin-openapi loads
// the text, and requires the same documents: the fixture, the JSON specs of
// the goldens, and the corpus's with TPGEN_CORPUS (under the race detector
// those under 1 MiB, unless TPGEN_CORPUS_FULL is set).
func TestJSONDocLoad(t *testing.T) {
	dir := t.TempDir()
	specs := map[string]string{"fixture.json": filepath.Join(dir, "fixture.json")}
	if err := os.WriteFile(specs["fixture.json"], []byte(jsonDocFixture), 0o644); err != nil {
		t.Fatal(err)
	}
	golden, _ := filepath.Glob("../../testdata/golden/*/*.json")
	nested, _ := filepath.Glob("../../testdata/golden/*/specs/*.json")
	golden = append(golden, nested...)
	for _, p := range golden {
		specs[p] = p
	}
	if corpus := os.Getenv("TPGEN_CORPUS"); corpus != "" {
		if !filepath.IsAbs(corpus) {
			corpus = filepath.Join("../../..", corpus) // relative to the module's root
		}
		found, _ := filepath.Glob(filepath.Join(corpus, "*.json"))
		for _, p := range found {
			if fi, err := os.Stat(p); err == nil && fi.Size() > raceCorpusLimit && os.Getenv("TPGEN_CORPUS_FULL") == "" {
				// As TestCorpus: .ci/run takes it without -race.
				t.Logf("%s: %d bytes, left out under the race detector (TPGEN_CORPUS_FULL=1 takes it)", filepath.Base(p), fi.Size())
				continue
			}
			specs[filepath.Base(p)] = p
		}
	}
	for name, path := range specs {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			version, jd, err := Inspect(data)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(version, "3") {
				t.Skipf("version %s: converted, not loaded", version)
			}
			if jd == nil || !jd.AsYAML {
				t.Fatalf("not loaded from its tree")
			}
			abs, _ := filepath.Abs(path)
			loc := &url.URL{Path: filepath.ToSlash(abs)}
			fromTree, treeErr := loadJSONDoc(jd, loc)
			refs, err := NewRefReader(path, name, "")
			if err != nil {
				t.Fatal(err)
			}
			defer refs.Close()
			fromText, err := LoadOpenAPI3(data, loc, refs)
			switch {
			case treeErr != nil && err != nil:
				// Loaded as text, which words the error (or repairs: tuples).
				t.Logf("refused both ways: %v", treeErr)
				return
			case treeErr != nil:
				t.Fatalf("the tree does not load: %v", treeErr)
			case err != nil:
				t.Fatalf("the tree loads, the text does not: %v", err)
			}
			if fromTree.OpenAPI == "" || fromTree.Paths == nil {
				t.Fatal("nothing loaded")
			}
			// The document's location, which kin-openapi keeps in an
			// unexported field for InternalizeRefs (tpgen does not call it).
			field := reflect.ValueOf(fromTree).Elem().FieldByName("url")
			reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem().Set(reflect.ValueOf(loc))
			if !reflect.DeepEqual(fromTree, fromText) {
				a, _ := json.MarshalIndent(fromTree, "", " ")
				b, _ := json.MarshalIndent(fromText, "", " ")
				t.Fatalf("the documents differ:\n%s", firstDiff(string(a), string(b)))
			}
		})
	}
}

// firstDiff quotes the lines around the first line where a and b differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			lo := max(0, i-3)
			return fmt.Sprintf("tree: %s\ntext: %s", strings.Join(al[lo:min(len(al), i+3)], "\n"), strings.Join(bl[lo:min(len(bl), i+3)], "\n"))
		}
	}
	return "(the same as JSON: the difference is in types or pointers)"
}

// TestJSONDocDeclines checks that texts go-yaml reads otherwise than JSON,
// or refuses, are not loaded from the tree: each is a go-yaml read that
// would differ (the fuzz test finds the rest).
func TestJSONDocDeclines(t *testing.T) {
	for name, text := range map[string]string{
		"duplicate key": `{"a": 1, "a": 2}`,
		"long key":      `{"` + strings.Repeat("k", 1100) + `": 1}`,
		"surrogates":    `{"a": "\ud83d\ude00"}`,
		"LS":            "{\"a\": \"x\u2028y\"}",
		"PS":            "{\"a\": \"x\u2029y\"}",
		"NEL":           "{\"a\": \"x\u0085y\"}",
		"C1":            "{\"a\": \"x\u0091y\"}",
		"DEL":           "{\"a\": \"x\x7fy\"}",
		"BOM":           "{\"a\": \"x\ufeffy\"}",
		"U+FFFF":        "{\"a\": \"x\uffffy\"}",
	} {
		t.Run(name, func(t *testing.T) {
			jd, err := parseJSONDoc([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			if jd.AsYAML {
				t.Errorf("read as go-yaml reads it: %s", text)
			}
		})
	}
	jd, err := parseJSONDoc([]byte(`{"a": "x\/\u00e9\u20ac", "b": [1, -0, 1e400]}`))
	if err != nil || !jd.AsYAML {
		t.Errorf("a text go-yaml reads alike is not read from the tree: %v", err)
	}
}

// TestJSONDepth checks that inspect refuses a JSON spec nested too deeply
// with checkJSONDepth's words, at its place, and that the parser stops there:
// it never recurses further.
func TestJSONDepth(t *testing.T) {
	for _, depth := range []int{MaxNesting - 1, MaxNesting, MaxNesting + 1, 100 * MaxNesting} {
		for _, open := range []string{"[", "{\"a\":\n"} {
			closing := map[string]string{"[": "]", "{\"a\":\n": "}"}[open]
			text := []byte(`{"openapi": "3.0.0", "x": ` + strings.Repeat(open, depth-1) + "1" + strings.Repeat(closing, depth-1) + "}")
			_, perr := parseJSONDoc(text)
			_, _, ierr := Inspect(text)
			cerr := checkJSONDepth(text)
			if (perr != nil) != (depth > MaxNesting) || (cerr != nil) != (depth > MaxNesting) {
				t.Fatalf("depth %d of %q: the parser says %v, checkJSONDepth %v", depth, open, perr, cerr)
			}
			var ipos, cpos *posError
			if cerr == nil {
				continue
			}
			if !errors.As(ierr, &ipos) || !errors.As(cerr, &cpos) || *ipos != *cpos {
				t.Errorf("depth %d of %q: inspect says %#v, checkJSONDepth %#v", depth, open, ierr, cerr)
			}
			if pp, ok := perr.(*posError); ok && pp.Msg == cpos.Msg && *pp != *cpos {
				t.Errorf("depth %d of %q: the parser stops at %d:%d, checkJSONDepth at %d:%d", depth, open, pp.Line, pp.Col, cpos.Line, cpos.Col)
			}
		}
	}
}

// TestYAMLNumberTag compares yamlNumberTag with go-yaml's resolution.
func TestYAMLNumberTag(t *testing.T) {
	for _, s := range []string{"0", "-0", "-0.0", "0.0", "1", "-1", "1.5", "1e5", "1E+5", "1e-400", "1e400", "-1e400",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"18446744073709551615", "18446744073709551616", "0e0", "12.0e-3"} {
		if got, want := yamlNumberTag(s), yamlTagOf(t, s); got != want {
			t.Errorf("%s: %s, go-yaml %s", s, got, want)
		}
	}
}

// yamlTagOf is the tag go-yaml resolves a plain scalar to.
func yamlTagOf(t testing.TB, s string) string {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("["+s+"]"), &n); err != nil {
		t.Fatal(err)
	}
	return n.Content[0].Content[0].Tag
}

// FuzzJSONDoc checks that a JSON text parseJSONDoc says go-yaml reads alike
// is the tree go-yaml makes of it (as kin-openapi reads it: compacted), but
// for the positions, which the decoder does not read.
func FuzzJSONDoc(f *testing.F) {
	for _, s := range []string{jsonDocFixture, `{}`, `{"a": []}`, `{"a": {"b": [1, 2.5, -0, "x\/y", null, true, false]}}`,
		`{"a": 1, "a": 2}`, `{"a": "\ud83d\ude00"}`, "{\"a\": \"\u2028\"}", `{"a": "\u0000\u001f"}`, `{"<<": {"a": 1}}`,
		`{"a": "#x", "b": "&x", "c": "*x", "d": "!x", "e": "- x", "f": "x: y", "g": " x ", "h": "x # y"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		data := []byte(text)
		if !isJSON(data) || checkJSONDepth(data) != nil || checkUTF8(data) != nil || len(data) > 1<<16 {
			return
		}
		top, asYAML, err := parseJSONTree(data)
		if err != nil {
			if json.Valid(data) {
				t.Fatalf("valid JSON refused: %v", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("invalid JSON read")
		}
		if !asYAML {
			return
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(compact.Bytes(), &doc); err != nil {
			t.Fatalf("go-yaml refuses what was read as go-yaml reads it: %v", err)
		}
		if diff := nodeDiff(doc.Content[0], top, "", false); diff != "" {
			t.Fatalf("the trees differ at %s", diff)
		}
	})
}

// parseJSONTree parses a whole JSON text as parseJSONDoc reads it, keeping
// every node, and says whether go-yaml reads the text alike.
func parseJSONTree(data []byte) (*yaml.Node, bool, error) {
	p := newJSONParser(data, string(data), true)
	top, err := p.Document()
	return top, err == nil && !p.Differs && !differsAsYAML(data), err
}

// nodeDiff returns the path of the first difference between the trees want
// and got (positions too when asked); "" when they are the same.
func nodeDiff(want, got *yaml.Node, at string, positions bool) string {
	if want.Kind != got.Kind || want.Tag != got.Tag || want.Style != got.Style || want.Value != got.Value || want.Anchor != got.Anchor || len(want.Content) != len(got.Content) || (want.Alias == nil) != (got.Alias == nil) ||
		positions && (want.Line != got.Line || want.Column != got.Column) {
		return fmt.Sprintf("%s: want %v %s %v %q (%d) at %d:%d, got %v %s %v %q (%d) at %d:%d", at, want.Kind, want.Tag, want.Style, want.Value, len(want.Content), want.Line, want.Column, got.Kind, got.Tag, got.Style, got.Value, len(got.Content), got.Line, got.Column)
	}
	for i := range want.Content {
		if d := nodeDiff(want.Content[i], got.Content[i], fmt.Sprintf("%s/%d", at, i), positions); d != "" {
			return d
		}
	}
	return ""
}

// FuzzJSONScan checks what parseJSONDoc keeps and notes against the whole
// tree: the top level, the notes inspect's checks read (as scanNode and
// hasNullOperation find them on the tree; with a key given twice they may
// say more), and the spans, each of which parses to the tree's value at its
// keys, positions included, for every value docSpan names.
func FuzzJSONScan(f *testing.F) {
	for _, s := range []string{jsonDocFixture, `{}`, `{"paths": {"/a": {"get": null}}}`, `{"paths": {"/a": [{"get": null}]}}`,
		`{"x": {"type": []}}`, `{"x": [{"type": [], "a": 1}]}`, `{"x": {"type": [], "type": 1}}`, `{"p": [{"name": 1, "in": "body"}]}`,
		`{"p": {"in": "formData", "name": null}}`, `{"p": {"in": "query", "name": "a"}}`,
		"{\n \"components\": {\n  \"schemas\": {\"A\": {\"type\": \"string\"},\n \"B\": []}, \"examples\": [1], \"x-a\": 2}, \"paths\": {}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		data := []byte(text)
		if !isJSON(data) || checkJSONDepth(data) != nil || checkUTF8(data) != nil || len(data) > 1<<16 {
			return
		}
		tree, asYAML, err := parseJSONTree(data)
		jd, jerr := parseJSONDoc(data)
		if (err == nil) != (jerr == nil) {
			t.Fatalf("the tree: %v; the scan: %v", err, jerr)
		}
		if err != nil {
			return
		}
		if jd.AsYAML != asYAML {
			t.Fatalf("asYAML %v, the tree says %v", jd.AsYAML, asYAML)
		}
		emptyType, badIn := scanNode(tree, 0)
		nullOp := hasNullOperation(mappingValue(tree, "paths"))
		dups := hasDuplicateKeys(data)
		for _, c := range []struct {
			name        string
			noted, want bool
		}{{"type: []", jd.EmptyType, emptyType}, {"in: body", jd.BadIn, badIn}, {"null operation", jd.NullOp, nullOp}} {
			if c.noted != c.want && (!dups || c.want) {
				t.Fatalf("%s noted %v, the tree says %v", c.name, c.noted, c.want)
			}
		}
		if len(jd.Top.Content) != len(tree.Content) {
			t.Fatalf("top level: %d nodes, the tree %d", len(jd.Top.Content), len(tree.Content))
		}
		for i, n := range tree.Content {
			if got := jd.Top.Content[i]; got.Kind != n.Kind || got.Value != n.Value || got.Tag != n.Tag || got.Line != n.Line || got.Column != n.Column {
				t.Fatalf("top level %d: %v %q, the tree %v %q", i, got.Kind, got.Value, n.Kind, n.Value)
			}
		}
		found := map[string]bool{}
		p := newJSONParser(jd.Data, jd.Src, true)
		for _, s := range jd.Spans {
			want := lookupNode(tree, s.Path)
			if want == nil {
				t.Fatalf("span %q: the tree has no such value", s.Path)
			}
			got, err := p.SpanValue(s)
			if err != nil {
				t.Fatalf("span %q: %v", s.Path, err)
			}
			if d := nodeDiff(want, got, strings.Join(s.Path, "/"), true); d != "" {
				t.Fatalf("span %q differs: %s", s.Path, d)
			}
			found[strings.Join(s.Path, "\x00")] = true
		}
		if dups {
			return // the tree keeps the last value, the spans all
		}
		var walk func(n *yaml.Node, path []string)
		walk = func(n *yaml.Node, path []string) {
			if n.Kind != yaml.MappingNode || len(path) >= maxSpanDepth {
				return
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				at := append(slices.Clone(path), n.Content[i].Value)
				if docSpan(at) {
					if !found[strings.Join(at, "\x00")] {
						t.Fatalf("no span for %q", at)
					}
				}
				walk(n.Content[i+1], at)
			}
		}
		walk(tree, nil)
	})
}

// hasDuplicateKeys reports whether a JSON text gives a key twice in an
// object (the tree keeps one of them).
func hasDuplicateKeys(data []byte) bool {
	var dup bool
	var walk func(d *json.Decoder) error
	walk = func(d *json.Decoder) error {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return err
				}
				if seen[k.(string)] {
					dup = true
				}
				seen[k.(string)] = true
				if err := walk(d); err != nil {
					return err
				}
			}
			_, err = d.Token()
			return err
		case json.Delim('['):
			for d.More() {
				if err := walk(d); err != nil {
					return err
				}
			}
			_, err = d.Token()
			return err
		}
		return nil
	}
	_ = walk(json.NewDecoder(bytes.NewReader(data)))
	return dup
}

// scanNode is what inspect's check of type: [] and of parameters in body or
// formData looks for (see checkRaw's scanTree), on a tree: whether the
// document has an object with type: [], and one with a name and in: body or
// formData.
func scanNode(n *yaml.Node, depth int) (emptyType, badIn bool) {
	if depth > MaxNesting {
		return false, false
	}
	if n.Kind == yaml.MappingNode {
		named := false
		var in *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch k, v := n.Content[i].Value, n.Content[i+1]; k {
			case "type":
				emptyType = emptyType || v.Kind == yaml.SequenceNode && len(v.Content) == 0
			case "in":
				in = v
			case "name":
				named = true
			}
		}
		badIn = named && in != nil && in.Kind == yaml.ScalarNode && (in.Value == "body" || in.Value == "formData")
	}
	for _, c := range n.Content {
		et, bi := scanNode(c, depth+1)
		emptyType, badIn = emptyType || et, badIn || bi
	}
	return emptyType, badIn
}

// hasNullOperation reports whether a path item of paths has an operation
// that is null (what inspect's check of null operations looks for).
func hasNullOperation(paths *yaml.Node) bool {
	if paths == nil || paths.Kind != yaml.MappingNode {
		return false
	}
	for i := 1; i < len(paths.Content); i += 2 {
		item := paths.Content[i]
		if item.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(item.Content); j += 2 {
			if v := item.Content[j+1]; v.Tag == "!!null" && slices.Contains(MethodKeys, item.Content[j].Value) {
				return true
			}
		}
	}
	return false
}

// BenchmarkParseJSON compares the parsers of a JSON spec: go-yaml's (as
// kin-openapi parses it), tpgen's keeping the whole tree, and tpgen's read of
// it for inspect, which keeps the top level only (see load_json.go).
func BenchmarkParseJSON(b *testing.B) {
	data, err := os.ReadFile(corpusFile(b, "github.json"))
	if err != nil {
		b.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		b.Fatal(err)
	}
	b.Run("go-yaml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var n yaml.Node
			if err := yaml.Unmarshal(compact.Bytes(), &n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tpgen", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := parseJSONTree(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tpgen-inspect", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseJSONDoc(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// corpusFile is the corpus document name, from TPGEN_CORPUS (absolute, or
// relative to the module's root); the benchmark is skipped without it.
func corpusFile(b *testing.B, name string) string {
	dir := os.Getenv("TPGEN_CORPUS")
	if dir == "" {
		b.Skip("TPGEN_CORPUS is not set")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("../../..", dir)
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		b.Skip(err)
	}
	return p
}
