// Package redact removes secrets from text that the runtime shows: the token
// endpoint's error descriptions, a service's error bodies, the text of errors
// that reach logs and callers. A secret is looked for in every form in which a
// token endpoint or service may echo what it was sent.
package redact

import (
	"cmp"
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"strings"
)

// Mark replaces a token or secret that an answer echoed.
const Mark = "[redacted]"

// MinLen is the shortest credential that is looked for in answers: a shorter
// one would match innocent text, and is no secret anyway.
const MinLen = 8

// Redactor replaces every form of a set of secrets in text: the raw value,
// form- and path-encoded (with upper- and lower-case hex), and the HTTP Basic
// credentials built from it. Sorted puts longer forms first, so that a longer
// form is replaced before a shorter one inside it.
type Redactor []string

// AddSecret adds the forms of a secret: raw, url.QueryEscape and
// url.PathEscape, each with upper- and lower-case hex escapes.
func (r *Redactor) AddSecret(secret string) {
	if len(secret) < MinLen {
		return
	}
	for _, f := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
		r.add(f)
		r.add(LowerHex(f))
	}
}

// AddBasic adds the forms of HTTP Basic credentials of id and secret: the
// base64 of id:secret, form-encoded first as RFC 6749 §2.3.1 says (what the
// token endpoint client sends) or not (what other clients send), in the
// standard and URL alphabets, with and without padding.
func (r *Redactor) AddBasic(id, secret string) {
	if len(secret) < MinLen {
		return
	}
	for _, cred := range []string{url.QueryEscape(id) + ":" + url.QueryEscape(secret), id + ":" + secret} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			r.add(enc.EncodeToString([]byte(cred)))
		}
	}
}

func (r *Redactor) add(form string) {
	if !slices.Contains(*r, form) {
		*r = append(*r, form)
	}
}

// Sorted puts longer forms first.
func (r Redactor) Sorted() Redactor {
	slices.SortStableFunc(r, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return r
}

// Replace returns s with every form replaced by Mark.
func (r Redactor) Replace(s string) string {
	for _, f := range r {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, Mark)
		}
	}
	return s
}

// Found reports whether s holds any form.
func (r Redactor) Found(s string) bool {
	for _, f := range r {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// LowerHex returns s with the hex digits of its %XX escapes in lower case.
func LowerHex(s string) string {
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

// Error returns err, or when its text holds a form, an error with the
// redacted text that still matches errors.Is but no longer gives errors.As
// the original (whose text holds the secret).
func (r Redactor) Error(err error) error {
	msg := err.Error()
	if !r.Found(msg) {
		return err
	}
	return &redactedError{msg: r.Replace(msg), err: err}
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

// AddBasicPair adds the HTTP Basic credentials of user and password as other
// clients than the token endpoint client send them (user:password, not
// form-encoded first), in every base64 alphabet, with and without padding,
// when the pair is long enough to be looked for: an API that takes its key
// as the user name and no password (Stripe) has its secret there.
func (r *Redactor) AddBasicPair(user, password string) {
	cred := user + ":" + password
	if len(cred) < MinLen+1 {
		return
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		r.add(enc.EncodeToString([]byte(cred)))
	}
}
