package emit

import (
	"strings"
)

// Spec text in a package's README (titles, paths, scopes, URLs) is laid out
// by the template only after one of these made it Markdown that stays what it
// is: one line, so that it cannot start a heading, a list, a fence or a table
// row; no HTML (a "<!--" would hide the rest of the page, an <img> would
// fetch from anywhere); no link or image syntax; in a table cell, no "|" that
// ends the cell.

// mdText is text as Markdown that renders as the text itself.
func mdText(s string, inTable bool) string {
	var b strings.Builder
	for _, r := range mdLine(s) {
		if strings.ContainsRune(mdSpecial, r) || r == '|' && inTable {
			b.WriteByte('\\') // CommonMark: a backslash makes any ASCII punctuation literal
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdSpecial are the characters that can start Markdown or HTML inline syntax
// that reaches beyond the text (code spans, links, images, autolinks, tags,
// comments, entities) or escape the character after it. Emphasis (* _ ~) is
// left as the text wrote it: it changes how the text looks, not where it
// ends.
const mdSpecial = "\\`[]<>&!"

// mdCode is text as a Markdown code span: a fence longer than any run of
// backticks in it, so that none ends it early ("" for no text).
func mdCode(s string, inTable bool) string {
	s = mdLine(s)
	if s == "" {
		return ""
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`) // GFM: even inside a code span, | ends a cell
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " " // the span strips one space at each end
	}
	return fence + s + fence
}

// mdLine is spec text cleaned as for a comment, on one line.
func mdLine(s string) string { return strings.Join(strings.Fields(cleanDoc(s)), " ") }
