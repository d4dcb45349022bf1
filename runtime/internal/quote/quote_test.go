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
		{"aé", 2, "a…"},                                    // the cut splits é: it is dropped, not shown as '?'
		{"\xffok\xfe", 10, "?ok?"},                         // invalid bytes stay visible as '?'
		{"a\u202eb\u200bc\ufeffd\u0085e", 30, "a b c d e"}, // bidi override, zero width, BOM, C1 NEL
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

func TestHeadTail(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"0123456789abcdefghij", 9, "012345…hij"},
		{"The client is not allowed. Set token_endpoint_auth_method to client_secret_post.", 45,
			"The client is not allowed. Set…nt_secret_post."},
		{"aaaaaaaaé", 6, "aaaa…é"},
		{"aaaaaaaaé", 5, "aaaa…"},                      // the tail would start inside é: it starts after it
		{"aaaaaaaaaaaa\u202ebc", 15, "aaaaaaaaaa… bc"}, // the bidi override is a space
		{"line\nbreak" + strings.Repeat("x", 50) + "end\r\n", 12, "line bre…nd  "},
	} {
		got := HeadTail([]byte(tt.in), tt.n)
		if got != tt.want || !utf8.ValidString(got) {
			t.Errorf("HeadTail(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	long := strings.Repeat("é", 2000)
	if got := HeadTail([]byte(long), 300); len(got) > 300+2*len("…") {
		t.Errorf("HeadTail is %d bytes", len(got))
	}
}
