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
	s := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(string(b), "?"))
	if cut {
		s += "…"
	}
	return s
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
