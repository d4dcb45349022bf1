package generator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// cycleKeywords are the keywords through which a schema can hold another.
var cycleKeywords = []string{"allOf", "oneOf", "anyOf", "not", "items", "properties", "additionalProperties", "prefixItems"}

// cycleEdge is a schema that holds target through kw; with sibling, the
// schema has more beside it (a property, a second member), which takes the
// typer down other paths (allOf merging, unions of several variants).
func cycleEdge(kw, target string, sibling bool) map[string]any {
	ref := map[string]any{"$ref": "#/components/schemas/" + target}
	extra := map[string]any{"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string"}}}
	var s map[string]any
	switch kw {
	case "allOf", "oneOf", "anyOf":
		members := []any{ref}
		if sibling {
			members = append(members, extra)
		}
		s = map[string]any{kw: members}
	case "not":
		s = map[string]any{"not": ref}
	case "items":
		s = map[string]any{"type": "array", "items": ref}
	case "prefixItems":
		items := []any{ref}
		if sibling {
			items = append(items, map[string]any{"type": "string"})
		}
		s = map[string]any{"type": "array", "prefixItems": items}
	case "properties":
		s = map[string]any{"type": "object", "properties": map[string]any{"next": ref}}
		if sibling {
			s["required"] = []any{"next"}
		}
	case "additionalProperties":
		s = map[string]any{"type": "object", "additionalProperties": ref}
	}
	if sibling && (kw == "not" || kw == "items" || kw == "additionalProperties") {
		s["nullable"] = true
	}
	return s
}

// cycleSpec is a 3.1 document whose schemas C0..Cn-1 hold each other in a
// circle, C(i) through kws[i%len(kws)], and an operation that returns C0.
func cycleSpec(kws []string, n int, sibling bool) []byte {
	schemas := map[string]any{}
	for i := range n {
		schemas[fmt.Sprintf("C%d", i)] = cycleEdge(kws[i%len(kws)], fmt.Sprintf("C%d", (i+1)%n), sibling)
	}
	ok := func(schema map[string]any) map[string]any {
		return map[string]any{"description": "ok", "content": map[string]any{"application/json": map[string]any{"schema": schema}}}
	}
	doc := map[string]any{
		"openapi": "3.1.0", "info": map[string]any{"title": "cycle", "version": "1"},
		"paths": map[string]any{"/c": map[string]any{
			"get":  map[string]any{"operationId": "getC", "responses": map[string]any{"200": ok(map[string]any{"$ref": "#/components/schemas/C0"})}},
			"post": map[string]any{"operationId": "postC", "requestBody": map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/C0"}}}}, "responses": map[string]any{"204": map[string]any{"description": "done"}}},
		}},
		"components": map[string]any{"schemas": schemas},
	}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		panic(err)
	}
	return b
}

type cycleCase struct {
	name    string
	kws     []string
	n       int
	sibling bool
	spec    string // instead of the circle above, when set
}

// Circles through schemas inside components, which $refs reach by JSON
// pointer: the typer meets an inline schema again while building it.
const inlineCycleSpec = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /b:
    get:
      operationId: getB
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/B"}}}}
components:
  schemas:
    B: {type: object, properties: {x: {allOf: [{$ref: "#/components/schemas/C"}]}}}
    C: {allOf: [{$ref: "#/components/schemas/B/properties/x"}]}
    D: {type: object, properties: {y: {type: array, items: {$ref: "#/components/schemas/D/properties/y"}}}}
    E: {type: object, properties: {z: {oneOf: [{$ref: "#/components/schemas/F"}]}}}
    F: {anyOf: [{$ref: "#/components/schemas/E/properties/z"}]}
