package generator

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Comment text is wrapped at spaces into lines of at most commentWidth
// characters, so that a comment line with its "// " stays within 100
// columns. What a reader would lose by a break is kept whole: a URL, a code
// span (`a b`) and a link's text ([a b]) are never broken, only moved to a
// line of their own. Lines that go doc shows as written (indented lines that
// are no list item, which go doc shows as code, and the lines of a Markdown
// code fence) are not wrapped. A run of text longer than maxCommentLine
// characters that is no URL (a base64 example, say) is cut, so that no line
// grows without bound.
const (
	maxCommentLine = 200
	commentWidth   = 97
)

// wrapLine wraps one line of cleaned text at width characters (see above);
// verbatim lines are only cut when they exceed maxCommentLine.
func wrapLine(line string, width int, verbatim bool) []string {
	n := utf8.RuneCountInString(line)
	if n <= width || (verbatim && n <= maxCommentLine) || isLinkDef(line) {
		return []string{line}
	}
	rest := strings.TrimLeftFunc(line, unicode.IsSpace)
	indent := line[:len(line)-len(rest)]
	if verbatim {
		width = maxCommentLine
	}
	cont := indent // the indentation of continued lines
	if indent != "" {
		if m := listMarkerLen(rest); m > 0 {
			cont = indent + strings.Repeat(" ", m)
		}
	}
	var out []string
	cur, curLen := indent, utf8.RuneCountInString(indent)
	empty := true // cur holds no word yet
	flush := func() {
		out = append(out, cur)
		cur, curLen, empty = cont, utf8.RuneCountInString(cont), true
	}
	for _, w := range wrapWords(rest, width) {
		wl := utf8.RuneCountInString(w)
		if !empty && curLen+1+wl > width {
			flush()
		}
		for !isURL(w) && wl > maxCommentLine {
			// A run of text without a space: cut it.
			if !empty {
				flush()
			}
			cut := byteOffset(w, maxCommentLine)
			cur += w[:cut]
			flush()
			w = w[cut:]
			wl = utf8.RuneCountInString(w)
		}
		if w == "" {
			continue
		}
		if !empty {
			cur += " "
			curLen++
		}
		cur += w
		curLen += wl
		empty = false
	}
	if !empty {
		out = append(out, cur)
	}
	return out
}

// wrapWords splits text at spaces into the pieces wrapLine may not break: a code
// span or a bracketed link text no longer than width stays one piece with
// its spaces.
func wrapWords(s string, width int) []string {
	var out []string
	for s != "" {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			break
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		// A code span or link text that starts here and ends in a later word.
		if open := strings.IndexAny(s[:end], "`["); open >= 0 {
			closer := "`"
			if s[open] == '[' {
				closer = "]"
			}
			if c := strings.Index(s[open+1:], closer); c >= 0 {
				stop := open + 1 + c + 1
				if stop > end {
					// The piece runs to the end of the word the closer is in.
					if e := strings.IndexFunc(s[stop:], unicode.IsSpace); e >= 0 {
						stop += e
					} else {
						stop = len(s)
					}
					if utf8.RuneCountInString(s[:stop]) <= width {
						end = stop
					}
				}
			}
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return out
}

// listMarkerLen is the length of a list marker ("- ", "* ", "+ ", "1. ",
// "2) ") that starts s, or 0.
func listMarkerLen(s string) int {
	if len(s) >= 2 && strings.ContainsRune("-*+", rune(s[0])) && s[1] == ' ' {
		return 2
	}
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(s) && (s[i] == '.' || s[i] == ')') && s[i+1] == ' ' {
		return i + 2
	}
	return 0
}

// isURL reports whether w holds a URL (which is never cut).
func isURL(w string) bool { return strings.Contains(w, "://") }

// byteOffset is the byte offset of the n-th rune of s (len(s) when s is shorter).
func byteOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// isFence reports whether a line opens or closes a Markdown code fence.
func isFence(line string) bool {
	t := strings.TrimLeft(line, " ")
	return strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")
}
