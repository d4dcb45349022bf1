package runtime

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/tpgen/tpgen/runtime/token"
)

// Defaults used when neither services.yaml nor an option says otherwise, and
// the limits of what an error keeps.
const (
	// DefaultTimeout bounds each call, retries included.
	DefaultTimeout = 30 * time.Second
	// DefaultMessageIDHeader carries message ids, out and in.
	DefaultMessageIDHeader = "X-Message-Id"
	// DefaultDiagnosticsHeader is the request header that asks Middleware for Server-Timing.
	DefaultDiagnosticsHeader = "Tp-Diag"
	// DefaultMaxResponseBytes bounds each response body the runtime reads for
	// the caller (see WithMaxResponseBytes).
	DefaultMaxResponseBytes = 32 << 20
	// MaxErrorBody caps how much of an error body ResponseError keeps.
	MaxErrorBody = 1024
)

// Option configures a service client. Options win over environment variables,
// which win over the defaults generated from services.yaml.
type Option func(*settings)

// settings is everything a Service is built from.
type settings struct {
	ServiceConfig
	clientSecret string
	httpClient   *http.Client
	logger       *slog.Logger
	observer     Observer
	tokens       token.Config
	anonymous    Grant
	lookupEnv    func(string) (string, bool)
	retry        RetryPolicy
	maxBody      int64

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
// token.Config.HTTPClient says otherwise, are sent with. The client is copied,
// not changed; its Transport and Jar are shared.
func WithHTTPClient(c *http.Client) Option {
	return func(s *settings) { s.httpClient = c }
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
// token.TypeJWT or token.TypeIDToken. The default is token.TypeAccessToken.
func WithSubjectTokenType(t string) Option {
	return func(s *settings) { s.SubjectTokenType = t }
}

// WithRequestedTokenType sets the requested_token_type of token exchanges.
func WithRequestedTokenType(t string) Option {
	return func(s *settings) { s.RequestedTokenType = t }
}

// WithClientAuth sets how the client authenticates at the token endpoint.
func WithClientAuth(m token.ClientAuth) Option {
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

// WithTokenConfig sets how tokens are obtained and kept: a custom fetcher or
// store, the client for token requests, the cache's margins and size, the
// clock (see token.Config). The fields c sets replace earlier ones; the others
// keep their defaults.
func WithTokenConfig(c token.Config) Option {
	return func(s *settings) { s.tokens = s.tokens.Merge(c) }
}
