package runtime

import (
	"cmp"
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"strings"
)

// redacted replaces a token or secret that an answer echoed.
const redacted = "[redacted]"

// minRedacted is the shortest credential that is looked for in answers: a
// shorter one would match innocent text, and is no secret anyway.
const minRedacted = 8

// redactor replaces every form of a set of secrets in text. The forms are
// those in which a token endpoint or service may echo what it was sent: the
// raw value, form- and path-encoded (with upper- and lower-case hex), and the
// HTTP Basic credentials built from it. Longest first, so that a longer form is
// replaced before a shorter one inside it.
type redactor []string

// addSecret adds the forms of a secret: raw, url.QueryEscape and
// url.PathEscape, each with upper- and lower-case hex escapes.
func (r *redactor) addSecret(secret string) {
	if len(secret) < minRedacted {
		return
	}
	for _, f := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
		r.add(f)
		r.add(lowerHex(f))
	}
}

// addBasic adds the forms of HTTP Basic credentials of id and secret: the
// base64 of id:secret, form-encoded first as RFC 6749 §2.3.1 says (what
// TokenEndpoint sends) or not (what other clients send), in the standard and
// URL alphabets, with and without padding.
func (r *redactor) addBasic(id, secret string) {
	if len(secret) < minRedacted {
		return
	}
	for _, cred := range []string{url.QueryEscape(id) + ":" + url.QueryEscape(secret), id + ":" + secret} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			r.add(enc.EncodeToString([]byte(cred)))
		}
	}
}

func (r *redactor) add(form string) {
	if !slices.Contains(*r, form) {
		*r = append(*r, form)
	}
}

// sorted puts longer forms first.
func (r redactor) sorted() redactor {
	slices.SortStableFunc(r, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return r
}

// replace returns s with every form replaced by [redacted].
func (r redactor) replace(s string) string {
	for _, f := range r {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, redacted)
		}
	}
	return s
}

// found reports whether s holds any form.
func (r redactor) found(s string) bool {
	for _, f := range r {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// lowerHex returns s with the hex digits of its %XX escapes in lower case.
func lowerHex(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			for j := i + 1; j <= i+2; j++ {
				if 'A' <= b[j] && b[j] <= 'F' {
					b[j] += 'a' - 'A'
				}
			}
			i += 2
		}
	}
	return string(b)
}

// redactor returns the forms of the request's client secret and subject token.
func (r *TokenRequest) redactor() redactor {
	var red redactor
	red.addSecret(r.ClientSecret)
	red.addBasic(r.ClientID, r.ClientSecret)
	red.addSecret(r.SubjectToken)
	return red.sorted()
}

// redactError returns err with every form of the request's secret and subject
// token removed from what it says: a *TokenError is copied with its fields
// redacted, any other error whose text holds one is replaced by an error
// with the redacted text that still matches errors.Is but no longer gives
// errors.As the original (whose text holds the secret).
func (r *TokenRequest) redactError(err error) error {
	if err == nil {
		return nil
	}
	red := r.redactor()
	if len(red) == 0 {
		return err
	}
	return red.error(err)
}

func (red redactor) error(err error) error {
	if te, ok := err.(*TokenError); ok {
		cp := *te
		cp.TokenURL, cp.Code, cp.Description, cp.URI = red.replace(cp.TokenURL), red.replace(cp.Code), red.replace(cp.Description), red.replace(cp.URI)
		if cp.Err != nil {
			cp.Err = red.error(cp.Err)
		}
		return &cp
	}
	msg := err.Error()
	if !red.found(msg) {
		return err
	}
	return &redactedError{msg: red.replace(msg), err: err}
}

// redactedError is an error whose text held a secret.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Is lets errors.Is see the original (context.DeadlineExceeded, a sentinel)
// without handing it to errors.As, whose caller could print it.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
