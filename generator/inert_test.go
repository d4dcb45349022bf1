package generator_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tpgen/tpgen/generator"
)

// checkInert holds generated files to the threat model's rule for spec text:
// it reaches Go only as inert // comments, quoted literals and identifiers
// of a strict alphabet. Every .go file is parsed (with its comments), and
//   - its top-level declarations are exactly those the model says tpgen
//     meant (generator.ExpectedDecls), so no init or other function that spec
//     text smuggled in goes unnoticed;
//   - no comment is a /* */ block, a directive (//go:, //line, //export,
//     //extern, //cgo) or a build constraint, every comment line is "//",
//     "// ..." or gofmt's "//\t..." code line, and no line of the file (go
//     generate reads them as text, not as Go) starts a directive;
//   - the file holds no NUL, \r, byte order mark, Unicode line or paragraph
//     separator, NEL, bidi control or other control character;
//   - every identifier is of [A-Za-z0-9_], and imports are the runtime's,
//     the model package's and the standard library's that generated code uses.
//
// The README must stay the template's document: spec text in it can start no
// heading, fence, table row or cell, HTML (comments included), link or image.
func checkInert(t *testing.T, name string, svc *generator.Job, files []generator.File) {
	t.Helper()
	want, err := generator.ExpectedDecls(svc)
	if err != nil {
		t.Errorf("%s: the model of a spec that generated: %v", name, err)
		return
	}
	got := map[string][]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		dir := filepath.Dir(f.Path)
		base := filepath.Base(f.Path)
		if base == "README.md" {
			checkReadmeInert(t, name, f.Data)
			continue
		}
		if !strings.HasSuffix(base, ".go") {
			continue
		}
		for _, p := range rawProblems(f.Data) {
			t.Errorf("%s: %s: %s", name, base, p)
		}
		af, err := parser.ParseFile(fset, f.Path, f.Data, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Errorf("%s: %s does not parse: %v", name, base, err)
			continue
		}
		for _, p := range commentProblems(fset, af) {
			t.Errorf("%s: %s: %s", name, base, p)
		}
		for _, p := range identProblems(fset, af) {
			t.Errorf("%s: %s: %s", name, base, p)
		}
		got[dir] = append(got[dir], topLevelDecls(af)...)
	}
	for dir := range got {
		sort.Strings(got[dir])
	}
	dirs := map[string]bool{}
	for d := range want {
		dirs[d] = true
	}
	for d := range got {
		dirs[d] = true
	}
	for d := range dirs {
		extra, missing := setDiff(got[d], want[d]), setDiff(want[d], got[d])
		if len(extra) > 0 || len(missing) > 0 {
			rel, _ := filepath.Rel(svc.OutDir, d)
			t.Errorf("%s: package %s: declarations tpgen did not mean: %q; meant but not declared: %q", name, rel, extra, missing)
		}
	}
}

// setDiff lists the elements of a (sorted, with repeats) not matched in b.
func setDiff(a, b []string) []string {
	left := map[string]int{}
	for _, s := range b {
		left[s]++
	}
	var out []string
	for _, s := range a {
		if left[s] > 0 {
			left[s]--
			continue
		}
		out = append(out, s)
	}
	return out
}

// topLevelDecls names a file's declarations as ExpectedDecls does.
func topLevelDecls(f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				out = append(out, "func "+d.Name.Name)
				continue
			}
			recv := d.Recv.List[0].Type
			if st, ok := recv.(*ast.StarExpr); ok {
				recv = st.X
			}
			id, _ := recv.(*ast.Ident)
			recvName := fmt.Sprintf("%T", recv)
			if id != nil {
				recvName = id.Name
			}
			out = append(out, "method "+recvName+"."+d.Name.Name)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					out = append(out, "type "+s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						out = append(out, d.Tok.String()+" "+n.Name)
					}
				}
			}
		}
	}
	return out
}

// allowedImports are the packages generated code may import, besides its
// own model package.
var allowedImports = append([]string{"net/url", "strconv", "strings"}, generatedImports...)

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func identProblems(fset *token.FileSet, f *ast.File) []string {
	var out []string
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if !slices.Contains(allowedImports, p) && !strings.HasSuffix(p, "/"+generator.ModelDir) {
			out = append(out, fmt.Sprintf("imports %q", p))
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && !identRE.MatchString(id.Name) {
			out = append(out, fmt.Sprintf("%s: identifier %q is not of [A-Za-z0-9_]", fset.Position(id.Pos()), id.Name))
		}
		return true
	})
	return out
}

// directivePrefixes start the comments the go command, the compiler, cgo
// and gccgo read as instructions.
var directivePrefixes = []string{"//go:", "//line ", "//line\t", "//export ", "//extern ", "//cgo", "//+build"}

func commentProblems(fset *token.FileSet, f *ast.File) []string {
	var out []string
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			pos := fset.Position(c.Pos())
			if strings.HasPrefix(c.Text, "/*") {
				out = append(out, fmt.Sprintf("%s: a /* */ comment: %.80q", pos, c.Text))
				continue
			}
			if p := directiveProblem(c.Text); p != "" {
				out = append(out, fmt.Sprintf("%s: %s: %.120q", pos, p, c.Text))
			}
		}
	}
	return out
}

// directiveProblem says what is wrong with one // comment line, or "".
func directiveProblem(line string) string {
	switch {
	case constraint.IsGoBuild(line) || constraint.IsPlusBuild(line):
		return "a build constraint"
	case line != "//" && !strings.HasPrefix(line, "// ") && !strings.HasPrefix(line, "//\t"):
		return "a comment line without a space after //"
	}
	for _, p := range directivePrefixes {
		if strings.HasPrefix(line, p) {
			return "a directive"
		}
	}
	return ""
}

