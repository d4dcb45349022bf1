package runtime

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// ResponseError is a non-2xx answer from a service (after retries). Model holds
// the decoded body when the operation declares that status; Body holds the start
// of the raw body otherwise. Neither ever holds a token sent by the runtime.
type ResponseError struct {
	Service    string
	Operation  string
	Method     string
	StatusCode int
	MessageID  string
	// Model is the decoded error body of a status the spec declares, for example
	// *orders.Problem. See ErrorModel.
	Model any
	// Body is the start of the response body (at most MaxErrorBody bytes).
	Body []byte
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
}

// MaxErrorBody caps how much of an error body ResponseError keeps.
const MaxErrorBody = 1024

func (e *ResponseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s.%s: %d %s", e.Service, e.Operation, e.StatusCode, statusText(e.StatusCode))
	if e.MessageID != "" {
		fmt.Fprintf(&b, " (message id %s)", e.MessageID)
	}
	if len(e.Body) > 0 {
		b.WriteString(": ")
		b.WriteString(quoteBody(e.Body, 200))
	}
	return b.String()
}

// ErrorModel returns the decoded error body of err's ResponseError when it has
// type T: model, ok := runtime.ErrorModel[*orders.Problem](err).
func ErrorModel[T any](err error) (T, bool) {
	var zero T
	var re *ResponseError
	if !errors.As(err, &re) {
		return zero, false
	}
	m, ok := re.Model.(T)
	return m, ok
}

// TokenError is a failed token request: the endpoint answered with an error,
// with something that is not a token, or not at all (Err). It carries the
// endpoint's RFC 6749 §5.2 error fields, never a secret or token.
type TokenError struct {
	Service    string
	Operation  string
	Grant      Grant
	TokenURL   string
	StatusCode int // 0 when no answer was received
	MessageID  string
	// Code, Description and URI are the endpoint's error, error_description and error_uri.
	Code        string
	Description string
	URI         string
	RetryAfter  time.Duration
	Err         error
}

func (e *TokenError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s.%s: %s token request to %s failed", e.Service, e.Operation, e.Grant, e.TokenURL)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": %d %s", e.StatusCode, statusText(e.StatusCode))
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
		if e.Description != "" {
			fmt.Fprintf(&b, " (%s)", e.Description)
		}
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.MessageID != "" {
		fmt.Fprintf(&b, " (message id %s)", e.MessageID)
	}
	return b.String()
}

func (e *TokenError) Unwrap() error { return e.Err }

// CallError is a call that failed before a response was received or while its
// body was read: an unencodable request, a transport failure, an undecodable
// body, a missing subject token.
type CallError struct {
	Service   string
	Operation string
	MessageID string
	Err       error
}

func (e *CallError) Error() string {
	if e.MessageID == "" {
		return fmt.Sprintf("%s.%s: %v", e.Service, e.Operation, e.Err)
	}
	return fmt.Sprintf("%s.%s: %v (message id %s)", e.Service, e.Operation, e.Err, e.MessageID)
}

func (e *CallError) Unwrap() error { return e.Err }

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "status"
}

// quoteBody renders the start of a body for an error string: valid UTF-8,
// control characters escaped, at most n bytes.
func quoteBody(b []byte, n int) string {
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
