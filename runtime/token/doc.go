// Package token is how tpgen's runtime obtains OAuth2 access tokens and keeps
// them: the token requests of the client credentials (RFC 6749 §4.4) and token
// exchange (RFC 8693) grants, the token endpoint client that sends them, the
// store tokens are kept in, the cache that serves them to calls, and OIDC
// discovery of the token endpoint.
//
// An application meets this package where it changes how tokens are obtained
// or kept, through runtime.Auth{Tokens}:
//
//   - a Fetcher obtains tokens: Endpoint is the default (a form POST to the
//     token endpoint, the client authenticated with HTTP Basic or form fields,
//     or by Endpoint.Authenticate for private_key_jwt or mTLS); implement
//     Fetcher for a token broker or a grant of your own;
//   - a Store keeps tokens between calls: MemoryStore is the default, and a
//     store may be shared between services, or between processes when it
//     persists tokens (its keys never hold a secret or token);
//   - Config tunes the rest: expiry margin, default lifetime, how many tokens
//     are kept, how long obtaining one may take, the clock.
//
// A failed token request is an *Error carrying the endpoint's status and RFC
// 6749 §5.2 error fields, never a secret or token; a request not sent because
// the same one failed moments ago wraps ErrBackoff.
//
// Cache and Discover are what the runtime builds its calls on; they are
// exported for code that wants tokens served the same way outside a
// generated client. This package does not import package runtime.
package token
