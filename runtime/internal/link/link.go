// Package link is how package tpgenimpl, which generated code calls, reaches
// the call engine of package runtime without that engine being part of
// runtime's API: runtime lends the engine of each Service when it is
// initialised, tpgenimpl borrows it when it is. The types here are the
// engine's side of that contract; tpgenimpl turns its operation tables into
// them. Nothing else imports this package.
package link

import (
	"context"
	"io"
	"net/http"
)

// Engine sends calls for one Service.
type Engine interface {
	// Do sends one call of op with r: message id, auth, retries and
	// diagnostics, as for every call. It returns the response whatever its
	// status, or an error (a *runtime.CallError or *token.Error) when no
	// response was received; the caller reads the response and closes it.
	Do(ctx context.Context, op Op, r Request) (Response, error)
	// Fail reports err, hit before anything was sent (a parameter or body
	// that cannot be encoded), as the call's *runtime.CallError, and records
	// the call.
	Fail(ctx context.Context, op Op, err error) error
	// ValidateResponses says whether decoded success bodies are checked
	// against their types (runtime.WithResponseValidation).
	ValidateResponses() bool
	// MaxPages is how many pages one iteration of a paging method made
	// with ctx may fetch (runtime.CallMaxPages, runtime.DefaultMaxPages).
	MaxPages(ctx context.Context) int
}

// Op is the engine's view of an operation: what names it in records, logs
// and errors, and the auth that services.yaml and the spec give it.
type Op struct {
	// Key identifies the operation for as long as the process runs (the
	// generated table's address): the engine settles an operation's auth
	// once per Key and Service, from the fields below.
	Key    any
	ID     string
	Method string
	Path   string // the path template, for records
	// Grant is a runtime.Grant; GrantInherit uses the service's.
	Grant uint8
	// Scopes, Audiences and Resources replace the service's when not nil.
	Scopes, Audiences, Resources []string
	// Security replaces the service's security requirements when not nil.
	Security [][]string
}

// Request is the HTTP side of one call, built from the operation's table.
type Request struct {
	// Path is the expanded, escaped path, appended to the base URL ("/orders/42").
	Path     string
	RawQuery string
	Header   http.Header // header parameters and cookies; nil when none
	// Body is a body that can be sent again; Stream one that cannot (an
	// upload). At most one is set. A Stream that is an io.Closer is closed
	// when the call fails before it was read to its end (so that a multipart
	// writer is released); one that was sent whole is left open.
	Body        []byte
	Stream      io.Reader
	ContentType string
	Accept      string
}

// Response is a service's answer to one call. Its reads are bounded by the
// service's response limit (the stream excepted), are timed in the call's
// record, and fail with errors that name the call; Close ends the call's
// record.
type Response interface {
	StatusCode() int
	Header() http.Header
	// DecodeJSON decodes the body into v.
	DecodeJSON(v any) error
	// Text reads the whole body.
	Text() (string, error)
	// Stream hands the body over unbounded; closing it ends the call, and
	// Close does nothing after it.
	Stream() io.ReadCloser
	// Error returns the *runtime.ResponseError of the answer, with the body
	// decoded into model when model is not nil and it decodes, or the start
	// of the body kept otherwise.
	Error(model any) error
	// Fail records err as the call's error and returns it as a
	// *runtime.CallError.
	Fail(err error) error
	Close() error
}

var lent any

// Lend is called by package runtime when it is initialised, with S
// *runtime.Service.
func Lend[S any](engine func(S) Engine) { lent = engine }

// Borrow is called by package tpgenimpl when it is initialised, with S
// *runtime.Service; it panics when runtime lent another type, which is a bug
// in this module, never in its users' code.
func Borrow[S any]() func(S) Engine { return lent.(func(S) Engine) }
