package load

import (
	"testing"
	"unicode"
)

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text: GET /pets", "plain text: GET /pets"},
		{"a\nb", `a\nb`},
		{"\x1b[31mred", `\x1b[31mred`},
		{"tab\there", `tab\there`},
		{"bidi \u202e", `bidi \u202e`},
		{"line\u2028sep", `line\u2028sep`},
		{"bad \xff byte", `bad \xff byte`},
		{"Ünïcode ✓", "Ünïcode ✓"},
	} {
		if got := Sanitize(tc.in); got != tc.want {
			t.Errorf("sanitize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzSanitize: whatever the text, the result holds no control or format
// character and no line break, and text without them is left as it is.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"GET /pets", "a\nb\r\n", "\x1b[2J", "\u202e\u2028\ufeff", "\xff\xfe", "ok ✓"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Sanitize(s)
		clean := true
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
				t.Fatalf("sanitize(%q) = %q holds %U", s, got, r)
			}
		}
		for _, r := range s {
			if needsEscape(r) {
				clean = false
			}
		}
		if clean && got != s {
			t.Fatalf("sanitize(%q) = %q changed clean text", s, got)
		}
	})
}
