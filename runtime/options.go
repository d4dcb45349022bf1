package runtime

import (
	"log/slog"
	"net/http"
	"time"
)

// ServiceConfig is what a generated package knows about its service: the
// non-secret defaults written in services.yaml. Secrets are never part of it,
// only the names of the environment variables that hold them.
type ServiceConfig struct {
	// Name is the service's key in services.yaml. It prefixes operation names in
	// diagnostics and names the environment variables that override this config
	// (see EnvPrefix).
	Name string
	// BaseURL is the URL that operation paths are appended to.
	BaseURL string
	// TokenURL is the OAuth2 token endpoint. Issuer is used when it is empty.
	TokenURL string
	// Issuer is an OIDC issuer whose discovery document names the token endpoint.
	Issuer string
	// ClientID is a literal client id; ClientIDEnv names a variable that holds one.
	ClientID    string
	ClientIDEnv string
	// ClientSecretEnv names the environment variable that holds the client secret.
	ClientSecretEnv string
	// Grant is the service's grant; operations may set their own.
	Grant Grant
	// Scopes are requested for every operation that does not list its own.
	Scopes []string
	// Audience and Resource are sent with token requests when set (RFC 8693, RFC 8707).
	Audience string
	Resource string
	// SubjectTokenType is the subject_token_type of token exchanges;
	// TokenTypeAccessToken when empty.
	SubjectTokenType string
	// RequestedTokenType is sent as requested_token_type when set.
	RequestedTokenType string
	// ClientAuth says how the client authenticates at the token endpoint.
	ClientAuth ClientAuthMethod
	// MessageIDHeader is the header that carries message ids; DefaultMessageIDHeader when empty.
	MessageIDHeader string
	// Timeout bounds each call, retries included, unless the context ends
	// sooner; DefaultTimeout when zero.
	Timeout time.Duration
}

// ClientAuthMethod is how a client authenticates at the token endpoint.
type ClientAuthMethod uint8

const (
	// ClientAuthBasic sends the client id and secret with HTTP Basic (client_secret_basic). The default.
	ClientAuthBasic ClientAuthMethod = iota
	// ClientAuthPost sends them as form fields (client_secret_post).
	ClientAuthPost
)

// Token type URNs of RFC 8693 §3.
const (
	TokenTypeAccessToken = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeJWT         = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeIDToken     = "urn:ietf:params:oauth:token-type:id_token"
)

// Defaults used when neither services.yaml nor an option says otherwise.
const (
	DefaultTimeout           = 30 * time.Second
	DefaultExpiryMargin      = time.Minute
	DefaultTokenLifetime     = 5 * time.Minute
	DefaultExchangeCacheSize = 10000
	DefaultTokenTimeout      = 15 * time.Second
)

// Option configures a service client. Options win over environment variables,
// which win over the defaults generated from services.yaml.
type Option func(*settings)

// settings is everything a Service is built from.
type settings struct {
	ServiceConfig
	clientSecret string
	httpClient   *http.Client
	tokenClient  *http.Client
	logger       *slog.Logger
	observer     Observer
	fetcher      TokenFetcher
	store        TokenStore
	clock        func() time.Time

	expiryMargin    time.Duration
	defaultLifetime time.Duration
	exchangeMax     int
	tokenTimeout    time.Duration
	anonymous       Grant
	insecureToken   bool
	lookupEnv       func(string) (string, bool)
	retry           RetryPolicy
	maxBody         int64

	// set records which fields an option set, so that environment variables do not override them.
	set map[string]bool
}

func (s *settings) mark(field string) {
	if s.set == nil {
		s.set = map[string]bool{}
	}
	s.set[field] = true
}

// WithBaseURL sets the URL that operation paths are appended to.
func WithBaseURL(u string) Option {
	return func(s *settings) { s.BaseURL = u; s.mark("BASE_URL") }
}

// WithHTTPClient sets the client that calls, and token requests unless
// WithTokenHTTPClient says otherwise, are sent with. The client is copied, not
// changed; its Transport and Jar are shared.
func WithHTTPClient(c *http.Client) Option {
	return func(s *settings) { s.httpClient = c }
}

// WithTokenHTTPClient sets the client used for token and discovery requests, for
// example one that presents a TLS client certificate (mTLS client authentication).
func WithTokenHTTPClient(c *http.Client) Option {
	return func(s *settings) { s.tokenClient = c }
}

// WithTokenURL sets the OAuth2 token endpoint.
func WithTokenURL(u string) Option {
	return func(s *settings) { s.TokenURL = u; s.mark("TOKEN_URL") }
}

// WithIssuer sets an OIDC issuer whose discovery document
// ({issuer}/.well-known/openid-configuration, or RFC 8414 metadata) names the
// token endpoint. The document is fetched once, on first need, and cached; it
// is used only when its issuer is u exactly (trailing slash included), and
// only from u's origin. WithTokenURL wins over it.
func WithIssuer(u string) Option {
	return func(s *settings) { s.Issuer = u; s.mark("ISSUER") }
}

// WithClientCredentials sets the client id and secret used for client
// credentials and token exchange.
func WithClientCredentials(id, secret string) Option {
	return func(s *settings) {
		s.ClientID, s.clientSecret = id, secret
		s.mark("CLIENT_ID")
		s.mark("CLIENT_SECRET")
	}
}

