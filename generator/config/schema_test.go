package config

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// TestSchema checks the editor schema against the loader on the same files:
// it must accept every valid file and reject every invalid one whose first
// line says "# schema: reject". The others say "# schema: accept (why)":
// what they get wrong is beyond JSON Schema (duplicate keys, aliases, files
// on disk, comparisons between services).
func TestSchema(t *testing.T) {
	schema := loadSchema(t)

	valid, _ := filepath.Glob("testdata/valid/*.yaml")
	for _, file := range valid {
		t.Run("valid/"+filepath.Base(file), func(t *testing.T) {
			if err := schema.VisitJSON(decodeForSchema(t, file), openapi3.EnableJSONSchema2020()); err != nil {
				t.Errorf("schema rejects a valid file: %v", err)
			}
		})
	}

	invalid, _ := filepath.Glob("testdata/invalid/*.yaml")
	rejected := 0
	for _, file := range invalid {
		t.Run("invalid/"+filepath.Base(file), func(t *testing.T) {
			switch verdict := schemaVerdict(t, file); verdict {
			case "reject":
				rejected++
				if err := schema.VisitJSON(decodeForSchema(t, file), openapi3.EnableJSONSchema2020()); err == nil {
					t.Errorf("schema accepts a file the loader rejects")
				}
			case "accept":
				t.Skip("beyond JSON Schema")
			default:
				t.Fatalf(`first line must be "# schema: reject" or "# schema: accept (why)", not %q`, verdict)
			}
		})
	}
	if rejected < 30 {
		t.Errorf("only %d invalid files are checked against the schema", rejected)
	}
}

func loadSchema(t *testing.T) *openapi3.Schema {
	t.Helper()
	var schema openapi3.Schema
	if err := json.Unmarshal(Schema, &schema); err != nil {
		t.Fatalf("services.schema.json: %v", err)
	}
	// A schema that fails to compile would make VisitJSON fall back to the
	// OpenAPI 3.0 validator, which ignores $defs and const: make sure the
	// 2020-12 validator is the one answering.
	err := schema.VisitJSON(map[string]any{"version": 2.0, "services": map[string]any{"x": map[string]any{"spec": "a"}}}, openapi3.EnableJSONSchema2020())
	if err == nil || !strings.Contains(err.Error(), "const") {
		t.Fatalf("the schema is not validated as JSON Schema 2020-12: version 2 gives %v", err)
	}
	return &schema
}

// decodeForSchema reads a YAML file as an editor's JSON Schema validator
// sees it: JSON values, nothing of YAML left.
func decodeForSchema(t *testing.T, file string) any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s is not YAML a schema can be applied to: %v", file, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s does not convert to JSON: %v", file, err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func schemaVerdict(t *testing.T, file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(bytes.NewReader(data)).ReadString('\n')
	rest, ok := strings.CutPrefix(line, "# schema: ")
	if !ok {
		return strings.TrimSpace(line)
	}
	verdict, why, _ := strings.Cut(strings.TrimSpace(rest), " ")
	if verdict == "accept" && !strings.HasPrefix(why, "(") {
		return "accept without a reason"
	}
	return verdict
}

// TestSchemaDocumentsEveryKey: every key the loader knows is a property in
// the schema, with a description an editor can show.
func TestSchemaDocumentsEveryKey(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(Schema, &doc); err != nil {
		t.Fatal(err)
	}
	defs := doc["$defs"].(map[string]any)
	props := func(m map[string]any) map[string]any { p, _ := m["properties"].(map[string]any); return p }
	objects := map[string]struct {
		schema map[string]any
		keys   []string
	}{
		"top level":      {doc, topKeys},
		"defaults":       {props(doc)["defaults"].(map[string]any), defaultsKeys},
		"service":        {defs["service"].(map[string]any), serviceKeys},
		"auth":           {defs["auth"].(map[string]any), authKeys},
		"operation":      {defs["operation"].(map[string]any), opKeys},
		"operation auth": {props(defs["operation"].(map[string]any))["auth"].(map[string]any), opAuthKeys},
		"filter":         {defs["filter"].(map[string]any), filterKeys},
		"pagination":     {defs["pagination"].(map[string]any), paginationKeys},
		"next":           {props(defs["pagination"].(map[string]any))["next"].(map[string]any), nextKeys},
		"page":           {props(defs["pagination"].(map[string]any))["page"].(map[string]any), pageKeys},
		"offset":         {props(defs["pagination"].(map[string]any))["offset"].(map[string]any), offsetKeys},
		"token_store":    {defs["token_store"].(map[string]any), tokenStoreKeys},
	}
	for name, o := range objects {
		p := props(o.schema)
		if len(p) != len(o.keys) {
			t.Errorf("%s: schema has %d properties, the loader %d keys", name, len(p), len(o.keys))
		}
		if o.schema["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties is not false", name)
		}
		for _, k := range o.keys {
			prop, ok := p[k].(map[string]any)
			if !ok {
				t.Errorf("%s: no property %s", name, k)
				continue
			}
			if !described(prop, defs) {
				t.Errorf("%s: property %s has no description", name, k)
			}
		}
	}
}

func described(prop, defs map[string]any) bool {
	if d, _ := prop["description"].(string); d != "" {
		return true
	}
	if ref, ok := prop["$ref"].(string); ok {
		def, _ := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		d, _ := def["description"].(string)
		return d != ""
	}
	return false
}