// rawProblems checks a file as bytes, as go generate and the scanner read it.
func rawProblems(data []byte) []string {
	var out []string
	if !utf8.Valid(data) {
		out = append(out, "not valid UTF-8")
	}
	for i, line := range bytes.Split(data, []byte("\n")) {
		trimmed := bytes.TrimLeft(line, " \t")
		if bytes.HasPrefix(trimmed, []byte("//")) {
			if p := directiveProblem(string(trimmed)); p != "" {
				out = append(out, fmt.Sprintf("line %d: %s: %.120q", i+1, p, trimmed))
			}
		}
		if bytes.Contains(line, []byte("/*")) && !insideLiteralOrComment(line, "/*") {
			out = append(out, fmt.Sprintf("line %d opens a block comment: %.120q", i+1, line))
		}
		for _, r := range string(line) {
			if r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029') {
				out = append(out, fmt.Sprintf("line %d holds %U: %.120q", i+1, r, line))
				break
			}
		}
	}
	return out
}

// insideLiteralOrComment reports whether every occurrence of s in a line
// comes after a // that starts a comment or inside a string literal, by a
// scan of the line as Go tokens would go.
func insideLiteralOrComment(line []byte, s string) bool {
	inStr, inRaw := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
		case inRaw:
			if c == '`' {
				inRaw = false
			}
		case c == '"':
			inStr = true
		case c == '`':
			inRaw = true
		case bytes.HasPrefix(line[i:], []byte("//")):
			return true
		case bytes.HasPrefix(line[i:], []byte(s)):
			return false
		}
	}
	return true
}

// checkReadmeInert holds a generated README to the template's structure.
func checkReadmeInert(t *testing.T, name string, data []byte) {
	t.Helper()
	lines := strings.Split(string(data), "\n")
	if lines[0] != "<!-- Code generated by tpgen. DO NOT EDIT. -->" {
		t.Errorf("%s: README.md starts with %.120q", name, lines[0])
	}
	var headings, fences []string
	inFence := false
	header := 0 // the cell borders of the table being read, 0 outside tables
	for i, line := range lines[1:] {
		n := i + 2
		if strings.HasPrefix(line, "```") {
			fences = append(fences, line)
			inFence = !inFence
			continue
		}
		if inFence {
			if strings.Contains(line, "`") {
				t.Errorf("%s: README.md:%d: a backtick in the Go example: %.120q", name, n, line)
			}
			continue
		}
		if strings.HasPrefix(line, "#") {
			headings = append(headings, regexp.MustCompile(`^(#+ ).*`).ReplaceAllString(line, "$1"))
		}
		if strings.ContainsAny(line, "\r\u2028\u2029\u0085\x00") {
			t.Errorf("%s: README.md:%d holds a line break or NUL: %.120q", name, n, line)
		}
		cells, problems := scanMarkdownLine(line)
		for _, p := range problems {
			t.Errorf("%s: README.md:%d: %s: %.200q", name, n, p, line)
		}
		// Every row of a table has the borders of its header, which the
		// template writes: 2 to 5 columns.
		switch {
		case !strings.HasPrefix(line, "|"):
			header = 0
		case header == 0 && (cells < 3 || cells > 6):
			t.Errorf("%s: README.md:%d: a table header with %d cell borders: %.200q", name, n, cells, line)
		case header == 0:
			header = cells
		case cells != header:
			t.Errorf("%s: README.md:%d: a table row with %d cell borders, its header %d: %.200q", name, n, cells, header, line)
		}
	}
	if want := []string{"# ", "## ", "## ", "## "}; !slices.Equal(headings, want) {
		t.Errorf("%s: README.md has headings %q, the template %q", name, headings, want)
	}
	if want := []string{"```go", "```"}; !slices.Equal(fences, want) {
		t.Errorf("%s: README.md has fences %q, the template %q", name, fences, want)
	}
}

// scanMarkdownLine reads a line as CommonMark's inline rules would, counts
// the | outside backslash escapes (cell borders, in a table row) and reports
// syntax outside code spans that could reach beyond the text: raw HTML,
// links, images, entities, a backtick run that opens no span.
func scanMarkdownLine(line string) (pipes int, problems []string) {
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line):
			i++ // an escaped character, literal
		case c == '|':
			pipes++
		case c == '`':
			n := 1
			for i+n < len(line) && line[i+n] == '`' {
				n++
			}
			end := closingRun(line, i+n, n)
			if end < 0 {
				problems = append(problems, "a backtick run that closes no code span")
				i += n - 1
				continue
			}
			// GFM splits table cells before it reads code spans: count the
			// unescaped | inside too.
			span := line[i+n : end]
			pipes += strings.Count(span, "|") - strings.Count(span, `\|`)
			i = end + n - 1
		case strings.IndexByte("<>[]!&", c) >= 0:
			problems = append(problems, fmt.Sprintf("an unescaped %q outside code", c))
		}
	}
	return pipes, problems
}

// closingRun finds the next run of exactly n backticks from i, or -1.
func closingRun(line string, i, n int) int {
	for i < len(line) {
		if line[i] != '`' {
			i++
			continue
		}
		m := 1
		for i+m < len(line) && line[i+m] == '`' {
			m++
		}
		if m == n {
			return i
		}
		i += m
	}
	return -1
}
