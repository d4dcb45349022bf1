package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

func TestParsePointer(t *testing.T) {
	for _, c := range []struct {
		frag string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"/", nil, false},
		{"/components/schemas/Pet", []string{"components", "schemas", "Pet"}, false},
		{"/paths/~1pets~1{id}/get", []string{"paths", "/pets/{id}", "get"}, false},
		{"/a~0b/~01", []string{"a~b", "~1"}, false},
		{"/items/0", []string{"items", "0"}, false},
		{"Pet", nil, true}, // an anchor
	} {
		got, err := ParsePointer(c.frag)
		if (err != nil) != c.err || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parsePointer(%q) = %q, %v; want %q, error %v", c.frag, got, err, c.want, c.err)
		}
		if err == nil {
			back, _ := ParsePointer(encodePointer(got))
			if !reflect.DeepEqual(back, got) {
				t.Errorf("encodePointer(%q) = %q, which parses as %q", got, encodePointer(got), back)
			}
		}
	}
}

func TestPointerName(t *testing.T) {
	for _, c := range []struct {
		ptr  []string
		want string
	}{
		{nil, ""},
		{[]string{"Pet"}, "Pet"},
		{[]string{"components", "schemas", "pet_owner"}, "PetOwner"},
		{[]string{"definitions", "Kind"}, "Kind"},
		{[]string{"$defs", "ID"}, "ID"},
		{[]string{"Pet", "properties", "owner"}, "PetOwner"},
		{[]string{"Pet", "allOf", "1"}, "Pet"},
	} {
		if got := pointerName(c.ptr); got != c.want {
			t.Errorf("pointerName(%q) = %q, want %q", c.ptr, got, c.want)
		}
	}
}

// TestBundleNames bundles files whose targets compete for names and checks
// the component each gets: one per file and pointer, after the root's
// component, the pointer, the title or the file, never twice.
func TestBundleNames(t *testing.T) {
	files := map[string]string{
		"spec.yaml": `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  a: {$ref: models/pet.yaml}
                  b: {$ref: ./models/pet.yaml}
                  c: {$ref: models/../models/pet.yaml#}
                  d: {$ref: models/v2/pet.yaml}
                  e: {$ref: other/pet.yaml}
                  f: {$ref: models/titled.yaml}
                  g: {$ref: 'models/defs.json#/definitions/Owner'}
                  h: {$ref: 'models/defs.json#/definitions/Owner/properties/address'}
                  i: {$ref: models/error.yaml}
                  j: {$ref: models/animal.yaml}
components:
  schemas:
    Animal: {$ref: models/animal.yaml}
    Error: {type: object}
`,
		"models/pet.yaml":    "type: object\n",
		"models/v2/pet.yaml": "type: object\n",
		"other/pet.yaml":     "type: object\n",
		"models/titled.yaml": "title: Chew toy\ntype: object\n",
		"models/defs.json":   `{"definitions": {"Owner": {"type": "object", "properties": {"address": {"type": "object"}}}}}`,
		"models/error.yaml":  "type: object\n",
		"models/animal.yaml": "type: object\n",
	}
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root := filepath.Join(dir, "spec.yaml")
	bd, err := bundleSpec(root, "spec.yaml", []byte(files["spec.yaml"]), testRefReader(t, root), bundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]struct {
			Get struct {
				Responses map[string]struct {
					Content map[string]struct {
						Schema struct {
							Properties map[string]map[string]string
						}
					}
				}
			}
		}
		Components struct{ Schemas map[string]any }
	}
	if err := yaml.Unmarshal(bd.Data, &doc); err != nil {
		t.Fatalf("the bundle is not YAML: %v\n%s", err, bd.Data)
	}
	props := doc.Paths["/a"].Get.Responses["200"].Content["application/json"].Schema.Properties
	want := map[string]string{
		"a": "Pet", "b": "Pet", "c": "Pet", // one file, three spellings
		"d": "V2_Pet",    // a second pet.yaml: its directory in front
		"e": "Other_Pet", // and a third
		"f": "ChewToy",   // its title
		"g": "Owner",     // the pointer's name
		"h": "OwnerAddress",
		"i": "Models_Error", // the root has Error: its directory in front
		"j": "Animal",       // the root's component that is only this $ref
	}
	for p, name := range want {
		if got := props[p]["$ref"]; got != "#/components/schemas/"+name {
			t.Errorf("property %s: $ref %q, want #/components/schemas/%s", p, got, name)
		}
	}
	var names []string
	for k := range doc.Components.Schemas {
		names = append(names, k)
	}
	if len(names) != 9 {
		t.Errorf("components %v, want 9: Animal, Error and one per referenced target", names)
	}
}

