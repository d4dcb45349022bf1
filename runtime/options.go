package runtime

import (
	"log/slog"
	"net/http"
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
	// MaxResponseProblems bounds the problems an InvalidResponseError lists.
	MaxResponseProblems = 20
	// DefaultMaxPages bounds the pages one iteration of a generated paging
	// method (ListOrdersAll) fetches unless CallMaxPages says otherwise: a
	// service that pages for ever must not keep the caller in the loop for ever.
	DefaultMaxPages = 1000
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
	usernameSet bool // username was set by an option (and password with it)
	passwordSet bool // password was set by an option

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
