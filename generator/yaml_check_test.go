package generator

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator/internal/load"
)

// aliasSpec writes a spec whose shared blocks are YAML anchors and aliases,
// or (expand) the same spec with every alias written out, as a reader of
// YAML sees it.
type aliasSpec struct {
	expand  bool
	defs    map[string]func() string
	written map[string]bool
	aliases int
}

func newAliasSpec(expand bool) *aliasSpec {
	a := &aliasSpec{expand: expand, written: map[string]bool{}}
	a.defs = map[string]func() string{
		"id":    func() string { return `{type: string, format: uuid}` },
		"name":  func() string { return `{type: string, description: "The name."}` },
		"desc":  func() string { return `"Shared by many operations."` },
		"limit": func() string { return `{name: limit, in: query, schema: {type: integer, minimum: 1}}` },
		"pet": func() string {
			return fmt.Sprintf(`{type: object, required: [id], properties: {id: %s, name: %s, tag: {type: string}}}`, a.use("id"), a.use("name"))
		},
		"err": func() string {
			return fmt.Sprintf(`{description: Error, content: {application/json: {schema: {type: object, properties: {message: %s, code: {type: integer}}}}}}`, a.use("name"))
		},
	}
	return a
}

// use writes the block name: its anchor the first time, an alias after
// (or the block itself each time, expanded).
func (a *aliasSpec) use(name string) string {
	if a.expand {
		return a.defs[name]()
	}
	if a.written[name] {
		a.aliases++
		return "*" + name
	}
	a.written[name] = true
	return "&" + name + " " + a.defs[name]()
}

// merged writes a schema that merges the page block (<<: *page) with
// properties of its own.
func (a *aliasSpec) merged(props string) string {
	if a.expand {
		return fmt.Sprintf(`{type: object, description: "A page.", properties: %s}`, props)
	}
	if a.written["page"] {
		a.aliases++
		return fmt.Sprintf(`{<<: *page, properties: %s}`, props)
	}
	a.written["page"] = true
	return fmt.Sprintf(`{<<: &page {type: object, description: "A page."}, properties: %s}`, props)
}

func (a *aliasSpec) document(ops int) string {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: Aliases, version: \"1\"}\nservers: [{url: \"https://api.example.com\"}]\npaths:\n")
	for i := range ops {
		fmt.Fprintf(&b, "  /pets%d:\n    get:\n      operationId: listPets%d\n      description: %s\n", i, i, a.use("desc"))
		fmt.Fprintf(&b, "      parameters: [%s]\n", a.use("limit"))
		fmt.Fprintf(&b, "      responses:\n        \"200\": {description: OK, content: {application/json: {schema: %s}}}\n", a.use("pet"))
		fmt.Fprintf(&b, "        \"206\": {description: Part, content: {application/json: {schema: %s}}}\n", a.merged(fmt.Sprintf(`{items: {type: array, items: %s}}`, a.use("pet"))))
		fmt.Fprintf(&b, "        default: %s\n", a.use("err"))
	}
	return b.String()
}