// TestParseJSONNode checks values and positions against encoding/json.
func TestParseJSONNode(t *testing.T) {
	data := []byte("{\n  \"a\": [1, 2.5, -3e2, true, null],\n  \"b\": \"x\\/y\\u00e9\",\n  \"a\": {\"c\": 18446744073709551616}\n}\n")
	n, err := parseJSONNode(data)
	if err != nil {
		t.Fatal(err)
	}
	if b := mappingValue(n, "b"); b == nil || b.Value != "x/yé" || b.Line != 3 || b.Column != 8 {
		t.Errorf("b = %+v, want x/yé at 3:8", b)
	}
	if a := mappingValue(n, "a"); a == nil || a.Kind != yaml.MappingNode || a.Content[1].Tag != "!!float" {
		t.Errorf("a = %+v, want the last value of the key (an object with a big number)", a)
	}
	for _, c := range []struct {
		data      string
		line, col int
	}{
		{"{\n  \"a\": 1,\n}", 3, 1},
		{"{\"a\" 1}", 1, 6},
		{"[1, 2", 1, 6},
		{"{\"a\": \"\x01\"}", 1, 8},
	} {
		_, err := parseJSONNode([]byte(c.data))
		pe, ok := err.(*posError)
		if !ok || pe.Line != c.line || pe.Col != c.col {
			t.Errorf("parseJSONNode(%q) = %v (%+v), want an error at %d:%d", c.data, err, pe, c.line, c.col)
		}
	}
}

// FuzzJSONNode: every JSON document parses, to the values encoding/json
// reads (through the bundle writer, read back as YAML), and what
// encoding/json refuses is refused.
func FuzzJSONNode(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a": [1, 2.5e3, "x\/y", true, null, {"b": {}}]}`, `{"a": 1, "a": 2}`, `"s"`, `-0`, `{"a":`, `[1,]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if checkJSONDepth(data) != nil {
			return
		}
		n, err := parseJSONNode(data)
		var want any
		jerr := json.Unmarshal(data, &want)
		if (err != nil) != (jerr != nil) {
			t.Fatalf("parseJSONNode: %v; encoding/json: %v", err, jerr)
		}
		if err != nil {
			if _, ok := err.(*posError); !ok {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		w := &bundleWriter{Limit: 1 << 30}
		if err := w.Document(n); err != nil {
			t.Fatal(err)
		}
		var back any
		if err := yaml.Unmarshal(w.Buf.Bytes(), &back); err != nil {
			t.Fatalf("written back, not YAML: %v\n%s", err, w.Buf.Bytes())
		}
		// As JSON again, for encoding/json's types (float64 numbers).
		js, err := json.Marshal(back)
		if err != nil {
			t.Fatalf("read back as %#v, not JSON: %v", back, err)
		}
		var got any
		if err := json.Unmarshal(js, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("read %v, encoding/json %v", got, want)
		}
	})
}

// FuzzBundleWriter: a YAML document written by the bundle writer reads back
// as the same values, in yaml.v3 as kin-openapi's parser would.
func FuzzBundleWriter(f *testing.F) {
	for _, s := range []string{
		"a: 1\nb: [x, 'y', \"z\\n\"]\n", "k: 0x1F\nf: .inf\nn: ~\nt: 2001-12-14\nb: !!binary aGk=\n",
		"s: |\n  line one\n  line two\n", "? complex\n: value\n", "q: '\u2028 \u0085 \t'\ni: !!str 12\n", "- a\n- {b: [c, {d: e}]}\n",
		"<<: {a: 1}\nb: 2\n", "e: ''\nz: -0.0\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || checkYAML(&doc) != nil || len(doc.Content) == 0 {
			return
		}
		// Keys are written as the text they are (200: as "200"), as JSON
		// and OpenAPI have them.
		var keyed yaml.Node
		_ = yaml.Unmarshal(data, &keyed)
		stringKeys(&keyed, 0)
		var want any
		if keyed.Decode(&want) != nil {
			return // not a value yaml.v3 decodes (a merge of a scalar)
		}
		w := &bundleWriter{Limit: 1 << 30}
		if err := w.Document(doc.Content[0]); err != nil {
			t.Fatal(err)
		}
		var got any
		if err := yaml.Unmarshal(w.Buf.Bytes(), &got); err != nil {
			t.Fatalf("written back, not YAML: %v\n%s", err, w.Buf.Bytes())
		}
		if a, b := fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", want); a != b && !strings.Contains(b, "NaN") {
			t.Fatalf("read back\n%s\nwant\n%s\nwritten:\n%s", a, b, w.Buf.Bytes())
		}
		if bytes.Count(w.Buf.Bytes(), []byte("\n")) != countLines(doc.Content[0]) {
			t.Fatalf("%d line ends, want %d: one key or item per line\n%s", bytes.Count(w.Buf.Bytes(), []byte("\n")), countLines(doc.Content[0]), w.Buf.Bytes())
		}
	})
}

