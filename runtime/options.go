package runtime

import (
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/tpgen/tpgen/runtime/token"
	"golang.org/x/oauth2"
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
	clientSecret  string
	actorToken    string
	source        oauth2.TokenSource
	httpClient    *http.Client
	logger        *slog.Logger
	failureLevel  *slog.Level
	observer      Observer
	tokens        token.Config
	anonymous     Grant
	lookupEnv     func(string) (string, bool)
	environ       func() []string // lists the environment when it is the process's, for warnUnknownEnv
	retry         RetryPolicy
	maxBody       int64
	insecureHosts []string

	// Credentials of the spec's security schemes (see schemes.go): API keys
	// by scheme name ("" for every apiKey scheme), HTTP Basic, a bearer token.
	apiKeys     map[string]string
	username    string
	password    string
	bearerToken string
	usernameSet bool

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

// WithAudience sets the audiences sent with token requests, one audience
// parameter each (RFC 8693 allows several).
func WithAudience(aud ...string) Option {
	return func(s *settings) { s.Audiences = slices.Clone(aud); s.mark("AUDIENCE") }
}

// WithResource sets the resources (RFC 8707) sent with token requests, one
// resource parameter each.
func WithResource(res ...string) Option {
	return func(s *settings) { s.Resources = slices.Clone(res); s.mark("RESOURCE") }
}

// WithSubjectTokenType sets the subject_token_type of token exchanges, for example
// token.TypeJWT or token.TypeIDToken. The default is token.TypeAccessToken.
func WithSubjectTokenType(t string) Option {
	return func(s *settings) { s.SubjectTokenType = t }
}

// WithRequestedTokenType sets the requested_token_type of token exchanges
// (token.TypeAccessToken by default). A token the endpoint issues as another
// type than an access token, a JWT or the one requested is refused.
func WithRequestedTokenType(t string) Option {
	return func(s *settings) { s.RequestedTokenType = t }
}

// WithActorToken sets the actor token sent with every token exchange, for
// delegation (RFC 8693 §1.1): the party that acts for the caller, for
// example a token of the service's own. ContextWithActorToken sets one per
// call instead. typ is its actor_token_type, token.TypeAccessToken when "".
func WithActorToken(tok, typ string) Option {
	return func(s *settings) { s.actorToken, s.ActorTokenType = tok, typ; s.mark("ACTOR_TOKEN") }
}

// WithClientAuth sets how the client authenticates at the token endpoint.
// Unset (token.ClientAuthDefault), it is HTTP Basic unless the issuer's
// metadata says the endpoint takes only client_secret_post.
func WithClientAuth(m token.ClientAuth) Option {
	return func(s *settings) { s.ClientAuth = m }
}

// WithTokenSource makes the service's own identity come from ts: client
// credentials tokens (GrantClientCredentials, and GrantAuto's calls for no
// caller or a system caller) are ts's, and no token endpoint, client id or
// secret is needed for them. The service's grant becomes
// GrantClientCredentials unless it is token exchange, passthrough or auto.
//
// The runtime does not cache ts's tokens: it asks ts on every call that needs
// one, as golang.org/x/oauth2's sources (clientcredentials.Config.TokenSource,
// oauth2.ReuseTokenSource, google.DefaultTokenSource) cache and refresh
// themselves and are safe for concurrent use; wrap a source that does
// neither in oauth2.ReuseTokenSource. A token the service refuses (401) is
// therefore not replaced by the runtime.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(s *settings) { s.source = ts }
}

// WithInsecureTokenHosts allows token endpoints and issuers over plain http
// on the hosts named (keycloak, idp.local: names, without scheme or port), as
// an identity provider on a docker-compose network needs; every other host
// still needs https or loopback. Each use is logged at warn.
// TPGEN_<SERVICE>_INSECURE_TOKEN_HOSTS (comma separated) does the same.
func WithInsecureTokenHosts(hosts ...string) Option {
	return func(s *settings) { s.insecureHosts = slices.Clone(hosts); s.mark("INSECURE_TOKEN_HOSTS") }
}

// WithLogger sets the logger that calls and token requests are logged to:
// successes at debug, failures at the level of WithFailureLogLevel (debug
// unless set). The default discards everything: pass slog.Default() or a
// logger of your own to see them. Failures are returned to the caller as
// errors too, so an application that logs its errors needs no more.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.logger = l }
}

// WithFailureLogLevel sets the level at which the runtime logs failed calls
// and token requests itself (debug by default, so that an application that
// logs the errors it gets does not see each failure twice). Pass
// slog.LevelWarn or slog.LevelError to have the runtime report them.
func WithFailureLogLevel(l slog.Level) Option {
	return func(s *settings) { s.failureLevel = &l }
}

// WithAPIKey sets the key of the spec's apiKey security schemes: of the
// scheme named scheme (as components.securitySchemes names it), or of every
// apiKey scheme without a key of its own (from WithAPIKey,
// TPGEN_<SERVICE>_API_KEY_<SCHEME> or services.yaml's api_keys) when scheme
// is "". The key is sent
// only to the service's own origin, where the scheme says (a header, query
// parameter or cookie), and never shown in errors, logs or records.
func WithAPIKey(scheme, key string) Option {
	return func(s *settings) {
		if s.apiKeys == nil {
			s.apiKeys = map[string]string{}
		}
		s.apiKeys[scheme] = key
	}
}

// WithBasicAuth sets the user name and password of the spec's HTTP basic
// security schemes.
func WithBasicAuth(username, password string) Option {
	return func(s *settings) { s.username, s.password, s.usernameSet = username, password, true }
}

// WithBearerToken sets the token of the spec's HTTP bearer security schemes:
// a static token (an API token a vendor issued). Without one, a bearer
// scheme is met by the token the service's grant obtains.
func WithBearerToken(tok string) Option {
	return func(s *settings) { s.bearerToken = tok; s.mark("BEARER_TOKEN") }
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
