package generator

import (
	"go/format"
	"testing"
)

// TestGroupImports: the standard library's imports come first, the others
// after a blank line; files already grouped, or with one group, stay as they
// are, and gofmt leaves the result unchanged.
func TestGroupImports(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"mixed",
			"package p\n\nimport (\n\t\"encoding/json\"\n\t\"github.com/tpgen/tpgen/runtime\"\n\tx \"github.com/tpgen/tpgen/runtime/tpgenimpl\"\n\t\"time\"\n)\n\nvar _ = 1\n",
			"package p\n\nimport (\n\t\"encoding/json\"\n\t\"time\"\n\n\t\"github.com/tpgen/tpgen/runtime\"\n\tx \"github.com/tpgen/tpgen/runtime/tpgenimpl\"\n)\n\nvar _ = 1\n"},
		{"std only", "package p\n\nimport (\n\t\"context\"\n\t\"time\"\n)\n", "package p\n\nimport (\n\t\"context\"\n\t\"time\"\n)\n"},
		{"others only", "package p\n\nimport (\n\t\"a.com/x\"\n\t\"b.com/y\"\n)\n", "package p\n\nimport (\n\t\"a.com/x\"\n\t\"b.com/y\"\n)\n"},
		{"one import", "package p\n\nimport \"a.com/x\"\n", "package p\n\nimport \"a.com/x\"\n"},
		{"grouped", "package p\n\nimport (\n\t\"time\"\n\n\t\"a.com/x\"\n)\n", "package p\n\nimport (\n\t\"time\"\n\n\t\"a.com/x\"\n)\n"},
		{"none", "package p\n\nvar _ = 1\n", "package p\n\nvar _ = 1\n"},
	} {
		got := string(groupImports([]byte(c.in)))
		if got != c.want {
			t.Errorf("%s: groupImports(%q)\n got %q\nwant %q", c.name, c.in, got, c.want)
		}
		if f, err := format.Source([]byte(got)); err != nil || string(f) != got {
			t.Errorf("%s: gofmt changes %q (%v)", c.name, got, err)
		}
	}
}