func stringKeys(n *yaml.Node, depth int) {
	if depth > MaxNesting {
		return
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" {
				k.Tag, k.Style = "!!str", yaml.DoubleQuotedStyle
			}
		}
	}
	for _, c := range n.Content {
		stringKeys(c, depth+1)
	}
}

// countLines is how many line ends the bundle writer gives n: one after each
// key and item (a long key has a line of its own), the first on the first line.
func countLines(n *yaml.Node) int {
	lines := 1
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.MappingNode:
			lines += len(n.Content) / 2
			for i := 0; i+1 < len(n.Content); i += 2 {
				if len(n.Content[i].Value) > maxImplicitKey {
					lines++
				}
				walk(n.Content[i+1])
			}
		case yaml.SequenceNode:
			lines += len(n.Content)
			for _, c := range n.Content {
				walk(c)
			}
		}
	}
	walk(n)
	plain := map[yaml.Kind]string{yaml.MappingNode: "!!map", yaml.SequenceNode: "!!seq"}[n.Kind]
	if plain != "" && writtenTag(n, plain) == "" && len(n.Content) > 0 {
		lines-- // the first entry is on the first line, unless a tag is
	}
	return lines
}

// TestBundleExpansionBounded is the attack of a spec whose path items refer
// to each other through callbacks, ten times per level, eight levels deep:
// written out, 10^8 path items. Bundling must refuse it, at the $ref, without
// first building it.
func TestBundleExpansionBounded(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const levels = 8
	root := "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /a: {$ref: 'l0.yaml'}\n"
	write("spec.yaml", root)
	for l := range levels {
		var b strings.Builder
		fmt.Fprintf(&b, "get:\n  responses:\n    \"200\": {description: ok}\n  callbacks:\n")
		for c := range 10 {
			next := fmt.Sprintf("l%d.yaml", l+1)
			if l+1 == levels {
				next = "leaf.yaml"
			}
			fmt.Fprintf(&b, "    c%d:\n      '{$request.body#/url%d}': {$ref: '%s'}\n", c, c, next)
		}
		write(fmt.Sprintf("l%d.yaml", l), b.String())
	}
	write("leaf.yaml", "post:\n  responses:\n    \"200\": {description: ok}\n")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := bundleSpec(filepath.Join(dir, "spec.yaml"), "spec.yaml", []byte(root), testRefReader(t, filepath.Join(dir, "spec.yaml")), bundleOptions{})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("bundleSpec = %v, want an error: the document would be too large", err)
	}
	if se, ok := err.(*SpecError); !ok || se.Line == 0 || !strings.HasPrefix(se.File, "l") {
		t.Errorf("error %q is not at a $ref of the path item files", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 256<<20 {
		t.Errorf("bundling allocated %d MB before refusing", n>>20)
	}
	t.Logf("refused after allocating %d MB: %v", (after.TotalAlloc-before.TotalAlloc)>>20, err)
}

func TestNeedsBundle(t *testing.T) {
	for _, c := range []struct {
		doc  string
		want bool
	}{
		{`"$ref": "#/components/schemas/Pet"`, false},
		{"$ref: '#/components/schemas/Pet'", false},
		{"$ref: >-\n  #/components/schemas/a_long_name", false},
		{"$ref: |\n  #/x", false},
		{`"$ref": "models/pet.json"`, true},
		{"$ref: models/pet.yaml", true},
		{"$ref: './pet.yaml#/Pet'", true},
		{"$ref: >-\n  models/a_long_name.yaml", true},
		{"$ref:\n  ../pet.yaml", true},
	} {
		if got := needsBundle([]byte(c.doc)); got != c.want {
			t.Errorf("needsBundle(%q) = %v, want %v", c.doc, got, c.want)
		}
	}
}

// testRefReader is the ref reader a load of the spec at path would use.
func testRefReader(t *testing.T, path string) *RefReader {
	t.Helper()
	r, err := NewRefReader(path, filepath.Base(path), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
