package generator

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/tpgen/tpgen/generator/internal/load"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// TestNestedTargets refers to an object of a file and to one inside it, in
// both orders, to a whole file and a pointer into it, and within the root
// document: one type for the inner schema, which the outer one uses.
func TestNestedTargets(t *testing.T) {
	const defs = "Pet:\n  type: object\n  properties:\n    name: {type: string}\n    owner:\n      type: object\n      properties:\n        name: {type: string}\n"
	const pet = "type: object\nproperties:\n  name: {type: string}\n  owner:\n    type: object\n    properties:\n      name: {type: string}\n"
	op := func(path, ref string) string {
		return "  " + path + ":\n    get:\n      responses:\n        \"200\": {description: OK, content: {application/json: {schema: {$ref: '" + ref + "'}}}}\n"
	}
	head := "openapi: 3.0.3\ninfo: {title: Nested, version: \"1\"}\npaths:\n"
	for _, tc := range []struct {
		name, root, file, body string
		types                  []string
	}{
		{"outer first", head + op("/pets", "defs.yaml#/Pet") + op("/rowners", "defs.yaml#/Pet/properties/owner"), "defs.yaml", defs, []string{"Pet", "PetOwner"}},
		{"inner first", head + op("/apets", "defs.yaml#/Pet/properties/owner") + op("/pets", "defs.yaml#/Pet"), "defs.yaml", defs, []string{"Pet", "PetOwner"}},
		{"a whole file", head + op("/pets", "pet.yaml") + op("/rowners", "pet.yaml#/properties/owner"), "pet.yaml", pet, []string{"Owner", "Pet"}},
		{"in the root", head + op("/pets", "#/components/schemas/Pet") + op("/rowners", "#/components/schemas/Pet/properties/owner") + "components:\n  schemas:\n    Pet:\n      type: object\n      properties:\n        owner: {type: object, properties: {name: {type: string}}}\n", "", "", []string{"Pet", "PetOwner"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "spec.yaml", tc.root)
			if tc.file != "" {
				writeFile(t, dir, tc.file, tc.body)
			}
			sp, err := load.LoadSpec(filepath.Join(dir, "spec.yaml"), "spec.yaml", "", false, false)
			if err != nil {
				t.Fatal(err)
			}
			pkg, err := buildPackage(&Job{Name: "api", AllModels: true}, sp)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			var outer *model.Decl
			for _, d := range pkg.Types {
				names = append(names, d.Name)
				if d.Name == "Pet" {
					outer = d
				}
			}
			if !slices.Equal(names, tc.types) {
				t.Fatalf("types %q, want %q", names, tc.types)
			}
			inner := tc.types[0]
			if inner == "Pet" {
				inner = tc.types[1]
			}
			for _, f := range outer.Fields {
				if f.JSONName == "owner" && f.Type.Expr() != "*"+inner {
					t.Errorf("Pet.Owner is %s, want *%s", f.Type.Expr(), inner)
				}
			}
		})
	}
}
