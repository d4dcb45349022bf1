package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tpgen/tpgen/internal/loopback"
	"github.com/tpgen/tpgen/runtime/internal/quote"
	"github.com/tpgen/tpgen/runtime/token"
	"golang.org/x/oauth2"
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
	// Audiences and Resources are sent with token requests, one parameter
	// each (RFC 8693, RFC 8707).
	Audiences []string
	Resources []string
	// SubjectTokenType is the subject_token_type of token exchanges;
	// token.TypeAccessToken when empty.
	SubjectTokenType string
	// RequestedTokenType is the requested_token_type of token exchanges;
	// token.TypeAccessToken when empty.
	RequestedTokenType string
	// ActorTokenEnv names the environment variable that holds an actor token
	// sent with token exchanges (delegation, RFC 8693 §1.1), of type
	// ActorTokenType (token.TypeAccessToken when empty).
	ActorTokenEnv  string
	ActorTokenType string
	// ClientAuth says how the client authenticates at the token endpoint;
	// token.ClientAuthDefault lets the issuer's metadata decide.
	ClientAuth token.ClientAuth
	// APIKeyEnv names the environment variable that holds the key of every
	// apiKey scheme without one of its own (services.yaml's api_key).
	APIKeyEnv string
	// Schemes are the security schemes of the spec that operations name, and
	// Security the requirements of operations that do not state their own:
	// alternatives, each a list of scheme names that are all sent (OpenAPI
	// security requirements). Nil Security leaves the choice to the grant.
	Schemes  []SecurityScheme
	Security [][]string
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
	name         string
	baseURL      string // without trailing slash
	baseHost     string // host[:port] that tokens may be sent to
	baseScheme   string
	hc           *http.Client
	base         http.RoundTripper
	midHeader    string
	timeout      time.Duration
	logger       *slog.Logger
	failureLevel slog.Level // what failed calls and token requests are logged at
	observer     Observer
	starter      CallStarter // observer, when it hears of calls as they start
	retry        RetryPolicy
	anonymous    Grant // what GrantAuto gives anonymous callers; GrantInherit: ErrAnonymous
	maxBody      int64 // bounds the bodies a response reads for the caller
	validate     bool  // check decoded success bodies (WithResponseValidation)

	grant                 Grant
	scopes                []string
	audiences, resources  []string
	clientID, secret      string
	subjectTokenType      string
	requestedTokenType    string
	actorToken, actorType string
	clientAuth            token.ClientAuth
	clientAuthSet         bool   // clientAuth was configured, not left to the issuer's metadata
	tokenURL              string // configured; may be empty when issuer is set
	issuer                string // as configured: what a discovery document must name
	endpointID            string // tokenURL or issuer: part of every cache key
	fetcherID             string // who fetches tokens: part of every cache key
	insecureToken         bool
	insecureHosts         []string // hosts whose token endpoints may use plain http
	insecureWarned        atomic.Bool
	tokenClient           *http.Client
	tokenTimeout          time.Duration
	clock                 func() time.Time // nil: the real clock
	fetcher               token.Fetcher
	endpoint              bool               // fetcher is a *token.Endpoint: it needs a token URL
	source                oauth2.TokenSource // Auth.TokenSource: the service's own tokens

	schemes  map[string]*scheme // by name
	security [][]string
	// secretHeaders, secretCookies and secretQuery name where the service's
	// API keys go, so that no redirect carries them to another origin.
	secretHeaders, secretCookies, secretQuery []string

	tokens *token.Cache
	// plans caches each operation's plan (see DESIGN.md on why a map and a lock).
	plansMu sync.RWMutex
	plans   map[any]*plan
}

// NewService builds the runtime for a service from its generated defaults,
// environment variables (see EnvPrefix) and options, in rising precedence.
// Generated New functions call it. An error lists every problem found, each
// naming what to set.
func NewService(def ServiceConfig, opts ...Option) (*Service, error) {
	st := &settings{ServiceConfig: def}
	st.Scopes = slices.Clone(def.Scopes)
	for _, o := range opts {
		o(st)
	}
	if st.lookupEnv == nil {
		st.lookupEnv = os.LookupEnv
		st.environ = os.Environ
	}
	envErrs := st.applyEnv()
	return newService(st, envErrs)
}

