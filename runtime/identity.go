package runtime

import (
	"context"
	"errors"
)

// Who a call is made as.
//
// The identity of an outgoing call comes from configuration (the grant of the
// service or operation, Auth.Anonymous) and from what the application verified
// about its caller (Caller); never from what a caller's token says about
// itself, since nothing in the runtime has checked that token. GrantAuto
// decides as follows:
//
//   - a verified system caller (ContextWithCaller, or MiddlewareConfig.VerifyCaller
//     returned Caller{System: true}): client credentials, the service's own identity;
//   - otherwise, a caller token in the context: token exchange, where the token
//     endpoint verifies the token it is given;
//   - a caller without a token (a request that came in through Middleware with
//     none, a context made with ContextWithCallerToken("") or ContextWithCaller):
//     ErrAnonymous, unless Auth.Anonymous says what anonymous callers get;
//   - work for no caller at all (a context that never passed through Middleware,
//     ContextWithCallerToken or ContextWithCaller: a background job): client credentials.

// Caller is what the application verified about the caller of an incoming
// request: by the signature of its bearer token, a client certificate, the
// network it came from. The runtime does not look inside caller tokens; only a
// Caller decides that calls are made with the service's own identity.
type Caller struct {
	// System says the caller is a system (another service, a scheduled job)
	// rather than a user: GrantAuto makes its calls with client credentials.
	System bool
}

// ContextWithCaller returns a context carrying the verified caller c. Call it
// only with what your own verification established: a System caller's calls
// under GrantAuto are made as the service itself.
func ContextWithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey, c)
}

// CallerFrom returns the verified caller that ctx carries, if any.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey).(Caller)
	return c, ok
}

// identityError is one of the errors of a call that has no identity to be made with.
type identityError struct {
	msg    string
	parent error
}

func (e *identityError) Error() string { return e.msg }
func (e *identityError) Unwrap() error { return e.parent }

// Errors of a call that has no identity to be made with; test with errors.Is.
var (
	// ErrNoCallerToken is returned, before anything is sent, when a call's grant
	// needs the caller's token (token_exchange, passthrough) and the context
	// carries none.
	ErrNoCallerToken error = &identityError{msg: "the context carries no caller token: wrap the handler in runtime.Middleware or use runtime.ContextWithCallerToken"}

	// ErrAnonymous is returned, before anything is sent, when a call is made for
	// a caller that has no token (a request that came in through Middleware
	// without one) and is not a verified system caller: its grant needs the
	// caller's token, or it is GrantAuto and Auth.Anonymous was not given. An
	// anonymous caller is never given the service's own identity unless the
	// operator says so. errors.Is(err, ErrNoCallerToken) holds too. A handler
	// would answer such an error with 401.
	ErrAnonymous error = &identityError{
		msg:    "anonymous caller: the incoming request carried no caller token (runtime.Auth{Anonymous} sets what anonymous callers get under grant auto)",
		parent: ErrNoCallerToken,
	}
)

// forCaller reports whether ctx belongs to work done for a caller: it passed
// through Middleware, ContextWithCallerToken or ContextWithCaller.
func forCaller(ctx context.Context) bool {
	if _, ok := ctx.Value(callerTokenKey).(string); ok {
		return true
	}
	_, ok := CallerFrom(ctx)
	return ok
}

// autoGrant settles GrantAuto for a call whose context carries subject (the
// caller's token, or ""). See the rules above.
func (s *Service) autoGrant(ctx context.Context, subject string) (Grant, error) {
	if c, ok := CallerFrom(ctx); ok && c.System {
		return GrantClientCredentials, nil
	}
	switch {
	case subject != "":
		return GrantTokenExchange, nil
	case !forCaller(ctx):
		return GrantClientCredentials, nil // background work, for no caller
	case s.anonymous != GrantInherit:
		return s.anonymous, nil
	}
	return GrantAuto, ErrAnonymous
}

// noCallerToken is the error of a grant that needs the caller's token when ctx has none.
func noCallerToken(ctx context.Context) error {
	if forCaller(ctx) {
		return ErrAnonymous
	}
	return ErrNoCallerToken
}

// checkAnonymous validates Auth.Anonymous.
func checkAnonymous(g Grant) error {
	switch g {
	case GrantInherit, GrantNone, GrantClientCredentials:
		return nil
	}
	return errors.New("runtime.Auth{Anonymous} takes GrantNone or GrantClientCredentials, not " + g.String())
}
