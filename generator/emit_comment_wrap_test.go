package generator

import (
	"go/doc/comment"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestCommentWrap: lines are wrapped at spaces within commentWidth, and
// what a break would spoil (URLs, code spans, link texts) is kept whole;
// go doc's code blocks and Markdown fences are left as written.
func TestCommentWrap(t *testing.T) {
	url := "https://example.com/" + strings.Repeat("p", 250)
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{"short", "A pet.", []string{"// A pet."}},
		{"wrapped", strings.Repeat("word ", 30), []string{
			"// " + strings.TrimSpace(strings.Repeat("word ", 19)),
			"// " + strings.TrimSpace(strings.Repeat("word ", 11)),
		}},
		{"url whole", "see " + url + " now", []string{"// see", "// " + url, "// now"}},
		{"code span whole", strings.Repeat("x", 90) + " `a b c d e f g` end", []string{"// " + strings.Repeat("x", 90), "// `a b c d e f g` end"}},
		{"link text whole", strings.Repeat("x", 90) + " [the docs](https://e.com/d).", []string{"// " + strings.Repeat("x", 90), "// [the docs].", "//", "// [the docs]: https://e.com/d"}},
		{"list item", "x\n  - " + strings.Repeat("item ", 24), []string{"// x",
			"//   - " + strings.TrimSpace(strings.Repeat("item ", 18)),
			"//     " + strings.TrimSpace(strings.Repeat("item ", 6)),
		}},
		{"code block", "x\n    " + strings.Repeat("code ", 30), []string{"// x", "//     " + strings.TrimSpace(strings.Repeat("code ", 30))}},
		{"fence", "```\n" + strings.Repeat("code ", 30) + "\n```", []string{"// ```", "// " + strings.TrimSpace(strings.Repeat("code ", 30)), "// ```"}},
		{"after fence", "```\nx\n```\n" + strings.Repeat("word ", 25), []string{"// ```", "// x", "// ```", "// " + strings.TrimSpace(strings.Repeat("word ", 19)), "// " + strings.TrimSpace(strings.Repeat("word ", 6))}},
	} {
		got := commentLines(c.in)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s: commentLines(%q)\n got %q\nwant %q", c.name, c.in, got, c.want)
		}
	}
}

// TestCommentLinks: Markdown links become go doc links with their
// definitions at the end; links that are not http(s) stay text, and link
// text that would end a comment or open a directive stays inert.
func TestCommentLinks(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{"one", "See [the guide](https://e.com/guide).", []string{"// See [the guide].", "//", "// [the guide]: https://e.com/guide"}},
		{"title", `[a](http://e.com "T")`, []string{"// [a]", "//", "// [a]: http://e.com"}},
		{"autolink", "at <https://e.com/x>.", []string{"// at https://e.com/x."}},
		{"same twice", "[a](https://e.com) [a](https://e.com)", []string{"// [a] [a]", "//", "// [a]: https://e.com"}},
		{"same text, other url", "[a](https://e.com) [a](https://f.com)", []string{"// [a] a (https://f.com)", "//", "// [a]: https://e.com"}},
		{"relative", "[a](/docs/a) [b](#b) [c](mailto:x@e.com)", []string{"// [a](/docs/a) [b](#b) [c](mailto:x@e.com)"}},
		{"javascript", "[x](javascript:alert(1))", []string{"// [x](javascript:alert(1))"}},
		{"no host", "[x](https:/e.com)", []string{"// [x](https:/e.com)"}},
		{"comment end in text", "[*/ func init() {} /*](https://e.com)", []string{"// [*/ func init() {} /*]", "//", "// [*/ func init() {} /*]: https://e.com"}},
		{"directive text", "[//go:generate rm -rf /](https://e.com)", []string{"// [//go:generate rm -rf /]", "//", "// [//go:generate rm -rf /]: https://e.com"}},
		{"plus build text", "[+build ignore](https://e.com)", []string{"// [+build ignore]", "//", "// [+build ignore]: https://e.com"}},
		{"line break in text", "[a\n//go:generate x](https://e.com)", []string{"// [a", "// //go:generate x](https://e.com)"}},
		{"in code", "x\n    [a](https://e.com)\n```\n[b](https://e.com)\n```", []string{"// x", "//     [a](https://e.com)", "// ```", "// [b](https://e.com)", "// ```"}},
		{"in list", "x\n  - [a](https://e.com)", []string{"// x", "//   - [a]", "//", "// [a]: https://e.com"}},
		{"deprecated stays before", "[a](https://e.com)\n\nDeprecated: old.", []string{"// [a]", "//", "// Deprecated: old.", "//", "// [a]: https://e.com"}},
	} {
		got := commentLines(c.in)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s: commentLines(%q)\n got %q\nwant %q", c.name, c.in, got, c.want)
		}
		checkCommentLines(t, got)
		checkDocLinks(t, got)
	}
}

// checkDocLinks parses lines as go doc does and fails if a link definition
// has a URL that is not http(s), or a definition tpgen wrote is not read as
// one.
func checkDocLinks(t *testing.T, lines []string) {
	t.Helper()
	var text []string
	wrote := 0
	for _, l := range lines {
		l = strings.TrimPrefix(strings.TrimPrefix(l, "//"), " ")
		text = append(text, l)
		if isLinkDef(l) {
			wrote++
		}
	}
	var p comment.Parser
	doc := p.Parse(strings.Join(text, "\n"))
	for _, d := range doc.Links {
		if !strings.HasPrefix(d.URL, "http://") && !strings.HasPrefix(d.URL, "https://") {
			t.Errorf("a link to %q in %q", d.URL, lines)
		}
	}
	if len(doc.Links) < wrote {
		t.Errorf("go doc reads %d link definitions in %q, tpgen wrote %d", len(doc.Links), lines, wrote)
	}
}

// FuzzCommentLinks: whatever the text and URL of a Markdown link, the lines
// stay inert (checkCommentLines), every link go doc finds is http(s), and
// only a URL, a link definition or a code span makes a line longer than
// maxCommentLine.
func FuzzCommentLinks(f *testing.F) {
	for _, s := range [][3]string{
		{"docs", "https://e.com/d", " more"}, {"*/ x /*", "https://e.com", ""}, {"a", "javascript:x", ""},
		{"+build", "http://e.com", "\n+build"}, {"x\ny", "https://e.com/\u2028", "`a b`"}, {"a", "https://e.com", " [a](https://f.com)"},
		{strings.Repeat("w ", 60), "https://e.com/" + strings.Repeat("p", 300), strings.Repeat(" w", 60)},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, text, target, tail string) {
		in := "Before [" + text + "](" + target + ")" + tail
		lines := commentLines(in)
		checkCommentLines(t, lines)
		checkDocLinks(t, lines)
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > maxCommentLine+3 && !isLinkDef(strings.TrimPrefix(l, "// ")) && strings.Count(strings.TrimSpace(strings.TrimPrefix(l, "//")), " ") > 0 && !strings.Contains(l, "`") {
				t.Errorf("a line of %d characters with spaces: %.80q", n, l)
			}
		}
	})
}
