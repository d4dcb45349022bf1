package token

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/runtime/internal/redact"
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
		r := &Request{ClientID: id, ClientSecret: secret, SubjectToken: subject}
		red := r.redactor()
		var forms []string
		for _, s := range []string{secret, subject} {
			if len(s) >= redact.MinLen {
				forms = append(forms, s, url.QueryEscape(s), url.PathEscape(s), redact.LowerHex(url.QueryEscape(s)), redact.LowerHex(url.PathEscape(s)))
			}
		}
		if len(secret) >= redact.MinLen {
			for _, cred := range []string{url.QueryEscape(id) + ":" + url.QueryEscape(secret), id + ":" + secret} {
				for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
					forms = append(forms, enc.EncodeToString([]byte(cred)))
				}
			}
		}
		for _, form := range forms {
			// The marker itself may combine with the text around it into
			// something that looks like a form; that is not a leak.
			if strings.ContainsAny(form, "[]") || strings.Contains(redact.Mark, form) {
				continue
			}
			out := red.Replace(before + form + after)
			for _, other := range forms {
				if !strings.ContainsAny(other, "[]") && !strings.Contains(redact.Mark, other) && strings.Contains(out, other) && !strings.Contains(before+after, other) {
					t.Fatalf("form %q survives in %q (quoting %q)", other, out, form)
				}
			}
		}
	})
}
