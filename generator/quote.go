package generator

import (
	"strconv"
	"unicode/utf8"
)

// Spec text in tpgen's own messages (errors, -v notes, warnings) is quoted
// by quoteText: a path key with a line break in it must not split an error
// into lines that look like others, and escape sequences in a description
// must not reach the terminal. strconv.Quote escapes every control and
// format character (\n, \x1b, U+202E) and invalid UTF-8.

// maxQuoted bounds the spec text a message quotes, in characters.
const maxQuoted = 200

// quoteText is s for a message: quoted, escaped, and cut after maxQuoted
// characters.
func quoteText(s string) string {
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
