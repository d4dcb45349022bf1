package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
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
// the goldens, and the corpus's with TPGEN_CORPUS.
func TestJSONDocLoad(t *testing.T) {
	dir := t.TempDir()
	specs := map[string]string{"fixture.json": filepath.Join(dir, "fixture.json")}
	if err := os.WriteFile(specs["fixture.json"], []byte(jsonDocFixture), 0o644); err != nil {
		t.Fatal(err)
	}
	golden, _ := filepath.Glob("testdata/golden/*/*.json")
	nested, _ := filepath.Glob("testdata/golden/*/specs/*.json")
	golden = append(golden, nested...)
	for _, p := range golden {
		specs[p] = p
	}
	if corpus := os.Getenv("TPGEN_CORPUS"); corpus != "" {
		if !filepath.IsAbs(corpus) {
			corpus = filepath.Join("..", corpus)
		}
		found, _ := filepath.Glob(filepath.Join(corpus, "*.json"))
		for _, p := range found {
			specs[filepath.Base(p)] = p
		}
	}
	for name, path := range specs {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			version, jd, err := inspect(data)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(version, "3") {
				t.Skipf("version %s: converted, not loaded", version)
			}
			if jd == nil || !jd.asYAML {
				t.Fatalf("not loaded from its tree")
			}
			abs, _ := filepath.Abs(path)
			loc := &url.URL{Path: filepath.ToSlash(abs)}
			fromTree, treeErr := loadJSONDoc(jd, loc)
			refs, err := newRefReader(path, name, "")
			if err != nil {
				t.Fatal(err)
			}
			defer refs.Close()
			fromText, err := loadOpenAPI3(data, loc, refs)
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
			if jd.asYAML {
				t.Errorf("read as go-yaml reads it: %s", text)
			}
		})
	}
	jd, err := parseJSONDoc([]byte(`{"a": "x\/\u00e9\u20ac", "b": [1, -0, 1e400]}`))
	if err != nil || !jd.asYAML {
		t.Errorf("a text go-yaml reads alike is not read from the tree: %v", err)
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
		jd, err := parseJSONDoc(data)
		if err != nil {
			if json.Valid(data) {
				t.Fatalf("valid JSON refused: %v", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("invalid JSON read")
		}
		if !jd.asYAML {
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
		if diff := nodeDiff(doc.Content[0], jd.top, ""); diff != "" {
			t.Fatalf("the trees differ at %s", diff)
		}
	})
}

// nodeDiff returns the path of the first difference between go-yaml's tree
// and the parsed one, positions aside; "" when they are the same.
func nodeDiff(want, got *yaml.Node, at string) string {
	if want.Kind != got.Kind || want.Tag != got.Tag || want.Style != got.Style || want.Value != got.Value || want.Anchor != got.Anchor || len(want.Content) != len(got.Content) || (want.Alias == nil) != (got.Alias == nil) {
		return fmt.Sprintf("%s: go-yaml %v %s %v %q (%d), parsed %v %s %v %q (%d)", at, want.Kind, want.Tag, want.Style, want.Value, len(want.Content), got.Kind, got.Tag, got.Style, got.Value, len(got.Content))
	}
	for i := range want.Content {
		if d := nodeDiff(want.Content[i], got.Content[i], fmt.Sprintf("%s/%d", at, i)); d != "" {
			return d
		}
	}
	return ""
}

// BenchmarkParseJSON compares the parsers of a JSON spec: go-yaml's (as
// kin-openapi parses it) and tpgen's (see load_json.go).
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
			if _, err := parseJSONDoc(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
