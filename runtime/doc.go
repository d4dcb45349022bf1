// Package runtime is what an application uses with the clients tpgen
// generates: it configures them, prepares incoming requests for the calls made
// while handling them, and reports what calls did. Behind every generated
// method it chooses and obtains the token (no auth, client credentials, RFC
// 8693 token exchange of the caller's token, passthrough, or an automatic
// choice) or sends the credentials of the spec's other security schemes (API
// keys, HTTP basic and bearer: SecurityScheme), caches tokens until shortly before expiry with one token request
// however many calls wait, sends a message id, retries what may be retried,
// and records what the call cost for logs, metrics and Server-Timing.
//
// An application creates each client once, with options (WithX) that win over
// environment variables (see EnvPrefix), which win over the defaults generated
// from services.yaml, and wraps its HTTP handlers in Middleware so that
// outgoing calls carry the caller's token and message id:
//
//	orders, err := ordersclient.New(runtime.WithLogger(logger))
//	http.ListenAndServe(":8080", runtime.Middleware(mux))
//
// How calls are authorised (grant, OAuth2 client, token requests, the
// credentials of the spec's security schemes) is one option, WithAuth, whose
// Auth struct holds all of it:
//
//	orders, err := ordersclient.New(runtime.WithAuth(runtime.Auth{ClientID: id, ClientSecret: secret}))
//
// Work that did not come in through Middleware says who it is for with the
// context helpers (ContextWithX, and XFrom to read them back):
//
//	ctx = runtime.ContextWithCallerToken(ctx, token)       // the caller's token, for exchange and passthrough
//	ctx = runtime.ContextWithMessageID(ctx, "nightly-sync") // one id for every call of a job
//
// What one call needs differently it takes as CallOptions, last among the
// arguments of every generated method:
//
//	order, err := orders.GetOrder(ctx, id, runtime.CallTimeout(2*time.Second), runtime.CallHeader("X-Tenant", "eu"))
//
// Who a call is made as follows from the grant and what the application
// verified about its caller (Caller, MiddlewareConfig.VerifyCaller), never from
// what a caller's token says about itself: see Caller.
//
// Errors are *ResponseError (a non-2xx answer, with the decoded body of a
// declared error: ErrorModel), *token.Error (a failed token request) or
// *CallError (anything else); each names the service, operation and message
// id, and none holds a token or secret. The sentinels (ErrUnauthorized,
// ErrNoCredentials, ErrAnonymous, ...) are for errors.Is. An Observer
// receives a Record of every call; one that is a CallStarter hears of each
// call as it starts too (a tracer's span), and MiddlewareConfig.RequestContext
// takes an incoming trace context (github.com/tpgen/tpgen/otel has both).
//
// A fleet of replicas shares its tokens through a token.SharedStore, so that
// it makes one token request per key per expiry: services.yaml's token_store
// (TokenStoreConfig, with the TPGEN_TOKEN_STORE variables) names one that
// the program links in, such as github.com/tpgen/tpgen/redis.
//
// For a call the spec does not describe, a client's Runtime().HTTPClient() is
// an *http.Client with the same grant, message ids, retries and diagnostics;
// Runtime().TokenSource(ctx) serves the same tokens to code that takes an
// oauth2.TokenSource.
//
// # How the runtime is organised
//
// The runtime is split by who uses it:
//
//   - runtime (this package): what an application calls.
//   - runtime/token: the OAuth2 machinery: token requests, the token endpoint
//     client, the cache and store tokens are kept in, discovery. An
//     application meets it to plug in its own Fetcher or Store
//     (Auth.Tokens) and to handle a *token.Error.
//   - runtime/jwt: a verifier of callers' JWTs for MiddlewareConfig.VerifyCaller.
//   - runtime/tpgenimpl: what only generated code uses: the operation tables,
//     Invoke, which interprets them, and the helpers generated types call.
//     Not meant to be called by hand; generated code refers to its
//     SupportPackageIsVersionN, so that a generated package and a runtime that
//     do not fit fail to compile.
//   - runtime/internal/...: wire details no one outside needs: bounded and
//     gzip-decoded bodies, retry timing, redirect policies, redaction of
//     secrets, quoting of what others sent, and the link through which
//     tpgenimpl reaches the call engine of this package.
//
// DESIGN.md beside this file says why it is built this way.
package runtime
