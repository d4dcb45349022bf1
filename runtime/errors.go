package runtime

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tpgen/tpgen/runtime/internal/quote"
)

// A call's error is one of these, or a *token.Error for a failed token
// request. Each names the service, operation and message id, and none holds a
// token or secret.

// ResponseError is a non-2xx answer from a service (after retries). Model holds
// the decoded body when the operation declares that status; Body holds the start
// of the raw body otherwise. Summary is what Error says of the body. None of
// them ever holds a token or secret sent by the runtime.
//
// errors.Is(err, ErrUnauthorized), ErrForbidden and ErrRateLimited hold for a
// 401, 403 and 429 answer.
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
	// Summary is a short summary of the body, on one line: the title and
	// detail of an RFC 9457 problem document (or the message of an error
	// object), else the start of the body.
	Summary string
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
}

func (e *ResponseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s.%s: %d %s", e.Service, e.Operation, e.StatusCode, quote.StatusText(e.StatusCode))
	if e.MessageID != "" {
		fmt.Fprintf(&b, " (message id %s)", e.MessageID)
	}
	switch {
	case e.Summary != "":
		b.WriteString(": ")
		b.WriteString(e.Summary)
	case len(e.Body) > 0:
		b.WriteString(": ")
		b.WriteString(quote.Body(e.Body, maxSummary))
	}
	return b.String()
}

// Is reports whether the answer is the one target stands for: ErrUnauthorized
// (401), ErrForbidden (403) or ErrRateLimited (429).
func (e *ResponseError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
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

// CallError is a call that failed before a response was received or while its
// body was read: an unencodable request, a transport failure, an undecodable
// body, a missing caller token. Err may be a *ParamError or a
// *ResponseTooLargeError.
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

// ParamError is a parameter value that cannot be sent as it is: a header or
// cookie value with a character HTTP does not allow there (which could split
// the header), a path parameter that would leave a segment empty. Nothing is
// sent; calls return it inside a *CallError.
type ParamError struct {
	Name   string
	In     string // where the parameter goes, as OpenAPI's "in" says: path, query, header or cookie
	Reason string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("%s parameter %s %s", e.In, e.Name, e.Reason)
}

// ResponseTooLargeError is a response body that the runtime stopped reading at
// its limit (see WithMaxResponseBytes). Calls return it inside a *CallError.
type ResponseTooLargeError struct {
	Service    string
	Operation  string
	MessageID  string
	StatusCode int
	// Limit is the limit in bytes.
	Limit int64
	// Received says the limit was reached by the bytes received (a gzip body
	// that decodes to less, or a Content-Length above the limit) rather than
	// by the bytes decoded.
	Received bool
}

// Is reports whether target is ErrResponseTooLarge.
func (e *ResponseTooLargeError) Is(target error) bool { return target == ErrResponseTooLarge }

func (e *ResponseTooLargeError) Error() string {
	what := "decodes to more"
	if e.Received {
		what = "is larger"
	}
	return fmt.Sprintf("the %d response body %s than the limit of %d bytes (runtime.WithMaxResponseBytes, %sMAX_RESPONSE_BYTES)",
		e.StatusCode, what, e.Limit, EnvPrefix(e.Service))
}