// TestAliasesAsExpanded generates a spec with 140 aliases (of schemas,
// parameters, responses, scalars, and merge keys) and the same spec with
// the aliases written out: the clients are the same, byte for byte.
func TestAliasesAsExpanded(t *testing.T) {
	const ops = 24
	aliased := newAliasSpec(false)
	text := aliased.document(ops)
	if aliased.aliases != 140 {
		t.Fatalf("the spec has %d aliases, want 140", aliased.aliases)
	}
	expanded := newAliasSpec(true).document(ops)
	if strings.ContainsAny(expanded, "&*") {
		t.Fatal("the expanded spec has anchors or aliases")
	}
	gen := func(text string) *Output {
		dir := t.TempDir()
		path := filepath.Join(dir, "spec.yaml")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := Generate([]*Job{{Name: "api", Spec: path, SpecDisplay: "spec.yaml", Source: "spec.yaml", OutDir: "out"}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, e := gen(text), gen(expanded)
	if st := a.Stats[0]; st.Operations != ops {
		t.Fatalf("%d operations, want %d", st.Operations, ops)
	}
	if len(a.Files) != len(e.Files) {
		t.Fatalf("%d files from the aliased spec, %d from the expanded one", len(a.Files), len(e.Files))
	}
	for i := range a.Files {
		if a.Files[i].Path != e.Files[i].Path || !bytes.Equal(a.Files[i].Data, e.Files[i].Data) {
			t.Errorf("%s differs between the aliased and the expanded spec", a.Files[i].Path)
		}
	}
	ops0 := string(a.Files[indexOfFile(t, a, "operations.go")].Data)
	for _, want := range []string{"func (c *Client) ListPets0(ctx context.Context, params *ListPets0Params, opts ...runtime.CallOption) (*ListPets0Result, error)", "Limit *int"} {
		if !strings.Contains(ops0, want) {
			t.Errorf("the client lacks %q", want)
		}
	}
}

// TestAliasesInReferencedFile does the same for a file a $ref names: its
// aliases are read as written out.
func TestAliasesInReferencedFile(t *testing.T) {
	gen := func(models string) *Output {
		dir := t.TempDir()
		writeFile(t, dir, "spec.yaml", "openapi: 3.0.3\ninfo: {title: T, version: \"1\"}\npaths:\n"+
			"  /pets:\n    get:\n      responses:\n        \"200\": {description: OK, content: {application/json: {schema: {$ref: 'models.yaml#/Pet'}}}}\n"+
			"  /owners:\n    get:\n      responses:\n        \"200\": {description: OK, content: {application/json: {schema: {$ref: 'models.yaml#/Owner'}}}}\n")
		writeFile(t, dir, "models.yaml", models)
		out, err := Generate([]*Job{{Name: "api", Spec: filepath.Join(dir, "spec.yaml"), SpecDisplay: "spec.yaml", Source: "spec.yaml", OutDir: "out"}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a := gen("Base: &base {type: object, required: [id], properties: {id: &id {type: string}}}\n" +
		"Pet: {<<: *base, description: A pet.}\n" +
		"Owner: {type: object, properties: {id: *id, pets: {type: array, items: *base}}}\n")
	e := gen("Base: {type: object, required: [id], properties: {id: {type: string}}}\n" +
		"Pet: {type: object, required: [id], properties: {id: {type: string}}, description: A pet.}\n" +
		"Owner: {type: object, properties: {id: {type: string}, pets: {type: array, items: {type: object, required: [id], properties: {id: {type: string}}}}}}\n")
	for i := range a.Files {
		if !bytes.Equal(a.Files[i].Data, e.Files[i].Data) {
			t.Errorf("%s differs between the aliased and the expanded file:\n%s\n----\n%s", a.Files[i].Path, a.Files[i].Data, e.Files[i].Data)
		}
	}
}

func indexOfFile(t *testing.T, out *Output, base string) int {
	t.Helper()
	for i, f := range out.Files {
		if filepath.Base(f.Path) == base {
			return i
		}
	}
	t.Fatalf("no %s generated", base)
	return -1
}

// billionLaughs is levels lists of ten aliases of the list before: 10^levels
// values once expanded, from a few hundred bytes.
func billionLaughs(levels int) string {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: Lol, version: \"1\"}\npaths: {}\nx-lol:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "  l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	return b.String()
}

// TestAliasBomb loads a billion laughs (and one of 10^30 values): refused at
// the alias that takes the document past the bound, having allocated a few
// megabytes at most. Without the bound, kin-openapi expands every alias.
func TestAliasBomb(t *testing.T) {
	for _, levels := range []int{9, 30} {
		dir := t.TempDir()
		path := filepath.Join(dir, "spec.yaml")
		writeFile(t, dir, "spec.yaml", billionLaughs(levels))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := load.LoadSpec(path, "spec.yaml", "", false, false)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("%d levels: loaded", levels)
		}
		// l0 to l4 are 11, 111, ..., 111,111 values, 123,455 together: the
		// first alias in l5 takes the document past the floor of 131,072.
		if want := "spec.yaml:10:12: YAML aliases expand the document past 131072 values"; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%d levels: %v, want %s...", levels, err, want)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
			t.Errorf("%d levels: refusing took %d bytes", levels, alloc)
		}
	}
}

// BenchmarkAliasBomb is the time and memory of refusing a billion laughs.
func BenchmarkAliasBomb(b *testing.B) {
	data := []byte(billionLaughs(9))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := load.Inspect(data); err == nil {
			b.Fatal("accepted")
		}
	}
}

func writeFile(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