// WithGrant sets the service's grant. Operations that set their own keep it.
func WithGrant(g Grant) Option {
	return func(s *settings) { s.Grant = g; s.mark("GRANT") }
}

// WithScopes sets the scopes requested for operations that do not list their own.
func WithScopes(scopes ...string) Option {
	return func(s *settings) { s.Scopes = append([]string(nil), scopes...); s.mark("SCOPES") }
}

// WithAudience sets the audience sent with token requests.
func WithAudience(aud string) Option {
	return func(s *settings) { s.Audience = aud; s.mark("AUDIENCE") }
}

// WithResource sets the resource (RFC 8707) sent with token requests.
func WithResource(res string) Option {
	return func(s *settings) { s.Resource = res; s.mark("RESOURCE") }
}

// WithSubjectTokenType sets the subject_token_type of token exchanges, for example
// TokenTypeJWT or TokenTypeIDToken. The default is TokenTypeAccessToken.
func WithSubjectTokenType(t string) Option {
	return func(s *settings) { s.SubjectTokenType = t }
}

// WithRequestedTokenType sets the requested_token_type of token exchanges.
func WithRequestedTokenType(t string) Option {
	return func(s *settings) { s.RequestedTokenType = t }
}

// WithClientAuth sets how the client authenticates at the token endpoint.
func WithClientAuth(m ClientAuthMethod) Option {
	return func(s *settings) { s.ClientAuth = m }
}

// WithLogger sets the logger that every call is logged to: debug on success,
// warn for 4xx answers, error for other failures. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.logger = l }
}

// WithObserver sets an observer that receives a Record for every call.
func WithObserver(o Observer) Option {
	return func(s *settings) { s.observer = o }
}

// WithMessageIDHeader sets the header that carries message ids.
func WithMessageIDHeader(h string) Option {
	return func(s *settings) { s.MessageIDHeader = h }
}

// WithTimeout bounds each call, retries included. Zero means no bound but the context's.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) { s.Timeout = d; s.mark("TIMEOUT") }
}

// WithTokenFetcher replaces how tokens are obtained, for custom grants or client
// authentication (private_key_jwt, mTLS, a token broker). See TokenEndpoint.
func WithTokenFetcher(f TokenFetcher) Option {
	return func(s *settings) { s.fetcher = f }
}

// WithTokenStore sets where tokens are cached; an in-memory store by default.
// A store may be shared between services: its keys include everything that
// changes a token, the service's name and who fetches it included. Keys of a
// service with a custom TokenFetcher name the fetcher instance, so that only
// Services of this process with that fetcher share its tokens.
func WithTokenStore(st TokenStore) Option {
	return func(s *settings) { s.store = st }
}

// WithExpiryMargin sets how long before its expiry a token is refreshed in the
// background while it is still used (at most half its lifetime).
func WithExpiryMargin(d time.Duration) Option {
	return func(s *settings) { s.expiryMargin = d }
}

// WithDefaultTokenLifetime sets the lifetime assumed for a token whose response
// has no expires_in.
func WithDefaultTokenLifetime(d time.Duration) Option {
	return func(s *settings) { s.defaultLifetime = d }
}

// WithExchangeCacheSize bounds how many tokens the default in-memory store keeps
// (one per caller token for token exchange).
func WithExchangeCacheSize(n int) Option {
	return func(s *settings) { s.exchangeMax = n }
}

// WithTokenTimeout bounds obtaining a token (its retries included) and a
// discovery request.
func WithTokenTimeout(d time.Duration) Option {
	return func(s *settings) { s.tokenTimeout = d }
}

// WithClock sets the clock that token expiry is judged by (for tests).
func WithClock(now func() time.Time) Option {
	return func(s *settings) { s.clock = now }
}

// WithAnonymous sets what GrantAuto does for a call made for an anonymous
// caller: a request that came in through Middleware without a bearer token,
// from a caller not verified as a system (see Caller). GrantClientCredentials
// makes such calls with the service's own identity, GrantNone without a token.
// By default they fail with ErrAnonymous: an anonymous caller does not act as
// the service unless the operator says so. Work for no caller at all
// (background jobs) uses client credentials either way.
func WithAnonymous(g Grant) Option {
	return func(s *settings) { s.anonymous = g }
}

// WithInsecureTokenURL allows a token endpoint or issuer over plain http on a
// host that is not loopback. Without it such endpoints are refused.
func WithInsecureTokenURL() Option {
	return func(s *settings) { s.insecureToken = true }
}

// WithLookupEnv sets how environment variables are read (os.LookupEnv by
// default); pass a function that finds nothing to ignore the environment.
func WithLookupEnv(lookup func(string) (string, bool)) Option {
	return func(s *settings) { s.lookupEnv = lookup }
}

// WithMaxResponseBytes bounds each response body that the runtime reads for
// the caller, as received and as decoded from gzip; DefaultMaxResponseBytes
// when n is not positive. A call whose body is larger fails with a
// *ResponseTooLargeError. Bodies handed over as a stream are not bounded.
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) {
		s.maxBody = n
		if n > 0 {
			s.mark("MAX_RESPONSE_BYTES")
		}
	}
}

// WithRetry sets the retry policy for failed calls.
func WithRetry(p RetryPolicy) Option {
	return func(s *settings) { s.retry = p }
}
