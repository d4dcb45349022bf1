package token

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tpgen/tpgen/runtime/internal/quote"
	"github.com/tpgen/tpgen/runtime/internal/retry"
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
	// Hint says what may fix the failure, when the runtime can tell (a
	// client authentication the endpoint refused, say).
	Hint string
	Err  error
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
	if e.Hint != "" {
		fmt.Fprintf(&b, " (%s)", e.Hint)
	}
	if e.MessageID != "" {
		fmt.Fprintf(&b, " (message id %s)", e.MessageID)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether e is the failure target stands for: ErrUnreachable or
// ErrRefused.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnreachable:
		return e.unreachable()
	case ErrRefused:
		return e.StatusCode >= 400 && e.StatusCode < 500 && e.StatusCode != http.StatusTooManyRequests ||
			errors.Is(e.Err, errUnusable)
	}
	return false
}

// unreachable says the endpoint or the issuer's metadata could not be had
// for reasons of the provider or the network: no connection, a DNS failure,
// 429 or 5xx.
func (e *Error) unreachable() bool {
	if e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests {
		return true
	}
	var se *statusError
	if errors.As(e.Err, &se) {
		return se.status >= 500 || se.status == http.StatusTooManyRequests
	}
	if e.StatusCode != 0 {
		return false
	}
	var dns *net.DNSError
	transient, _ := retry.TransportFailure(e.Err)
	return transient || errors.As(e.Err, &dns)
}

// Conditions an application may handle differently, for errors.Is on an
// *Error (runtime exports them as ErrTokenEndpointUnreachable and
// ErrTokenRefused).
var (
	// ErrUnreachable: the token endpoint or the issuer's discovery could not
	// be reached (no connection, DNS), or answered 429 or 5xx; also while
	// such a failure is remembered (ErrBackoff).
	ErrUnreachable = errors.New("token endpoint unreachable")
	// ErrRefused: the token endpoint answered with a 4xx error other than
	// 429, or with something that is not a usable access token.
	ErrRefused = errors.New("token request refused")
)

// errUnusable is wrapped by the errors of answers that are not a usable
// access token (no access_token, another issued_token_type, not a token
// response at all).
var errUnusable = errors.New("not a usable access token")

// statusError is the failure of a metadata request that got an answer.
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return e.msg }

// ErrBackoff is wrapped by the *Error of a call that did not ask the token
// endpoint, or the issuer for its metadata, because the same request failed
// moments ago: the error carries that failure's status and error fields, and
// its RetryAfter says when the endpoint is asked again.
var ErrBackoff = errors.New("token request not sent (backing off)")
