package generator_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator"
)

// hostileTexts are what a spec author who wants code in the generated client
// writes into a text field, each meant to end or open a comment, start a
// directive or constraint, break out of a line, or upset the scanner. marker
// is a file that a directive, should one survive, would create.
func hostileTexts(marker string) []string {
	return []string{
		"*/ func init() { panic(1) } /*",
		"/*\n*/ func init() { panic(\"PWNED\") } /*\n*/",
		"//go:generate sh -c \"touch PWNED\"",
		"//go:generate touch " + marker,
		"ok\n//go:generate touch " + marker + "\n//line x.go:1\n//export Foo\n//extern foo\n//cgo CFLAGS: -DX\n// +build ignore\n//go:build ignore\n+build ignore\n   +build ignore\n\t+build ignore",
		"a\u2028//go:generate touch " + marker + "\u2029//go:build ignore",
		"b\r//go:generate touch " + marker + "\r\n//line a.go:1",
		"c\u0085//go:generate touch " + marker + "\v//go:build ignore\f// +build ignore",
		"nul \x00 byte \x01\x02 \x1b[31mansi\x1b[0m \x7f del \u0080\u009b c1",
		"\ufeff//go:generate touch " + marker + " \ufeffBOM inside",
		"bidi \u202e)(desrever\u202c \u2066isolate\u2069 zero\u200bwidth",
		"`backticks` ```go\nfunc init() {}\n```",
		`quotes " and \ backslashes \" \\ ' \n \x00 %s %v %!`,
		"<!-- hidden --> --> <script>alert(1)</script> <img src=https://evil.example/x.png> [link](https://evil.example) ![image](https://evil.example/i.png) | a | b | &amp; \\",
		"# heading\n---\n| fake | table |\n```\nfence\n",
	}
}

// longTexts are very long lines, with and without spaces (set in a few
// fields only: the spec would be huge otherwise).
var longTexts = []string{strings.Repeat("long words ", 1<<16) + "+build ignore " + strings.Repeat("y", 300), strings.Repeat("x", 1<<18)}

