package load

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Spec text in tpgen's own messages (errors, -v notes, warnings) is quoted
// by quoteText: a path key with a line break in it must not split an error
// into lines that look like others, and escape sequences in a description
// must not reach the terminal. strconv.Quote escapes every control and
// format character (\n, \x1b, U+202E) and invalid UTF-8.

// maxQuoted bounds the spec text a message quotes, in characters.
const maxQuoted = 200

// QuoteText is s for a message: quoted, escaped, and cut after maxQuoted
// characters.
func QuoteText(s string) string {
	if utf8.RuneCountInString(s) > maxQuoted {
		n := 0
		for i := range s {
			if n == maxQuoted {
				return strconv.Quote(s[:i]) + "..."
			}
			n++
		}
	}
	return strconv.Quote(s)
}

// Sanitize makes a message that holds spec text safe to print: control
// characters (C0, C1, DEL: line breaks, ANSI escape sequences), line and
// paragraph separators and invisible format characters (bidi controls, zero
// widths, byte order marks) are written as Go escapes (\n, \x1b, \u202e),
// bytes that are not UTF-8 as \xNN. tpgen's own words hold none of them, so
// a message stays one line, and what reaches the terminal is text.
func Sanitize(msg string) string {
	clean := true
	for _, r := range msg {
		if needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return msg
	}
	var b strings.Builder
	for i := 0; i < len(msg); {
		r, size := utf8.DecodeRuneInString(msg[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, msg[i])
		case needsEscape(r):
			q := strconv.QuoteRune(r) // '\n', '\x1b', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// needsEscape reports whether Sanitize writes r as an escape.
func needsEscape(r rune) bool {
	return r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}