`

// cycleCases: every keyword in circles of one, two and three schemas, alone
// and with something beside it, and circles that mix keywords.
func cycleCases() []cycleCase {
	var out []cycleCase
	for _, kw := range cycleKeywords {
		for n := 1; n <= 3; n++ {
			for _, sibling := range []bool{false, true} {
				name := fmt.Sprintf("%s-%d", kw, n)
				if sibling {
					name += "-with-sibling"
				}
				out = append(out, cycleCase{name: name, kws: []string{kw}, n: n, sibling: sibling})
			}
		}
	}
	out = append(out, cycleCase{name: "inline", spec: inlineCycleSpec})
	for _, kws := range [][]string{
		{"allOf", "oneOf"}, {"allOf", "anyOf", "oneOf"}, {"allOf", "items"}, {"oneOf", "properties"},
		{"allOf", "additionalProperties", "anyOf"}, {"not", "allOf"}, {"prefixItems", "allOf", "oneOf"}, {"items", "additionalProperties", "properties"},
	} {
		for _, sibling := range []bool{false, true} {
			name := "mixed-" + strings.Join(kws, "-")
			if sibling {
				name += "-with-sibling"
			}
			out = append(out, cycleCase{name: name, kws: kws, n: len(kws), sibling: sibling})
		}
	}
	return out
}

// TestSchemaCycles: schemas that hold each other in a circle, through any
// keyword and of any length, give a client that type-checks (a recursive
// type, or any with a -v note where the circle describes no value) or an
// error at the schema's position; never a crash or a hang. (Before the fix,
// a circle of two or three schemas through allOf, oneOf or anyOf made a
// type that is only another name for itself, and tpgen died of a stack
// overflow walking it.)
//
// A stack overflow is fatal in Go, not a panic a test could recover from, so
// the cases run in a child process of this test binary; the parent fails
// with the child's output if the child dies, and kills it if it does not
// finish in time. Each case in the child has generateSpec's deadline too.
func TestSchemaCycles(t *testing.T) {
	if os.Getenv("TPGEN_CYCLE_CHILD") == "1" {
		for _, c := range cycleCases() {
			t.Run(c.name, func(t *testing.T) {
				if c.spec != "" {
					generateSpec(t, "spec.yaml", []byte(c.spec))
					return
				}
				generateSpec(t, "spec.json", cycleSpec(c.kws, c.n, c.sibling))
			})
		}
		return
	}
	limit := 5 * time.Minute * raceSlowdown
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSchemaCycles$", "-test.v")
	cmd.Env = append(os.Environ(), "TPGEN_CYCLE_CHILD=1")
	out, err := cmd.CombinedOutput()
	switch {
	case ctx.Err() != nil:
		t.Fatalf("the cases did not finish within %v (a hang):\n%s", limit, tail(out, 4000))
	case err != nil:
		t.Fatalf("the child running the cases failed (%v):\n%s", err, tail(out, 8000))
	}
	if n := strings.Count(string(out), "--- PASS: TestSchemaCycles/"); n != len(cycleCases()) {
		t.Fatalf("%d of %d cases passed:\n%s", n, len(cycleCases()), tail(out, 4000))
	}
}

// tail is the end of a process's output: a stack overflow's first lines
// name the walk, the rest is the stack.
func tail(b []byte, n int) string {
	s := string(b)
	if i := strings.Index(s, "fatal error: stack overflow"); i >= 0 {
		return s[max(0, i-2000):min(len(s), i+n)]
	}
	return s[max(0, len(s)-n):]
}

// TestDeepSchemaChain: a chain of schemas deeper than the typer descends
// (each the property of the one before) is an error at the schema where it
// stops, not a stack that grows until the process dies.
func TestDeepSchemaChain(t *testing.T) {
	const n = 2010
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /a:\n    get:\n      operationId: get\n      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: \"#/components/schemas/S0\"}\ncomponents:\n  schemas:\n")
	for i := range n {
		fmt.Fprintf(&b, "    S%d: {type: object, properties: {next: {$ref: \"#/components/schemas/S%d\"}}}\n", i, i+1)
	}
	fmt.Fprintf(&b, "    S%d: {type: string}\n", n)
	r := generateSpec(t, "spec.yaml", []byte(b.String()))
	if r.err == nil || !strings.Contains(r.err.Error(), "levels deep") || strings.Count(r.err.Error(), "\n") > 0 {
		t.Fatalf("a chain of %d schemas: %v", n, r.err)
	}
}