// hostileNames are names a spec may give its schemas, properties,
// operations, parameters and values, each of which must become a safe
// identifier (or stay a quoted literal).
var hostileNames = []string{
	"*/ func init() { panic(1) } /*", "//go:generate touch PWNED", "init", "main", "Client", "New", "_", "", "1abc",
	"名前", "Сlient", "Pet\u3164", "a\u2028b", "\ufeffbom", "x\x00y", "`", `"\`, "a,b", "%s%v", "Value\u202e",
}

// TestHostileSpecText: a spec whose text fields are hostile must give a
// client that holds exactly the declarations tpgen meant, no directive, no
// build constraint, no block comment; that go vet passes, that go build
// compiles, and on which go generate runs nothing. The first cases are the
// attacks as reported (before the fix, a description line "//go:generate
// ..." became a directive that go generate ran, and "/*", "*/ func init()
// {...} /*", "*/" put a running init into the client); the last puts
// hostile text into every text field a spec has, and hostile names wherever
// it names something.
func TestHostileSpecText(t *testing.T) {
	small := func(description string) func(string) map[string]any {
		return func(string) map[string]any { return smallHostileSpec(description) }
	}
	for _, c := range []struct {
		name string
		spec func(marker string) map[string]any
	}{
		{"init through a block comment", small("/*\n*/ func init() { panic(\"PWNED\") } /*\n*/")},
		{"go:generate directive", small("Lists things.\n//go:generate sh -c \"touch PWNED\"")},
		{"every field", func(marker string) map[string]any {
			texts := hostileTexts(marker)
			text := strings.Join(texts, "\n")
			spec := hostileSpec(text, texts)
			spec["info"].(map[string]any)["description"] = longTexts[0] + "\n" + longTexts[1]
			spec["components"].(map[string]any)["schemas"].(map[string]any)["Values"].(map[string]any)["description"] = longTexts[1] + longTexts[0]
			// A default short enough for its field's "Default:" line (the
			// joined texts are too long for one): spec text that reaches it.
			first := spec["components"].(map[string]any)["schemas"].(map[string]any)[hostileNames[0]].(map[string]any)
			first["properties"].(map[string]any)["short_default"] = map[string]any{"type": "string", "default": shortHostileDefault}
			return spec
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			marker := filepath.Join(dir, "PWNED-by-directive")
			out, svc := generateHostile(t, dir, c.spec(marker))
			if c.name == "every field" {
				checkHostileText(t, out.Files)
				// The default was written, as JSON in a line comment.
				want := "// Default: " + strconv.Quote(shortHostileDefault) + "." // JSON quotes it the same way
				found := false
				for _, f := range out.Files {
					found = found || strings.Contains(string(f.Data), want)
				}
				if !found {
					t.Errorf("no field comment %q: the Default: line was not reached", want)
				}
			}
			checkHostileModule(t, filepath.Dir(svc.OutDir), out.Files, marker)
		})
	}
}

// shortHostileDefault is a property's default that tries to end the
// comment it is written in and to add a directive.
const shortHostileDefault = "*/\n//go:generate sh -c \"touch PWNED\"\n/*"

// smallHostileSpec is a spec with one operation and one schema, description
// their description.
func smallHostileSpec(description string) map[string]any {
	return map[string]any{"openapi": "3.0.3", "info": map[string]any{"title": "t", "version": "1"},
		"paths": map[string]any{"/a": map[string]any{"get": map[string]any{"operationId": "get", "description": description,
			"responses": map[string]any{"200": map[string]any{"description": "ok", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Thing"}}}}}}}},
		"components": map[string]any{"schemas": map[string]any{"Thing": map[string]any{"type": "object", "description": description, "properties": map[string]any{"id": map[string]any{"type": "string"}}}}}}
}

// generateHostile generates spec (as JSON, which holds any character) and
// holds the files to checkInert.
func generateHostile(t *testing.T, dir string, spec map[string]any) (*generator.Output, *generator.Job) {
	t.Helper()
	data, err := json.MarshalIndent(spec, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	specPath := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(specPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	svc := &generator.Job{Name: "api", Package: "api", Spec: specPath, SpecDisplay: "spec.json", Source: "../spec.json",
		OutDir: filepath.Join(dir, "mod", "api"), ImportPath: "example.com/hostile/api", AllModels: true}
	out, err := generator.Generate([]*generator.Job{svc})
	if err != nil {
		t.Fatalf("the hostile spec does not generate: %v", err)
	}
	checkInert(t, "spec.json", svc, out.Files)
	return out, svc
}

// checkHostileText: the text is still there, inert: comment lines hold it,
// and the enum values and the path come back exactly from their literals.
func checkHostileText(t *testing.T, files []generator.File) {
	t.Helper()
	var all strings.Builder
	for _, f := range files {
		all.Write(f.Data)
	}
	for _, want := range []string{"// */ func init() { panic(1) } /*", "// //go:generate sh -c \"touch PWNED\"", `// \+build ignore`, "// */ func init() { panic(\"PWNED\") } /*"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the generated code lost the spec's text %q", want)
		}
	}
	lits := stringLiterals(t, files)
	for _, v := range append(hostileNames[:len(hostileNames):len(hostileNames)], hostilePath) {
		if !lits[v] {
			t.Errorf("no string literal of the generated code is %q", v)
		}
	}
}

// checkHostileModule builds, vets and generates the client in a module of
// its own, and checks that go generate ran nothing.
func checkHostileModule(t *testing.T, mod string, files []generator.File, marker string) {
	t.Helper()
	writeModule(t, mod, files)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH: the hostile client is not built, vetted or generated")
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(goBin, args...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
			return ""
		}
		return string(b)
	}
	run("build", "./...")
	run("vet", "./...")
	if out := run("run", "./try"); out != "" {
		t.Errorf("a program that imports the client printed:\n%s", out)
	}
	if n := run("generate", "-n", "./..."); strings.TrimSpace(n) != "" {
		t.Errorf("go generate -n would run:\n%s", n)
	}
	run("generate", "./...")
	for _, p := range []string{marker, filepath.Join(mod, "api", "PWNED"), filepath.Join(mod, "api", "model", "PWNED")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("go generate on the client ran a command from the spec: %s exists", p)
		}
	}
}

