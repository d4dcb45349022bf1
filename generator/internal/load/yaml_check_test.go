package load

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// TestCheckYAML: what aliases may and may not do.
func TestCheckYAML(t *testing.T) {
	deep := "a: &deep " + strings.Repeat("[", 400) + strings.Repeat("]", 400) + "\nb: " + strings.Repeat("[", 200) + "*deep" + strings.Repeat("]", 200) + "\n"
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"scalar alias", "a: &x text\nb: *x\n", ""},
		{"alias as key", "a: &k name\nm: {*k : 1}\n", ""},
		{"merge keys are not repeated keys", "base: &b {x: 1, y: 2}\nm: {<<: *b, x: 3}\n", ""},
		{"merge of a list", "b1: &b1 {x: 1}\nb2: &b2 {y: 2}\nm: {<<: [*b1, *b2], z: 3}\n", ""},
		{"a key written twice", "m: {x: 1, y: 2, x: 3}\n", `1:17: key "x" is written twice (also at line 1)`},
		{"an alias key repeating a key", "k: &k x\nm: {x: 1, y: 2, *k : 3}\n", `2:17: key "x" is written twice`},
		{"recursive through a list", "a: &a [1, *a]\n", `1:11: the YAML alias "*a" is inside the value it names`},
		{"recursive through a merge", "a: &a {b: {<<: *a}}\n", `1:16: the YAML alias "*a" is inside the value it names`},
		{"recursive two deep", "a: &a {b: &b {c: [*a]}}\n", `1:19: the YAML alias "*a" is inside`},
		{"too deep once expanded", deep, "2:204: the YAML alias \"*deep\" nests the document more than 500 levels deep once expanded"},
		{"deep, not too deep", "a: &d " + strings.Repeat("[", 250) + strings.Repeat("]", 250) + "\nb: " + strings.Repeat("[", 200) + "*d" + strings.Repeat("]", 200) + "\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tc.doc), &doc); err != nil {
				t.Fatal(err)
			}
			err := checkYAML(&doc)
			got := ""
			if pe, ok := err.(*posError); ok {
				got = fmt.Sprintf("%d:%d: %s", pe.Line, pe.Col, pe.Msg)
			} else if err != nil {
				got = err.Error()
			}
			if tc.want == "" && got != "" || !strings.HasPrefix(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