func newService(st *settings, problems []error) (*Service, error) {
	name := st.Name
	if name == "" {
		name = "service"
	}
	prefix := EnvPrefix(name)
	fail := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	tc := st.tokens
	s := &Service{
		name:               name,
		midHeader:          st.MessageIDHeader,
		timeout:            st.Timeout,
		logger:             st.logger,
		failureLevel:       slog.LevelDebug,
		observer:           st.observer,
		retry:              st.retry.withDefaults(),
		anonymous:          st.anonymous,
		maxBody:            st.maxBody,
		validate:           st.ValidateResponses,
		grant:              st.Grant,
		scopes:             st.Scopes,
		audiences:          st.Audiences,
		resources:          st.Resources,
		clientID:           st.ClientID,
		secret:             st.clientSecret,
		subjectTokenType:   st.SubjectTokenType,
		requestedTokenType: st.RequestedTokenType,
		actorToken:         st.actorToken,
		actorType:          st.ActorTokenType,
		clientAuth:         st.ClientAuth,
		clientAuthSet:      st.ClientAuth != token.ClientAuthDefault,
		tokenURL:           st.TokenURL,
		issuer:             st.Issuer,
		insecureToken:      tc.AllowInsecureHTTP,
		tokenTimeout:       tc.Timeout,
		clock:              tc.Now,
		source:             st.source,
		security:           st.Security,
	}
	if s.source != nil && (s.grant == GrantInherit || s.grant == GrantNone) {
		s.grant = GrantClientCredentials // the source is the service's own identity
	}
	if st.failureLevel != nil {
		s.failureLevel = *st.failureLevel
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if st.BaseURL == "" {
		fail("no base URL: set base_url in services.yaml, %sBASE_URL, or pass runtime.WithBaseURL", prefix)
	} else if bu, err := url.Parse(st.BaseURL); err == nil && bu.User != nil || err != nil && strings.Contains(st.BaseURL, "@") {
		// Not quoted: it may hold a password. In https://a.example.com@b.example.net
		// the host is b.example.net, where every call and token would go.
		fail("base URL must not contain a user name or password (user@host): set base_url in services.yaml, %sBASE_URL, or pass runtime.WithBaseURL", prefix)
	} else if err != nil || (bu.Scheme != "http" && bu.Scheme != "https") || bu.Host == "" {
		fail("base URL %q is not an absolute http(s) URL: set base_url in services.yaml, %sBASE_URL, or pass runtime.WithBaseURL", quote.Truncate(st.BaseURL, 200), prefix)
	} else {
		s.baseURL, s.baseHost, s.baseScheme = strings.TrimSuffix(st.BaseURL, "/"), bu.Host, bu.Scheme
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
	s.starter, _ = s.observer.(CallStarter)
	if err := checkAnonymous(s.anonymous); err != nil {
		fail("%v", err)
	}
	hosts, err := insecureHostList(st.insecureHosts)
	if err != nil {
		fail("%s (%sINSECURE_TOKEN_HOSTS, runtime.Auth{InsecureTokenHosts})", err, prefix)
	}
	s.insecureHosts = hosts
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
		if err := s.checkTokenURL(u, true); err != nil {
			fail("%v", err)
		}
	}
	s.fetcher = tc.Fetcher
	if s.fetcher == nil {
		s.fetcher = &token.Endpoint{HTTPClient: s.tokenClient, Now: tc.Now}
	}
	te, isEndpoint := s.fetcher.(*token.Endpoint)
	s.endpoint = isEndpoint
	if needsToken(s.grant) && isEndpoint && (s.source == nil || s.grant != GrantClientCredentials) {
		what := s.grant.String()
		if s.endpointID == "" {
			fail("grant %s needs a token endpoint: set auth.issuer or auth.token_url in services.yaml, %sISSUER or %sTOKEN_URL, or pass runtime.Auth{Issuer: ...} or {TokenURL: ...}", what, prefix, prefix)
		}
		if s.clientID == "" {
			fail("grant %s needs a client id: %s", what, st.credentialHint("id", "CLIENT_ID", st.ClientIDEnv))
		}
		if s.secret == "" && te.Authenticate == nil {
			fail("grant %s needs a client secret: %s", what, st.credentialHint("secret", "CLIENT_SECRET", st.ClientSecretEnv))
		}
	}
	s.schemes, s.secretHeaders, s.secretCookies, s.secretQuery = st.resolveSchemes(fail)
	s.checkSecurity(fail)
	if tc.Store == nil {
		if tc.Store, err = st.tokenStore(); err != nil {
			fail("%v", err)
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	s.fetcherID = fetcherID(s.fetcher, tc.Fetcher == nil)
	tc.Fetcher = s.fetcher
	s.tokens = token.NewCache(tc, s.reportToken)
	st.warnUnknownEnv(s)
	return s, nil
}

func needsToken(g Grant) bool {
	return g == GrantClientCredentials || g == GrantTokenExchange || g == GrantAuto
}

// checkTokenURL refuses a token endpoint or issuer over plain http unless it
// is loopback, one of the insecure token hosts, or token.Config.AllowInsecureHTTP
// was set: client secrets and tokens travel there. A host allowed by name is
// logged at warn: once for the configured ones (configured), once for the
// first discovered one.
func (s *Service) checkTokenURL(raw string, configured bool) error {
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
		return fmt.Errorf("token endpoint or issuer %q: scheme must be https", quote.Truncate(raw, 200))
	case s.insecureToken || loopback.Is(u.Hostname()):
		return nil
	case slices.Contains(s.insecureHosts, strings.ToLower(u.Hostname())):
		if configured || !s.insecureWarned.Swap(true) {
			s.logger.LogAttrs(context.Background(), slog.LevelWarn, "tpgen: token endpoint over plain http allowed by name",
				slog.String("service", s.name), slog.String("url", u.Redacted()),
				slog.String("allowed_by", EnvPrefix(s.name)+"INSECURE_TOKEN_HOSTS or runtime.Auth{InsecureTokenHosts}"))
		}
		return nil
	}
	return fmt.Errorf("token endpoint or issuer %q uses plain http on a host that is not loopback; use https, or name the host in %sINSECURE_TOKEN_HOSTS (runtime.Auth{InsecureTokenHosts}) for an identity provider on a local network", quote.Truncate(raw, 200), EnvPrefix(s.name))
}

// insecureHostList checks the hosts named to allow plain http token
// endpoints: host names or addresses, no schemes, ports, paths or patterns.
func insecureHostList(hosts []string) ([]string, error) {
	var out []string
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if strings.ContainsAny(h, "*?/:@[] ") || !validHost(h) {
			return nil, fmt.Errorf("insecure token host %q is not a host name: name each host (keycloak, idp.local), without scheme, port or wildcard", quote.Truncate(h, 100))
		}
		out = append(out, h)
	}
	return out, nil
}

// validHost reports whether h is made of the letters, digits, dots and
// hyphens of host names and IPv4 addresses.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
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
			s.dropCredentials(req)
		}
		return nil
	}
	return &cp, base
}