// hostilePath is a path key with hostile text (a { } would make it a template).
const hostilePath = "/items/*/ func init() ( panic(1) ) /*/\n//go:generate touch PWNED\u2028x\"`|"

// hostileSpec is an OpenAPI 3.1 document with text in every field that has
// any, and hostile names wherever the spec names something.
func hostileSpec(text string, texts []string) map[string]any {
	ext := map[string]any{"x-hostile": text, "x-go-name": hostileNames[0], "x-enum-varnames": hostileNames}
	withExt := func(m map[string]any) map[string]any {
		for k, v := range ext {
			m[k] = v
		}
		return m
	}
	enumValues := make([]any, len(hostileNames))
	for i, n := range hostileNames {
		enumValues[i] = n
	}
	props := map[string]any{}
	for i, n := range hostileNames {
		props[n] = withExt(map[string]any{"type": "string", "description": texts[i%len(texts)], "title": text,
			"default": text, "example": text, "examples": []any{text}, "pattern": text, "format": text})
	}
	props["status"] = withExt(map[string]any{"type": "string", "enum": enumValues, "default": text, "description": text})
	props["count"] = map[string]any{"type": "integer", "enum": []any{1, 2, -3}, "description": text}
	props["nested"] = map[string]any{"type": "object", "description": text, "additionalProperties": map[string]any{"type": "string", "description": text}}
	schemas := map[string]any{}
	for i, n := range hostileNames {
		// The first schema has every property; the others (to keep the spec
		// small enough to generate quickly) one of each kind.
		ps := props
		if i > 0 {
			ps = map[string]any{n: props[n], "status": props["status"], "nested": props["nested"]}
		}
		schemas[n] = withExt(map[string]any{"type": "object", "title": text, "description": text, "properties": ps, "required": []any{"status"},
			"default": map[string]any{"status": text}, "example": map[string]any{"status": text}, "externalDocs": map[string]any{"description": text, "url": "https://example.com/docs"}})
	}
	ref := func(n string) map[string]any {
		return map[string]any{"$ref": "#/components/schemas/" + url.PathEscape(strings.ReplaceAll(strings.ReplaceAll(n, "~", "~0"), "/", "~1"))}
	}
	schemas["Union"] = map[string]any{"description": text, "oneOf": []any{ref(hostileNames[0]), ref(hostileNames[1])},
		"discriminator": map[string]any{"propertyName": hostileNames[18] + `"*/`, "mapping": map[string]any{text: ref(hostileNames[9])["$ref"]}}}
	schemas["Values"] = map[string]any{"description": text, "type": "string", "enum": enumValues}
	param := func(name, in string) map[string]any {
		return withExt(map[string]any{"name": name, "in": in, "description": text, "example": text, "deprecated": true,
			"examples": map[string]any{"x": map[string]any{"summary": text, "description": text, "value": text}},
			"schema":   map[string]any{"type": "string", "default": text, "enum": enumValues, "description": text}})
	}
	// Each operation has three of the names as parameters, so that every
	// name is a query, a header and a cookie parameter somewhere.
	params := func(i int) []any {
		var out []any
		for j, in := range []string{"query", "header", "cookie"} {
			out = append(out, param(hostileNames[(i+j)%len(hostileNames)], in))
		}
		return out
	}
	response := func(n string) map[string]any {
		return map[string]any{"description": text, "headers": map[string]any{hostileNames[0]: map[string]any{"description": text, "schema": map[string]any{"type": "string"}}},
			"content": map[string]any{"application/json": map[string]any{"schema": ref(n), "example": text}}, "links": map[string]any{"l": map[string]any{"description": text, "operationId": text}}}
	}
	ops := map[string]any{}
	for i, n := range hostileNames {
		ops["get"+strconv.Itoa(i)] = withExt(map[string]any{
			"operationId": n, "summary": texts[i%len(texts)], "description": text, "tags": []any{text, n}, "deprecated": i%2 == 0,
			"externalDocs": map[string]any{"description": text, "url": "https://example.com/docs"},
			"parameters":   params(i),
			"requestBody":  map[string]any{"description": text, "required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(n), "example": text}}},
			"responses":    map[string]any{"200": response(n), "4XX": response("Union"), "default": map[string]any{"description": text}},
			"security":     []any{map[string]any{"oauth": []any{hostileNames[0], text}}, map[string]any{n: []any{}}},
		})
	}
	// Every name is also an apiKey scheme, whose key goes in a header,
	// query parameter or cookie of that name: names reach the client as
	// quoted literals and the README as code spans, and the runtime refuses
	// names HTTP cannot carry.
	schemes := map[string]any{"oauth": map[string]any{"type": "oauth2", "description": text, "flows": map[string]any{
		"clientCredentials": map[string]any{"tokenUrl": "https://auth.example.com/token", "scopes": map[string]any{hostileNames[0]: text, text: text, "a`b|c<!--": text}}}}}
	for i, n := range hostileNames {
		schemes[n] = map[string]any{"type": "apiKey", "in": []string{"header", "query", "cookie"}[i%3], "name": n, "description": text}
	}
	// One path per operation: the method is the operation's only variable part.
	paths := map[string]any{}
	methods := []string{"get", "put", "post", "delete", "patch", "options", "trace"}
	noBraces := strings.NewReplacer("{", "(", "}", ")")
	for i, n := range hostileNames {
		v := "x" + noBraces.Replace(n) + "x" // no URI template operator (/ . ; ...) or explode (*) around it
		p := "/op" + strconv.Itoa(i) + "/{" + v + "}"
		item := withExt(map[string]any{"summary": text, "description": text, "parameters": []any{map[string]any{"name": v, "in": "path", "required": true, "description": text, "schema": map[string]any{"type": "string"}}}})
		item[methods[i%len(methods)]] = ops["get"+strconv.Itoa(i)]
		paths[p] = item
	}
	paths[hostilePath] = map[string]any{"get": map[string]any{"operationId": "hostilePath", "summary": text, "responses": map[string]any{"204": map[string]any{"description": text}}}}
	return withExt(map[string]any{
		"openapi": "3.1.0",
		"info": withExt(map[string]any{"title": text, "summary": text, "description": text, "version": text, "termsOfService": "https://example.com/terms",
			"contact": map[string]any{"name": text, "url": "https://example.com", "email": "a@example.com"}, "license": map[string]any{"name": text, "identifier": "MIT"}}),
		"servers": []any{
			map[string]any{"url": "https://api.example.com/v1/`|*/", "description": text},
			map[string]any{"url": "https://{host}/" + text, "description": text, "variables": map[string]any{"host": map[string]any{"default": text, "description": text, "enum": []any{text}}}},
		},
		"tags":         []any{map[string]any{"name": text, "description": text, "externalDocs": map[string]any{"description": text, "url": "https://example.com"}}},
		"externalDocs": map[string]any{"description": text, "url": "https://example.com"},
		"security":     []any{map[string]any{"oauth": []any{hostileNames[0]}}},
		"paths":        paths,
		"components": map[string]any{
			"schemas":         schemas,
			"securitySchemes": schemes,
		},
	})
}

// stringLiterals collects the values of every string literal in the Go files.
func stringLiterals(t *testing.T, files []generator.File) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".go") {
			continue
		}
		af, err := parser.ParseFile(fset, f.Path, f.Data, parser.SkipObjectResolution)
		if err != nil {
			continue // checkInert reports it
		}
		ast.Inspect(af, func(n ast.Node) bool {
			if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				if s, err := strconv.Unquote(bl.Value); err == nil {
					out[s] = true
				}
			}
			return true
		})
	}
	return out
}

// writeModule writes generated files under mod (their OutDir) with a go.mod
// that uses this repository's runtime, for go build, vet and generate.
func writeModule(t *testing.T, mod string, files []generator.File) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.Path, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	try := filepath.Join(mod, "try")
	if err := os.MkdirAll(try, 0o755); err != nil {
		t.Fatal(err)
	}
	// A program that only imports the client: an init from the spec would run.
	if err := os.WriteFile(filepath.Join(try, "main.go"), []byte("package main\n\nimport _ \"example.com/hostile/api\"\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gomod := "module example.com/hostile\n\ngo 1.26.0\n\nrequire " + modulePath + " v0.0.0\n\nreplace " + modulePath + " => " + strconv.Quote(root) + "\n"
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
}
