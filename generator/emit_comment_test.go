package generator

import (
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCommentLines(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", []string{"//"}},
		{"A pet.", []string{"// A pet."}},
		{"one\n\ntwo", []string{"// one", "//", "// two"}},
		{"//go:generate sh -c x", []string{"// //go:generate sh -c x"}},
		{"/*\n*/ func init() {} /*\n*/", []string{"// /*", "// */ func init() {} /*", "// */"}},
		{"+build ignore", []string{`// \+build ignore`}},
		{"x\n  +build ignore", []string{"// x", `//   \+build ignore`}},
		{"x\n\t+build", []string{"// x", "// \t\\+build"}},
		{"a +b", []string{"// a +b"}},
		{"a\r\nb\rc\u0085d\u2028e\u2029f\vg\fh", []string{"// a", "// b", "// c", "// d", "// e", "// f", "// g", "// h"}},
		{"nul\x00x\x1b[0m\x7f\u009b", []string{"// nul x [0m"}},
		{"\ufeffbom\ufeff \u202eevil\u202c \u200b", []string{"// bom evil"}},
		{"bad \xff utf-8", []string{"// bad \uFFFD utf-8"}},
		{"trailing  \t\n\n\n", []string{"// trailing"}},
		{"line\u2028+build x", []string{"// line", `// \+build x`}},
	} {
		got := commentLines(c.in)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("commentLines(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestCommentLinesWrap: long lines are wrapped at spaces, runs without one
// cut, and a "+" that wrapping brings to the start of a line still escaped.
func TestCommentLinesWrap(t *testing.T) {
	long := strings.Repeat("word ", 100) + "+build ignore " + strings.Repeat("z", 1000)
	lines := commentLines(long)
	var back []string
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > maxCommentLine+3 {
			t.Errorf("a line of %d characters: %.60q...", n, l)
		}
		if constraint.IsPlusBuild(l) {
			t.Errorf("a +build line: %q", l)
		}
		back = append(back, strings.TrimPrefix(strings.TrimPrefix(l, "// "), `\`))
	}
	if got := strings.Join(back, " "); strings.ReplaceAll(got, "z ", "z") != strings.TrimSpace(long) {
		t.Errorf("the wrapped text is not the text:\n%q", got)
	}
	if got := commentLines(strings.Repeat("é", 450)); len(got) != 3 || got[2] != "// "+strings.Repeat("é", 50) {
		t.Errorf("a run of 450 characters cut into %d lines: %q", len(got), got)
	}
	if got := commentLines("x\n    " + strings.Repeat("ab ", 100)); !strings.HasPrefix(got[2], "//     ab") {
		t.Errorf("a continued line lost its indentation: %q", got[1])
	}
}

// FuzzCommentLines: whatever the text, every line is "//" or "// " and text
// that is no directive or constraint, holds no line break, control or format
// character, and gofmt (go/parser) reads it back as one line comment.
func FuzzCommentLines(f *testing.F) {
	for _, s := range []string{"", "a\nb", "//go:generate x", "*/ x /*", "+build", "\u2028", "\r\n", "\ufeff", strings.Repeat("ab ", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lines := commentLines(s)
		checkCommentLines(t, append(lines, commentLine(s)))
		if !strings.ContainsAny(s, "[<") {
			// Without links, wrapping only moves the text's words between lines
			// (and cuts the longest): none is lost, none added.
			var got strings.Builder
			for _, l := range lines {
				got.WriteString(strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimPrefix(l, "//"), `\`, "")), ""))
			}
			if want := strings.Join(strings.Fields(strings.ReplaceAll(cleanDoc(s), `\`, "")), ""); got.String() != want {
				t.Fatalf("the wrapped text is not the text:\n got %q\nwant %q", got.String(), want)
			}
		}
	})
}

// checkCommentLines fails unless every line is "//" or "// " and text that
// is no directive or constraint, holds no line break, control or format
// character, and go/parser reads it back as one line comment.
func checkCommentLines(t *testing.T, lines []string) {
	t.Helper()
	{
		for _, l := range lines {
			if l != "//" && !strings.HasPrefix(l, "// ") {
				t.Fatalf("line %q", l)
			}
			if constraint.IsGoBuild(l) || constraint.IsPlusBuild(l) {
				t.Fatalf("constraint %q", l)
			}
			for _, r := range l {
				if r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029') {
					t.Fatalf("%U in %q", r, l)
				}
			}
			fset := token.NewFileSet()
			af, err := parser.ParseFile(fset, "x.go", "package p\n"+l+"\nvar x int\n", parser.ParseComments)
			if err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			if len(af.Comments) != 1 || len(af.Comments[0].List) != 1 || af.Comments[0].List[0].Text != l || len(af.Decls) != 1 {
				t.Fatalf("%q does not read back as one comment before the one declaration", l)
			}
		}
	}
}

// TestCommentsOnlyThroughOneFunction: no code of the generator but
// emit_comment.go hands jennifer a comment (Comment, Commentf,
// HeaderComment, PackageComment, CommentFunc...), so that spec text cannot
// reach one without commentLines.
func TestCommentsOnlyThroughOneFunction(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "emit_comment.go" {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(af, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && strings.Contains(sel.Sel.Name, "Comment") {
				t.Errorf("%s: %s writes a comment; use comments or commentLines (emit_comment.go)", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			if call, ok := n.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Op" && len(call.Args) == 1 {
					if _, isLit := call.Args[0].(*ast.BasicLit); !isLit && !opArgAllowed(call.Args[0]) {
						t.Errorf("%s: jen.Op with computed text: Op writes it as it is", fset.Position(call.Pos()))
					}
				}
			}
			return true
		})
	}
	if checked < 10 {
		t.Fatalf("checked %d files: run from the generator directory", checked)
	}
}

// opArgAllowed: jen.Op's text is written as it is, so only constants and
// numbers formatted by strconv may be passed.
func opArgAllowed(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "strconv" && (sel.Sel.Name == "FormatInt" || sel.Sel.Name == "FormatFloat")
}

func TestMarkdown(t *testing.T) {
	for _, c := range []struct {
		in, text, tableText, code, tableCode string
	}{
		{"Pet Store", "Pet Store", "Pet Store", "`Pet Store`", "`Pet Store`"},
		{"a|b", "a|b", `a\|b`, "`a|b`", "`a\\|b`"},
		{"<!-- x -->", `\<\!-- x --\>`, `\<\!-- x --\>`, "`<!-- x -->`", "`<!-- x -->`"},
		{"[l](http://x) ![i](y) &amp;", `\[l\](http://x) \!\[i\](y) \&amp;`, `\[l\](http://x) \!\[i\](y) \&amp;`, "`[l](http://x) ![i](y) &amp;`", "`[l](http://x) ![i](y) &amp;`"},
		{"a`b``c", "a\\`b\\`\\`c", "a\\`b\\`\\`c", "```a`b``c```", "```a`b``c```"},
		{"`x`", "\\`x\\`", "\\`x\\`", "`` `x` ``", "`` `x` ``"},
		{"one\n# two\r\n```", "one # two \\`\\`\\`", "one # two \\`\\`\\`", "```` one # two ``` ````", "```` one # two ``` ````"},
		{"back\\", `back\\`, `back\\`, "`back\\`", "`back\\`"},
		{"", "", "", "", ""},
	} {
		if got := mdText(c.in, false); got != c.text {
			t.Errorf("mdText(%q) = %q, want %q", c.in, got, c.text)
		}
		if got := mdText(c.in, true); got != c.tableText {
			t.Errorf("mdText(%q, table) = %q, want %q", c.in, got, c.tableText)
		}
		if got := mdCode(c.in, false); got != c.code {
			t.Errorf("mdCode(%q) = %q, want %q", c.in, got, c.code)
		}
		if got := mdCode(c.in, true); got != c.tableCode {
			t.Errorf("mdCode(%q, table) = %q, want %q", c.in, got, c.tableCode)
		}
	}
}

// TestNamesStrictAlphabet: names from a spec become identifiers of ASCII
// letters, digits and _ only; names that Go would accept but that look like
// other names, like nothing, or are unexported because their first letter
// has no case, are spelled out.
func TestNamesStrictAlphabet(t *testing.T) {
	for _, c := range []struct{ in, exported, value, unexported string }{
		{"pet", "Pet", "Pet", "pet"},
		{"*/ func init() { panic(1) } /*", "FuncInitPanic1", "FuncInitPanic1", "funcInitPanic1"},
		{"//go:generate touch x", "GoGenerateTouchX", "GoGenerateTouchX", "goGenerateTouchX"},
		{"名前", "U540dU524d", "U540dU524d", "u540dU524d"},
		{"Сlient", "U421lient", "U421lient", "u421lient"}, // a Cyrillic С
		{"Pet\u3164", "PetU3164", "PetU3164", "petU3164"}, // HANGUL FILLER is a letter, and invisible
		{"ǅ", "U1c4", "U1c4", "u1c4"},                     // title case: Go would not export it
		{"٣", "NU663", "NU663", "nU663"},                  // an Arabic-Indic digit
		{"a\u2028b", "AB", "AB", "ab"},
		{"x\x00y", "XY", "XY", "xy"},
		{"", "", "Empty", "v"},
		{"init", "Init", "Init", "init"},
		{"type", "Type", "Type", "type_"},
		{"%s%v", "SV", "SV", "sv"},
		{"-1", "N1", "Minus1", "n1"},
	} {
		got := []string{exportedName(c.in), valueName(c.in), unexportedName(c.in)}
		want := []string{c.exported, c.value, c.unexported}
		for i, g := range got {
			if g != want[i] {
				t.Errorf("%s(%q) = %q, want %q", []string{"exportedName", "valueName", "unexportedName"}[i], c.in, g, want[i])
			}
			if g != "" && !token.IsIdentifier(g) {
				t.Errorf("%q gives %q, not an identifier", c.in, g)
			}
			for _, r := range g {
				if r >= utf8.RuneSelf {
					t.Errorf("%q gives %q, not ASCII", c.in, g)
					break
				}
			}
		}
		if got[0] != "" && !token.IsExported(got[0]) {
			t.Errorf("exportedName(%q) = %q is not exported", c.in, got[0])
		}
	}
	if got := strconv.Quote(packageName("*/ pkg \u3164名")); got != `"pkg"` {
		t.Errorf("packageName = %s", got)
	}
}

// TestReadmeWithoutImportPath: without an import path the types stay in the
// client package, and the README says nothing of a model package.
func TestReadmeWithoutImportPath(t *testing.T) {
	pkg := &Package{Name: "pets", Service: "pets", Title: "Pets <!--", Source: "pets.yaml", Types: []*Decl{{Name: "Pet"}}}
	for _, c := range []struct {
		importPath, want string
		model            bool
	}{{"", `"your/module/gen/pets"`, false}, {"example.com/gen/pets", `"example.com/gen/pets"`, true}} {
		b, err := renderReadme(pkg, c.importPath)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), c.want) || strings.Contains(string(b), "/model`") != c.model || !strings.Contains(string(b), `Pets \<\!--`) {
			t.Errorf("import path %q: README\n%s", c.importPath, b)
		}
	}
}
