package runtime

import (
	"errors"

	"github.com/tpgen/tpgen/runtime/token"
)

// Conditions an application may handle differently, for errors.Is. Each
// call's error is still a *ResponseError, *CallError or *token.Error with
// the details; these name what happened. ErrNoCallerToken and ErrAnonymous
// (identity.go) are among them. A call that ran out of time matches
// context.DeadlineExceeded (the service's timeout, WithTimeout, or the
// context's deadline), one whose caller gave up context.Canceled. The README
// has a table of them with the HTTP status an application might answer.
var (
	// ErrUnauthorized: the service answered 401, also after the runtime
	// replaced a refused token once: the credentials are not accepted.
	ErrUnauthorized = errors.New("the service refused the credentials (401)")
	// ErrForbidden: the service answered 403: the credentials are accepted,
	// but not for this.
	ErrForbidden = errors.New("the service refused the call (403)")
	// ErrRateLimited: the service answered 429, also after the retries the
	// retry policy allows; ResponseError.RetryAfter says when to try again.
	ErrRateLimited = errors.New("the service is rate limiting calls (429)")
	// ErrResponseTooLarge: a response body was over the limit
	// (WithMaxResponseBytes); the error is a *ResponseTooLargeError.
	ErrResponseTooLarge = errors.New("response body over the limit")
	// ErrNoCredentials: none of the operation's security requirements (from
	// the spec) has its credentials configured (an API key, a user name and
	// password, a grant); nothing was sent. The error names what to set.
	ErrNoCredentials = errors.New("no credentials configured")
	// ErrTokenEndpointUnreachable: no token could be obtained because the
	// token endpoint or the issuer's discovery could not be reached, or
	// answered 429 or 5xx (also while the runtime waits before asking again,
	// token.ErrBackoff): the identity provider is down, not misconfigured.
	ErrTokenEndpointUnreachable = token.ErrUnreachable
	// ErrTokenRefused: the token endpoint refused the request with a 4xx
	// answer other than 429 (invalid_client, invalid_grant, invalid_scope,
	// unauthorized_client...), or gave something that is not a usable access
	// token: configuration, or for token exchange the caller's token.
	ErrTokenRefused = token.ErrRefused
	// ErrTooManyPages: a paging method's iteration reached its page limit
	// (DefaultMaxPages, CallMaxPages) while the service still announced a
	// next page. The items of the pages fetched were yielded before the error.
	ErrTooManyPages = errors.New("more pages than the limit")
)
