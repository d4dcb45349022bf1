package generator

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"
)

// Spec text reaches generated Go as a comment only through comments (and
// commentLines, which renderFile uses for the file header and the package
// doc). jennifer must never be handed the text itself: it writes a string
// that starts with "//" or "/*" as it is (a description line
// "//go:generate ..." would become a directive that `go generate` runs), and
// one that holds a newline as a /* */ block (which a "*/" in the text would
// end, letting the rest become code). TestCommentsOnlyThroughOneFunction
// checks that no other code of the generator writes a comment.
//
// The lines commentLines makes are "//" or "// " followed by text that
//   - holds no line break of any kind (\r, NEL, U+2028, U+2029, \v, \f: each
//     starts a new // line instead), no other control character, no NUL, no
//     byte order mark, bidi control or other invisible format character,
//     and is valid UTF-8;
//   - does not start, after any spaces, with "+" (a "// +build" line is a
//     build constraint; such a "+" gets a "\" before it, as Markdown
//     escapes it);
//   - is at most maxCommentLine characters long, wrapped at spaces.
//
// Since every line starts with "// ", none is a directive (//go:, //line,
// //export, //extern, //go:build: all of them have no space after the
// slashes), and a "/*" or "*/" in the text is inside a line comment, where
// it means nothing.

// Lines of spec text longer than maxCommentLine characters are wrapped at
// spaces into lines of about commentWidth; a run of text without a space is
// cut after maxCommentLine characters.
const (
	maxCommentLine = 200
	commentWidth   = 100
)

// comments renders text as consecutive // lines.
func comments(text string) *jen.Statement {
	st := &jen.Statement{}
	for i, line := range commentLines(text) {
		if i > 0 {
			st.Line()
		}
		st.Comment(line) // starts with "//": jennifer writes it as it is
	}
	return st
}

// commentLines turns text into the lines of a Go line comment, each "//" or
// "// " + inert text (see above). Empty text gives one empty comment line.
func commentLines(text string) []string {
	var out []string
	for _, line := range strings.Split(cleanDoc(text), "\n") {
		for _, l := range wrapLine(line) {
			if l == "" {
				out = append(out, "//")
				continue
			}
			out = append(out, "// "+unplus(l))
		}
	}
	return out
}

// commentLine is commentLines for text that must stay on one line, however
// long (the source: header): line breaks become spaces.
func commentLine(text string) string {
	line := strings.Join(strings.Fields(cleanDoc(text)), " ")
	if line == "" {
		return "//"
	}
	return "// " + unplus(line)
}

// cleanDoc makes spec text tidy and safe for commentLines: valid UTF-8, every
// kind of line break a \n, no other control or format characters, no
// trailing spaces, no blank lines around it.
func cleanDoc(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				i++
			}
			b.WriteByte('\n')
		case r == '\n', r == '\v', r == '\f', r == '\u0085', r == '\u2028', r == '\u2029':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte('\t')
		case unicode.IsControl(r):
			b.WriteByte(' ') // NUL and the other C0 and C1 controls, DEL
		case unicode.Is(unicode.Cf, r):
			// Byte order marks (which the Go scanner refuses inside a file),
			// bidi controls (which make text display in another order than it
			// is read), zero-width characters: all invisible, dropped.
		default:
			b.WriteRune(r)
		}
	}
	lines := strings.Split(strings.TrimFunc(b.String(), unicode.IsSpace), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	return strings.Join(lines, "\n")
}

// unplus escapes a "+" that starts a line's text (after spaces), so that no
// line reads as a "// +build" constraint, however gofmt indents it.
func unplus(line string) string {
	rest := strings.TrimLeftFunc(line, unicode.IsSpace)
	if !strings.HasPrefix(rest, "+") {
		return line
	}
	lead := line[:len(line)-len(rest)]
	return lead + `\` + rest
}

// wrapLine splits a line longer than maxCommentLine characters at spaces
// into lines of about commentWidth, each continued line indented as the
// first was; text without a space is cut after maxCommentLine characters.
// Shorter lines stay as they are.
func wrapLine(line string) []string {
	if utf8.RuneCountInString(line) <= maxCommentLine {
		return []string{line}
	}
	rest := strings.TrimLeftFunc(line, unicode.IsSpace)
	indent := line[:len(line)-len(rest)]
	var out []string
	for rest != "" {
		if utf8.RuneCountInString(rest) <= commentWidth {
			out = append(out, indent+rest)
			break
		}
		cut, last := 0, -1 // byte offsets: where to cut, the last space before commentWidth characters
		for n := 0; cut < len(rest) && n < maxCommentLine; n++ {
			r, size := utf8.DecodeRuneInString(rest[cut:])
			if unicode.IsSpace(r) && n > 0 {
				if n > commentWidth && last >= 0 {
					break
				}
				last = cut
			}
			cut += size
		}
		if last > 0 {
			cut = last
		}
		out = append(out, indent+strings.TrimRightFunc(rest[:cut], unicode.IsSpace))
		rest = strings.TrimLeftFunc(rest[cut:], unicode.IsSpace)
	}
	return out
}
