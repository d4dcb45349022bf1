package runtime

import (
	"strings"
	"testing"

	"github.com/tpgen/tpgen/runtime/internal/redact"
)

func TestSummarize(t *testing.T) {
	const secret = "eyJhbGciOiJSUzI1NiJ9.sekrit-token-value"
	var red redact.Redactor
	red.AddSecret(secret)
	red = red.Sorted()
	for _, tt := range []struct {
		name, body, want string
	}{
		{"empty", "", ""},
		{"problem", `{"type":"about:blank","title":"Not Found","status":404,"detail":"order 42 does not exist"}`, "Not Found: order 42 does not exist"},
		{"problem title only", `{"title":"Conflict","status":409}`, "Conflict"},
		{"problem detail only", `{"detail":"stock is 0"}`, "stock is 0"},
		{"detail same as title", `{"title":"Gone","detail":"Gone"}`, "Gone"},
		{"message", `{"code":7,"message":"quota exceeded"}`, "quota exceeded"},
		{"error string", `{"error":"invalid_request"}`, "invalid_request"},
		{"nested error", `{"error":{"type":"invalid","message":"model not found"}}`, "model not found"},
		{"other JSON compacted", "{\n  \"code\": 42,\n  \"reason\": \"x\"\n}", `{"code":42,"reason":"x"}`},
		{"array", `[ 1, 2 ]`, `[1,2]`},
		{"text", "upstream connect error\r\n", "upstream connect error"},
		{"html", "<html><body>Bad Gateway</body></html>", "<html><body>Bad Gateway</body></html>"},
		{"control and bidi", "{\"title\":\"a\\u202eb\\nc\"}", "a b c"},
		{"long is cut", `{"detail":"` + strings.Repeat("x", 500) + `"}`, strings.Repeat("x", 200) + "…"},
		// What the call sent is never shown, also when the body hides it in
		// JSON escapes that decoding undoes.
		{"echoed token", `{"detail":"bad token ` + secret + `"}`, "bad token [redacted]"},
		{"escaped token in detail", `{"detail":"bad token \u0065yJhbGciOiJSUzI1NiJ9.sekrit-token-value"}`, "bad token [redacted]"},
		{"escaped token in excerpt", `{"seen":"\u0065yJhbGciOiJSUzI1NiJ9.sekrit-token-value"}`, `{"seen":"[redacted]"}`},
		{"token at the cut", `{"detail":"` + strings.Repeat("x", 195) + secret + `"}`, strings.Repeat("x", 195) + "[reda…"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := summarize([]byte(tt.body), red)
			if got != tt.want {
				t.Errorf("summarize(%q) = %q, want %q", tt.body, got, tt.want)
			}
			if strings.Contains(got, "sekrit") || strings.Contains(got, "eyJhbGci") {
				t.Errorf("summary shows the token: %q", got)
			}
		})
	}
}
