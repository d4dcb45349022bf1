package runtime

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tpgen/tpgen/internal/loopback"
	"github.com/tpgen/tpgen/runtime/internal/quote"
	"github.com/tpgen/tpgen/runtime/token"
)

// ServiceConfig is what a generated package knows about its service: the
// non-secret defaults written in services.yaml. Secrets are never part of it,
// only the names of the environment variables that hold them. Generated New
// functions pass it to NewService; an application can do the same to call a
// service that has no spec with HTTPClient.
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
	// token.TypeAccessToken when empty.
	SubjectTokenType string
	// RequestedTokenType is sent as requested_token_type when set.
	RequestedTokenType string
	// ClientAuth says how the client authenticates at the token endpoint.
	ClientAuth token.ClientAuth
	// MessageIDHeader is the header that carries message ids; DefaultMessageIDHeader when empty.
	MessageIDHeader string
	// Timeout bounds each call, retries included, unless the context ends
	// sooner; DefaultTimeout when zero.
	Timeout time.Duration
	// TokenStore is where tokens are kept besides the process's memory
	// (services.yaml's defaults.token_store), unless an option passes a
	// token.Config.Store.
	TokenStore TokenStoreConfig
	// ValidateResponses checks decoded success bodies against their schemas
	// (see WithResponseValidation).
	ValidateResponses bool
}

// Service is the runtime side of one client: its configuration, token cache
// and HTTP client. Generated clients hold one (their Runtime method returns
// it). It is safe for concurrent use; create one per service and reuse it.
type Service struct {
	name       string
	baseURL    string // without trailing slash
	baseHost   string // host[:port] that tokens may be sent to
	baseScheme string
	hc         *http.Client
	base       http.RoundTripper
	midHeader  string
	timeout    time.Duration
	logger     *slog.Logger
	observer   Observer
	starter    CallStarter // observer, when it hears of calls as they start
	retry      RetryPolicy
	anonymous  Grant // what GrantAuto gives anonymous callers; GrantInherit: ErrAnonymous
	maxBody    int64 // bounds the bodies a response reads for the caller
	validate   bool  // check decoded success bodies (WithResponseValidation)

	grant              Grant
	scopes             []string
	audience, resource string
	clientID, secret   string
	subjectTokenType   string
	requestedTokenType string
	clientAuth         token.ClientAuth
	tokenURL           string // configured; may be empty when issuer is set
	issuer             string // as configured: what a discovery document must name
	endpointID         string // tokenURL or issuer: part of every cache key
	fetcherID          string // who fetches tokens: part of every cache key
	insecureToken      bool
	tokenClient        *http.Client
	tokenTimeout       time.Duration
	clock              func() time.Time // nil: the real clock
	fetcher            token.Fetcher
	ownFetcher         bool // fetcher is the Endpoint the runtime made

	tokens *token.Cache
	// plans caches each operation's plan (see DESIGN.md on why a map and a lock).
	plansMu sync.RWMutex
	plans   map[any]*plan
}

// NewService builds the runtime for a service from its generated defaults,
// environment variables (see EnvPrefix) and options, in rising precedence.
// Generated New functions call it; an error names what to set.
func NewService(def ServiceConfig, opts ...Option) (*Service, error) {
	st := &settings{ServiceConfig: def}
	st.Scopes = slices.Clone(def.Scopes)
	for _, o := range opts {
		o(st)
	}
	if st.lookupEnv == nil {
		st.lookupEnv = os.LookupEnv
	}
	if err := st.applyEnv(); err != nil {
		return nil, err
	}
	return newService(st)
}

