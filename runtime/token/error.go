package token

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tpgen/tpgen/runtime/internal/quote"
)

// Error is a failed token request: the endpoint answered with an error, with
// something that is not a token, or not at all (Err). It carries the
// endpoint's RFC 6749 §5.2 error fields, never a secret or token.
type Error struct {
	Service    string
	Operation  string
	Grant      GrantType
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

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s.%s: %s token request to %s failed", e.Service, e.Operation, e.Grant, e.TokenURL)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": %d %s", e.StatusCode, quote.StatusText(e.StatusCode))
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

func (e *Error) Unwrap() error { return e.Err }

// ErrBackoff is wrapped by the *Error of a call that did not ask the token
// endpoint, or the issuer for its metadata, because the same request failed
// moments ago: the error carries that failure's status and error fields, and
// its RetryAfter says when the endpoint is asked again.
var ErrBackoff = errors.New("token request not sent (backing off)")
