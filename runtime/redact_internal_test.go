package runtime

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// FuzzRedactor: whatever the secret, subject token and surrounding text, a
// token request's redactor leaves no encoded form of either in a text that
// quotes them, and never panics.
func FuzzRedactor(f *testing.F) {
	f.Add("client:1", "Sx9+vQ/k2=Lm&p%W7", "subj+Tk/9a=Qw&e%R5", "error: ", " (refused)")
	f.Add("", "plainsecret", "", "", "")
	f.Add("id", "%2B%2b%%%", "ünïcødé-tøkén", "%", "%2")
	f.Add("a b", "sp ace secret", "tab\tsecret\x00", "+", "=")
	f.Fuzz(func(t *testing.T, id, secret, subject, before, after string) {
		r := &TokenRequest{ClientID: id, ClientSecret: secret, SubjectToken: subject}
		red := r.redactor()
		var forms []string
		for _, s := range []string{secret, subject} {
			if len(s) >= minRedacted {
				forms = append(forms, s, url.QueryEscape(s), url.PathEscape(s), lowerHex(url.QueryEscape(s)), lowerHex(url.PathEscape(s)))
			}
		}
		if len(secret) >= minRedacted {
			for _, cred := range []string{url.QueryEscape(id) + ":" + url.QueryEscape(secret), id + ":" + secret} {
				for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
					forms = append(forms, enc.EncodeToString([]byte(cred)))
				}
			}
		}
		for _, form := range forms {
			// The marker itself may combine with the text around it into
			// something that looks like a form; that is not a leak.
			if strings.ContainsAny(form, "[]") || strings.Contains(redacted, form) {
				continue
			}
			out := red.replace(before + form + after)
			for _, other := range forms {
				if !strings.ContainsAny(other, "[]") && !strings.Contains(redacted, other) && strings.Contains(out, other) && !strings.Contains(before+after, other) {
					t.Fatalf("form %q survives in %q (quoting %q)", other, out, form)
				}
			}
		}
	})
}

func TestLowerHex(t *testing.T) {
	for in, want := range map[string]string{"": "", "a%2Bb": "a%2bb", "%2F%3D%E2%82%AC": "%2f%3d%e2%82%ac", "%": "%", "%G1%AB": "%G1%ab", "100%": "100%", "%A": "%A"} {
		if got := lowerHex(in); got != want {
			t.Errorf("lowerHex(%q) = %q, want %q", in, got, want)
		}
	}
}
