// Package quote renders text that others sent (error bodies, error
// descriptions, names) for the runtime's errors and headers: on one line,
// valid UTF-8, cut short.
package quote

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// Body renders the start of a body for an error string: valid UTF-8,
// control characters made spaces, at most n bytes.
func Body(b []byte, n int) string {
	cut := len(b) > n
	if cut {
		b = b[:n]
		// Drop a character the cut split, and only that: invalid bytes before
		// it are shown as '?' below, not a reason to drop what follows them.
		for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
			if utf8.RuneStart(b[len(b)-i]) {
				if !utf8.FullRune(b[len(b)-i:]) {
					b = b[:len(b)-i]
				}
				break
			}
		}
	}
	s := clean(b)
	if cut {
		s += "…"
	}
	return s
}

// clean returns b as valid UTF-8 ('?' for invalid bytes) with control
// characters (C0, DEL, C1) and the invisible characters that reorder or hide
// text (bidi controls, zero-width characters, byte order marks) made spaces:
// what is shown reads as what was sent.
func clean(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || (r >= 0x7f && r <= 0x9f) || invisible(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(string(b), "?"))
}

// invisible reports whether r is a format character that changes how the text
// around it reads without being seen: bidi embeddings, overrides, isolates
// and marks, zero-width spaces and joiners, the byte order mark.
func invisible(r rune) bool {
	switch {
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x061c, r == 0xfeff, r == 0x2060:
		return true
	}
	return false
}

// HeadTail renders text as Body does, but when it is longer than n bytes
// keeps its start and its end (about two thirds and one third of n) around
// an ellipsis: an identity provider's advice is often in the last sentence of
// its error_description.
func HeadTail(b []byte, n int) string {
	if len(b) <= n {
		return Body(b, n)
	}
	tail := n / 3
	head := n - tail
	end := b[len(b)-tail:]
	// Start the tail at a character boundary: drop continuation bytes of a
	// character the cut split.
	for i := 0; i < utf8.UTFMax && len(end) > 0 && !utf8.RuneStart(end[0]); i++ {
		end = end[1:]
	}
	return Body(b[:head], head) + "…" + clean(end)
}

// Truncate returns s cut to n bytes, with an ellipsis when it was longer.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// StatusText is http.StatusText, or "status" for a code it does not know.
func StatusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "status"
}

// IsToken reports whether s is an HTTP token (RFC 9110 §5.6.2).
func IsToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !IsTokenChar(s[i]) {
			return false
		}
	}
	return s != ""
}

// IsTokenChar reports whether c may appear in an HTTP token.
func IsTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
