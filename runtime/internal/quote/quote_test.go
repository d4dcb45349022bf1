package quote

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBody(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"line\none\r\tx\x7f", 20, "line one  x "},
		{"abcdef", 3, "abc…"},
		{"aé", 2, "a…"},            // the cut splits é: it is dropped, not shown as '?'
		{"\xffok\xfe", 10, "?ok?"}, // invalid bytes stay visible as '?'
	} {
		if got := Body([]byte(tt.in), tt.n); got != tt.want || !utf8.ValidString(got) {
			t.Errorf("Body(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	if got := Body([]byte(strings.Repeat("é", 1000)), 200); len(got) > 200+len("…") {
		t.Errorf("Body is %d bytes", len(got))
	}
}

func TestTokenAndTruncate(t *testing.T) {
	for s, want := range map[string]bool{"X-Trace": true, "session_id": true, "a b": false, "a;b": false, "": false, "é": false} {
		if IsToken(s) != want {
			t.Errorf("IsToken(%q) = %v", s, !want)
		}
	}
	if Truncate("abc", 3) != "abc" || Truncate("abcd", 3) != "abc…" {
		t.Error("Truncate")
	}
}