// dropCredentials removes from a redirected request to another origin
// whatever the runtime may have sent: the Authorization header, the API keys
// of the service's security schemes in headers and cookies, and in the query
// should the Location have copied them.
func (s *Service) dropCredentials(req *http.Request) {
	req.Header.Del("Authorization")
	// net/http sets Referer to the URL redirected from, whose query may hold
	// an API key (and whose path is the service's business).
	req.Header.Del("Referer")
	if co := callOptionsFrom(req.Context()); co != nil {
		for h := range co.header { // CallHeader's, which may carry a secret too
			req.Header.Del(h)
		}
	}
	for _, h := range s.secretHeaders {
		req.Header.Del(h)
	}
	if len(s.secretCookies) > 0 && req.Header.Get("Cookie") != "" {
		var keep []string
		for _, c := range req.Cookies() {
			if !slices.Contains(s.secretCookies, c.Name) {
				keep = append(keep, c.String())
			}
		}
		req.Header.Del("Cookie")
		if len(keep) > 0 {
			req.Header.Set("Cookie", strings.Join(keep, "; "))
		}
	}
	if len(s.secretQuery) > 0 && req.URL.RawQuery != "" {
		q := req.URL.Query()
		for _, name := range s.secretQuery {
			q.Del(name)
		}
		req.URL.RawQuery = q.Encode()
	}
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