func newService(st *settings) (*Service, error) {
	name := st.Name
	if name == "" {
		name = "service"
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: "+format, append([]any{name}, args...)...)
	}
	if st.BaseURL == "" {
		return nil, fail("no base URL: set base_url in services.yaml, %sBASE_URL, or pass runtime.WithBaseURL", EnvPrefix(name))
	}
	bu, err := url.Parse(st.BaseURL)
	if err == nil && bu.User != nil || err != nil && strings.Contains(st.BaseURL, "@") {
		// Not quoted: it may hold a password. In https://a.example.com@b.example.net
		// the host is b.example.net, where every call and token would go.
		return nil, fail("base URL must not contain a user name or password (user@host)")
	}
	if err != nil || (bu.Scheme != "http" && bu.Scheme != "https") || bu.Host == "" {
		return nil, fail("base URL %q is not an absolute http(s) URL", st.BaseURL)
	}
	tc := st.tokens
	s := &Service{
		name:               name,
		baseURL:            strings.TrimSuffix(st.BaseURL, "/"),
		baseHost:           bu.Host,
		baseScheme:         bu.Scheme,
		midHeader:          st.MessageIDHeader,
		timeout:            st.Timeout,
		logger:             st.logger,
		observer:           st.observer,
		retry:              st.retry.withDefaults(),
		anonymous:          st.anonymous,
		maxBody:            st.maxBody,
		validate:           st.ValidateResponses,
		grant:              st.Grant,
		scopes:             st.Scopes,
		audience:           st.Audience,
		resource:           st.Resource,
		clientID:           st.ClientID,
		secret:             st.clientSecret,
		subjectTokenType:   st.SubjectTokenType,
		requestedTokenType: st.RequestedTokenType,
		clientAuth:         st.ClientAuth,
		tokenURL:           st.TokenURL,
		issuer:             st.Issuer,
		insecureToken:      tc.AllowInsecureHTTP,
		tokenTimeout:       tc.Timeout,
		clock:              tc.Now,
	}
	if s.timeout == 0 && !st.set["TIMEOUT"] {
		s.timeout = DefaultTimeout // WithTimeout(0) alone turns the bound off
	}
	if s.midHeader == "" {
		s.midHeader = DefaultMessageIDHeader
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxResponseBytes
	}
	if s.tokenTimeout <= 0 {
		s.tokenTimeout = token.DefaultTimeout
	}
	s.midHeader = http.CanonicalHeaderKey(s.midHeader) // send assigns it without Header.Set
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.starter, _ = s.observer.(CallStarter)
	if err := checkAnonymous(s.anonymous); err != nil {
		return nil, fail("%v", err)
	}
	s.hc, s.base = s.copyClient(st.httpClient)
	s.tokenClient = tc.HTTPClient
	if s.tokenClient == nil {
		s.tokenClient = s.hc
	}
	s.endpointID = s.tokenURL
	if s.endpointID == "" && s.issuer != "" {
		s.endpointID = "issuer:" + s.issuer
	}
	for _, u := range []string{s.tokenURL, s.issuer} {
		if err := s.checkTokenURL(u); err != nil {
			return nil, fail("%v", err)
		}
	}
	if needsToken(s.grant) && tc.Fetcher == nil {
		if s.endpointID == "" {
			return nil, fail("grant %s needs a token endpoint: set auth.issuer or auth.token_url in services.yaml, %sISSUER or %sTOKEN_URL, or pass runtime.WithIssuer/WithTokenURL", s.grant, EnvPrefix(name), EnvPrefix(name))
		}
		if s.clientID == "" {
			return nil, fail("grant %s needs a client id: %s", s.grant, st.credentialHint("id", "CLIENT_ID", st.ClientIDEnv))
		}
		if s.secret == "" {
			return nil, fail("grant %s needs a client secret: %s", s.grant, st.credentialHint("secret", "CLIENT_SECRET", st.ClientSecretEnv))
		}
	}
	s.fetcher, s.ownFetcher = tc.Fetcher, tc.Fetcher == nil
	if s.ownFetcher {
		s.fetcher = &token.Endpoint{HTTPClient: s.tokenClient, Now: tc.Now}
	}
	s.fetcherID = fetcherID(s.fetcher, s.ownFetcher)
	tc.Fetcher = s.fetcher
	if tc.Store == nil {
		if tc.Store, err = st.tokenStore(); err != nil {
			return nil, fail("%v", err)
		}
	}
	s.tokens = token.NewCache(tc, s.reportToken)
	return s, nil
}

func needsToken(g Grant) bool {
	return g == GrantClientCredentials || g == GrantTokenExchange || g == GrantAuto
}

// checkTokenURL refuses a token endpoint or issuer over plain http unless it
// is loopback or token.Config.AllowInsecureHTTP was set: client secrets and
// tokens travel there.
func (s *Service) checkTokenURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("token endpoint or issuer %q is not an absolute URL", quote.Truncate(raw, 200))
	}
	if u.User != nil {
		// net/http would send it as Basic credentials, beside or instead of
		// the client's own; the URL is not quoted: it holds a password.
		return fmt.Errorf("token endpoint or issuer at %s carries a user name or password in its URL; remove it (client credentials are configured on their own)", u.Redacted())
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme != "http":
		return fmt.Errorf("token endpoint or issuer %q: scheme must be https", raw)
	case s.insecureToken || loopback.Is(u.Hostname()):
		return nil
	}
	return fmt.Errorf("token endpoint or issuer %q uses plain http on a host that is not loopback; use https, or pass runtime.WithTokenConfig(token.Config{AllowInsecureHTTP: true}) to allow it", raw)
}

// copyClient returns the client calls are made with: a copy of c whose redirects
// never carry an Authorization header to another host than the service's.
func (s *Service) copyClient(c *http.Client) (*http.Client, http.RoundTripper) {
	var cp http.Client
	if c != nil {
		cp = *c
	}
	base := cp.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	userCheck := cp.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if userCheck != nil {
			if err := userCheck(req, via); err != nil {
				return err
			}
		} else if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if !s.ownRequest(req) {
			req.Header.Del("Authorization")
		}
		return nil
	}
	return &cp, base
}

// ownRequest reports whether req goes to the service's own origin: its URL's
// scheme and host are the base URL's, and so is the Host header it carries
// (req.Host, when set). A request to the service's address that names another
// virtual host is meant for another service, and gets no token.
func (s *Service) ownRequest(req *http.Request) bool {
	return req.URL.Host == s.baseHost && req.URL.Scheme == s.baseScheme && (req.Host == "" || req.Host == s.baseHost)
}

// Name returns the service's name.
func (s *Service) Name() string { return s.name }

// BaseURL returns the URL that operation paths are appended to.
func (s *Service) BaseURL() string { return s.baseURL }

// now returns the time by the service's clock; real says it is the real one,
// which a call reads from its own start instead.
func (s *Service) now() (t time.Time, real bool) {
	if s.clock == nil {
		return time.Time{}, true
	}
	return s.clock(), false
}
