package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tpgen/tpgen/internal/envname"
	"github.com/tpgen/tpgen/internal/loopback"
)

// Operation is what generated code knows about one operation: its name, its HTTP
// shape, and the auth that services.yaml and the spec's security give it.
type Operation struct {
	ID     string // the operationId, e.g. "getOrder"
	Method string
	Path   string // the path template, e.g. "/orders/{id}"
	// Query is a query the spec wrote into the path (/responses/compact?beta=true:
	// beta=true), URL-encoded; it is sent before the parameters' query.
	Query string
	// Grant is the operation's own grant; GrantInherit uses the service's. The
	// generator sets GrantNone for an operation whose security is explicitly empty.
	Grant Grant
	// Scopes replace the service's scopes when not nil.
	Scopes []string
	// Audience and Resource replace the service's when set.
	Audience string
	Resource string
	// Responses are the declared responses, read by Call.
	Responses []ResponseSpec

	// What Invoke needs to build the request and fill a result struct.

	// Params are the path parameters in the order of the method's arguments,
	// then the fields of its params struct in order.
	Params []Param
	// RequestBody is how the body is sent, with ContentType; BodyNone: none.
	RequestBody BodyKind
	ContentType string
	// Accept lists the media types of the declared responses.
	Accept string
	// Result describes the result struct; nil when the method returns one
	// value or none.
	Result *ResultSpec
}

// Service is the runtime side of one generated client: its configuration,
// token cache and HTTP client. It is safe for concurrent use; create one per
// service and reuse it.
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
	retry      RetryPolicy
	anonymous  Grant // what GrantAuto gives anonymous callers; GrantInherit: ErrAnonymous
	maxBody    int64 // bounds the bodies Response reads for the caller

	grant              Grant
	scopes             []string
	audience, resource string
	clientID, secret   string
	subjectTokenType   string
	requestedTokenType string
	clientAuth         ClientAuthMethod
	tokenURL           string // configured; may be empty when issuer is set
	issuer             string // without trailing slash: metadata URLs are built from it
	issuerID           string // as configured: what a discovery document must name
	endpointID         string // tokenURL or issuer: part of every cache key
	fetcherID          string // who fetches tokens: part of every cache key
	insecureToken      bool
	tokenClient        *http.Client
	discoveryClient    *http.Client // tokenClient, following same-origin redirects only

	tokens *tokenManager
	// plans caches each operation's plan. A map and a lock rather than a
	// sync.Map: generated packages hold a *Service, and Go compiles the
	// generic types inside sync.Map (about 100 functions) again in every
	// package that refers to a type containing it.
	plansMu sync.RWMutex
	plans   map[*Operation]*plan
	rawOp   Operation
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

// EnvPrefix returns the prefix of the environment variables that override a
// service's configuration: TPGEN_ and the service name in upper case with every
// other character than A-Z and 0-9 replaced by '_' (orders-v2 -> TPGEN_ORDERS_V2_).
func EnvPrefix(service string) string { return envname.Prefix(service) }

// EnvVars lists the suffixes of the variables EnvPrefix introduces.
var EnvVars = envname.Vars

func (st *settings) applyEnv() error {
	// Variables named in services.yaml (${VAR}) first, then TPGEN_<SERVICE>_*.
	if st.ClientIDEnv != "" && !st.set["CLIENT_ID"] {
		if v, ok := st.lookupEnv(st.ClientIDEnv); ok {
			st.ClientID = v
		}
	}
	if st.ClientSecretEnv != "" && !st.set["CLIENT_SECRET"] {
		if v, ok := st.lookupEnv(st.ClientSecretEnv); ok {
			st.clientSecret = v
		}
	}
	prefix := EnvPrefix(st.Name)
	for _, name := range EnvVars {
		if st.set[name] {
			continue
		}
		v, ok := st.lookupEnv(prefix + name)
		if !ok {
			continue
		}
		switch name {
		case "BASE_URL":
			st.BaseURL = v
		case "TOKEN_URL":
			st.TokenURL = v
		case "ISSUER":
			st.Issuer = v
		case "CLIENT_ID":
			st.ClientID = v
		case "CLIENT_SECRET":
			st.clientSecret = v
		case "GRANT":
			g, err := ParseGrant(v)
			if err != nil {
				return fmt.Errorf("%s%s: %w", prefix, name, err)
			}
			st.Grant = g
		case "SCOPES":
			st.Scopes = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
		case "AUDIENCE":
			st.Audience = v
		case "RESOURCE":
			st.Resource = v
		case "TIMEOUT":
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("%s%s: %q is not a duration such as 30s", prefix, name, v)
			}
			st.Timeout = d
		case "MAX_RESPONSE_BYTES":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return fmt.Errorf("%s%s: %q is not a positive number of bytes such as 33554432", prefix, name, v)
			}
			st.maxBody = n
		}
	}
	return nil
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
		issuer:             strings.TrimSuffix(st.Issuer, "/"),
		issuerID:           st.Issuer,
		insecureToken:      st.insecureToken,
	}
	s.rawOp = Operation{ID: "http"}
	if s.timeout == 0 && !st.set["TIMEOUT"] {
		s.timeout = DefaultTimeout // WithTimeout(0) alone turns the bound off
	}
	if s.midHeader == "" {
		s.midHeader = DefaultMessageIDHeader
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxResponseBytes
	}
	s.midHeader = http.CanonicalHeaderKey(s.midHeader) // send assigns it without Header.Set
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if err := checkAnonymous(s.anonymous); err != nil {
		return nil, fail("%v", err)
	}
	s.hc, s.base = s.copyClient(st.httpClient)
	s.tokenClient = st.tokenClient
	if s.tokenClient == nil {
		s.tokenClient = s.hc
	}
	s.discoveryClient = sameOriginClient(s.tokenClient)
	s.endpointID = s.tokenURL
	if s.endpointID == "" && s.issuer != "" {
		s.endpointID = "issuer:" + s.issuerID
	}
	for _, u := range []string{s.tokenURL, s.issuer} {
		if err := s.checkTokenURL(u); err != nil {
			return nil, fail("%v", err)
		}
	}
	if needsToken(s.grant) && st.fetcher == nil {
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
	fetcher := st.fetcher
	if fetcher == nil {
		fetcher = &TokenEndpoint{HTTPClient: s.tokenClient, Now: st.clock}
	}
	s.fetcherID = fetcherID(fetcher, st.fetcher == nil)
	clock := st.clock
	if clock == nil {
		clock = time.Now
	}
	store := st.store
	if store == nil {
		max := st.exchangeMax
		if max == 0 {
			max = DefaultExchangeCacheSize
		}
		ms := NewMemoryStore(max)
		ms.now = clock
		store = ms
	}
	s.tokens = newTokenManager(&tokenManager{
		store:           store,
		fetcher:         fetcher,
		now:             clock,
		realClock:       st.clock == nil,
		margin:          orDefault(st.expiryMargin, DefaultExpiryMargin),
		defaultLifetime: orDefault(st.defaultLifetime, DefaultTokenLifetime),
		timeout:         orDefault(st.tokenTimeout, DefaultTokenTimeout),
		logger:          s.logger,
		observer:        s.observer,
		maxStates:       st.exchangeMax,
	})
	return s, nil
}

func (st *settings) credentialHint(what, suffix, named string) string {
	hint := ""
	if named != "" {
		hint = "set " + named + " or "
	} else {
		hint = "set "
	}
	return fmt.Sprintf("%s%s%s, or pass runtime.WithClientCredentials (client %s is empty)", hint, EnvPrefix(st.Name), suffix, what)
}

func needsToken(g Grant) bool {
	return g == GrantClientCredentials || g == GrantTokenExchange || g == GrantAuto
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// checkTokenURL refuses a token endpoint or issuer over plain http unless it is
// loopback or WithInsecureTokenURL was given: client secrets and tokens travel there.
func (s *Service) checkTokenURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("token endpoint or issuer %q is not an absolute URL", truncate(raw, 200))
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
	return fmt.Errorf("token endpoint or issuer %q uses plain http on a host that is not loopback; use https, or pass runtime.WithInsecureTokenURL to allow it", raw)
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

// plan is an operation's settled auth: grant, scopes and token cache keys.
type plan struct {
	op                 *Operation
	grant              Grant
	scopes             []string
	audience, resource string
	ccKey              string // cache key for client credentials
	txPrefix           string // cache key prefix for token exchange
}

func (s *Service) plan(op *Operation) *plan {
	s.plansMu.RLock()
	p, ok := s.plans[op]
	s.plansMu.RUnlock()
	if ok {
		return p
	}
	p = &plan{op: op, grant: op.Grant, scopes: op.Scopes, audience: op.Audience, resource: op.Resource}
	if p.audience == "" {
		p.audience = s.audience
	}
	if p.resource == "" {
		p.resource = s.resource
	}
	if p.grant == GrantInherit {
		p.grant = s.grant
	}
	if p.scopes == nil {
		p.scopes = s.scopes
	}
	p.scopes = slices.Clone(p.scopes)
	slices.Sort(p.scopes)
	p.scopes = slices.Compact(p.scopes)
	fields := []string{s.name, s.fetcherID, s.endpointID, s.clientID, strconv.Itoa(int(s.clientAuth)),
		strings.Join(p.scopes, " "), p.audience, p.resource}
	p.ccKey = cacheKey("cc", fields...)
	p.txPrefix = cacheKey("tx", append(fields, s.subjectTokenType, s.requestedTokenType)...) + "|"
	s.plansMu.Lock()
	defer s.plansMu.Unlock()
	if first, ok := s.plans[op]; ok {
		return first // another call planned op meanwhile: keep one plan per operation
	}
	if s.plans == nil {
		s.plans = map[*Operation]*plan{}
	}
	s.plans[op] = p
	return p
}

// authorize returns the Authorization value for a call of p, the token it came
// from and its cache key (for invalidation), and records the grant. now is the
// current time by the real clock.
func (s *Service) authorize(ctx context.Context, p *plan, rec *Record, mid string, now time.Time) (string, *Token, string, error) {
	if ca := callAuthFrom(ctx); ca != nil {
		if ca.skip {
			rec.Grant = GrantNone
			return "", nil, "", nil
		}
		rec.Grant = GrantPassthrough
		return "Bearer " + ca.token, nil, "", nil
	}
	g := p.grant
	subject := ""
	if g == GrantAuto || g == GrantTokenExchange || g == GrantPassthrough {
		subject = SubjectToken(ctx)
	}
	if g == GrantAuto {
		var err error
		if g, err = s.autoGrant(ctx, subject); err != nil {
			rec.Grant = g
			return "", nil, "", fmt.Errorf("grant auto: %w", err)
		}
	}
	rec.Grant = g
	var key string
	switch g {
	case GrantNone, GrantInherit:
		rec.Grant = GrantNone
		return "", nil, "", nil
	case GrantPassthrough:
		if subject == "" {
			return "", nil, "", fmt.Errorf("grant passthrough: %w", noCallerToken(ctx))
		}
		return "Bearer " + subject, nil, "", nil
	case GrantClientCredentials:
		key = p.ccKey
	case GrantTokenExchange:
		if subject == "" {
			return "", nil, "", fmt.Errorf("grant token_exchange: %w", noCallerToken(ctx))
		}
		sum := sha256.Sum256([]byte(subject))
		key = p.txPrefix + hex.EncodeToString(sum[:])
	}
	if !s.tokens.realClock {
		now = s.tokens.now()
	}
	if t, ok := s.tokens.store.Load(key); ok && s.tokens.phase(t, now) == tokenFresh {
		rec.TokenCache = true
		return t.authorization(), t, key, nil
	}
	req, err := s.tokenRequest(ctx, p, g, subject, mid)
	if err != nil {
		return "", nil, "", err
	}
	t, hit, err := s.tokens.get(ctx, key, req)
	if err != nil {
		return "", nil, "", err
	}
	rec.TokenCache = hit
	return t.authorization(), t, key, nil
}

func (s *Service) tokenRequest(ctx context.Context, p *plan, g Grant, subject, mid string) (*TokenRequest, error) {
	r := &TokenRequest{
		Grant: g, ClientID: s.clientID, ClientSecret: s.secret, Scopes: p.scopes,
		Audience: p.audience, Resource: p.resource, ClientAuth: s.clientAuth,
		Service: s.name, Operation: p.op.ID, MessageID: mid, MessageIDHeader: s.midHeader,
	}
	if g == GrantTokenExchange {
		r.SubjectToken, r.SubjectTokenType, r.RequestedTokenType = subject, s.subjectTokenType, s.requestedTokenType
	}
	if te, isEndpoint := s.tokens.fetcher.(*TokenEndpoint); isEndpoint {
		prefix := EnvPrefix(s.name)
		var missing error
		switch {
		case s.endpointID == "":
			missing = fmt.Errorf("no token endpoint configured: set auth.issuer or auth.token_url, %sISSUER or %sTOKEN_URL", prefix, prefix)
		case te.Authenticate != nil:
			// The client authenticates its own way (private_key_jwt, mTLS): no secret needed.
		case s.clientID == "" || s.secret == "":
			missing = fmt.Errorf("no client credentials configured: set %sCLIENT_ID and %sCLIENT_SECRET or pass runtime.WithClientCredentials", prefix, prefix)
		}
		if missing != nil {
			return nil, &TokenError{Service: s.name, Operation: p.op.ID, Grant: g, MessageID: mid, Err: missing}
		}
	}
	if s.endpointID == "" {
		return r, nil // a custom fetcher that needs no endpoint
	}
	u, err := s.tokenEndpoint(ctx, mid)
	if err != nil {
		return nil, &TokenError{Service: s.name, Operation: p.op.ID, Grant: g, TokenURL: s.issuerID, MessageID: mid, Err: err}
	}
	r.TokenURL = u
	return r, nil
}

// Request is the HTTP side of one call, as generated code fills it.
type Request struct {
	// Path is the expanded, escaped path, appended to the base URL ("/orders/42").
	Path     string
	RawQuery string
	Header   http.Header // extra headers: header parameters, cookies
	// Body is a request body that can be sent again; BodyStream one that cannot
	// (an io.Reader upload); JSON and Form are values Do encodes as JSON or as
	// application/x-www-form-urlencoded (see FormBody). At most one is set.
	// A BodyStream that is an io.Closer is closed when the call fails before
	// it was read to its end (so that a Multipart writer is released); one that
	// was sent whole is left open.
	Body        []byte
	BodyStream  io.Reader
	JSON        any
	Form        any
	ContentType string
	Accept      string
}

// Do sends one call of op and returns its response, whatever its status, or an
// error when no response was received (*CallError, *TokenError). The caller must
// Close the response.
func (s *Service) Do(ctx context.Context, op *Operation, r *Request) (*Response, error) {
	// The Response is allocated up front: it holds the call's Record too.
	out := &Response{s: s}
	rec := &out.record
	*rec = Record{Service: s.name, Operation: op.ID, Method: op.Method, Path: op.Path, start: time.Now()}
	mid := MessageID(ctx)
	if mid == "" {
		mid = NewMessageID()
	}
	rec.MessageID = mid
	cancel := context.CancelFunc(nil)
	if s.timeout > 0 {
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > s.timeout {
			ctx, cancel = context.WithTimeout(ctx, s.timeout)
		}
	}
	var req *http.Request
	fail := func(err error) (*Response, error) {
		if cancel != nil {
			cancel()
		}
		if c, ok := r.BodyStream.(io.Closer); ok && !streamRead(req) {
			c.Close() // never sent: release whatever feeds it (Multipart's writer)
		}
		rec.Err = err
		s.finish(ctx, rec)
		return nil, err
	}
	u := s.baseURL + r.Path
	if r.RawQuery != "" {
		u += "?" + r.RawQuery
	}
	req, err := http.NewRequestWithContext(ctx, op.Method, u, nil)
	if err != nil {
		req = nil
		return fail(s.callError(op, mid, fmt.Errorf("building request: %w", err)))
	}
	if len(r.Header) > 0 {
		for k, v := range r.Header {
			req.Header[k] = v
		}
	}
	body := r.Body
	switch {
	case r.JSON != nil:
		b, err := json.Marshal(r.JSON)
		if err != nil {
			return fail(s.callError(op, mid, fmt.Errorf("encoding the request body: %w", err)))
		}
		body = b
	case r.Form != nil:
		b, err := FormBody(r.Form)
		if err != nil {
			return fail(s.callError(op, mid, err))
		}
		body = b
	}
	switch {
	case body != nil:
		req.ContentLength = int64(len(body))
		req.Body = io.NopCloser(bytesReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytesReader(body)), nil }
	case r.BodyStream != nil:
		req.Body = &uploadBody{r: r.BodyStream}
		req.ContentLength = -1
	}
	// Canonical keys, assigned directly: what Header.Set does, without the checks.
	if r.ContentType != "" {
		req.Header["Content-Type"] = []string{r.ContentType}
	}
	if r.Accept != "" {
		req.Header["Accept"] = []string{r.Accept}
	}
	gzipAsked := askGzip(req, s.base)
	resp, err := s.send(ctx, s.plan(op), rec, req, s.hc.Do)
	if err != nil {
		return fail(err)
	}
	out.Response, out.rec, out.ctx, out.cancel = resp, rec, ctx, cancel
	out.body.open(resp, gzipAsked)
	out.sent = sentCredential(req)
	return out, nil
}

func (s *Service) callError(op *Operation, mid string, err error) error {
	return &CallError{Service: s.name, Operation: op.ID, MessageID: mid, Err: err}
}

// send runs the attempts of one call: message id, authentication, retries.
// req is owned by send and may be reused between attempts.
func (s *Service) send(ctx context.Context, p *plan, rec *Record, req *http.Request, roundTrip func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	req.Header[s.midHeader] = []string{rec.MessageID} // midHeader is canonical
	if s.retry.AddIdempotencyKey && (req.Method == http.MethodPost || req.Method == http.MethodPatch) &&
		req.Header.Get(s.retry.IdempotencyKeyHeader) == "" {
		// One key for every attempt of the call: that is what makes a retry safe.
		req.Header.Set(s.retry.IdempotencyKeyHeader, newIdempotencyKey())
	}
	own := s.ownRequest(req)
	retried401 := false
	for attempt := 1; ; attempt++ {
		rec.Attempts = attempt
		var tok *Token
		var key string
		// Phases are timed as offsets from rec.start: time.Since reads only the
		// monotonic clock, which is cheaper than time.Now.
		var t1 time.Duration
		if own {
			t0 := time.Since(rec.start)
			// rec.start+t0 is the time now, without reading the clock again.
			auth, t, k, err := s.authorize(ctx, p, rec, rec.MessageID, rec.start.Add(t0))
			t1 = time.Since(rec.start)
			rec.Token += t1 - t0
			if err != nil {
				// Nothing is sent: the body is closed here, as a RoundTripper must.
				if req.Body != nil {
					req.Body.Close()
				}
				var te *TokenError
				if errors.As(err, &te) {
					return nil, err
				}
				return nil, s.callError(p.op, rec.MessageID, err)
			}
			tok, key = t, k
			if auth != "" {
				req.Header["Authorization"] = []string{auth}
			} else {
				req.Header.Del("Authorization")
			}
		} else {
			req.Header.Del("Authorization")
			rec.Grant = GrantNone
			t1 = time.Since(rec.start)
		}
		resp, err := roundTrip(req)
		rec.RoundTrip += time.Since(rec.start) - t1
		if resp != nil {
			rec.Status = resp.StatusCode
		}
		// A rejected token is forgotten, and the call tried once more with a
		// fresh one (see reauthorize for how often).
		if err == nil && resp.StatusCode == http.StatusUnauthorized && tok != nil && !retried401 &&
			s.tokens.reauthorize(key, tok) && rewind(req) {
			retried401 = true
			discard(resp)
			continue
		}
		delay, again := s.retry.next(ctx, req, resp, err, attempt)
		if !again || !rewind(req) {
			if err != nil {
				return nil, s.callError(p.op, rec.MessageID, err)
			}
			return resp, nil
		}
		if resp != nil {
			discard(resp)
		}
		if !sleep(ctx, delay) {
			if err == nil {
				err = ctx.Err()
			}
			return nil, s.callError(p.op, rec.MessageID, err)
		}
	}
}

// uploadBody is a request body that can be sent once (Request.BodyStream).
// The transport closes it after sending or on failure; it closes the stream
// only when the stream was not read to its end, so that a writer feeding it (a
// Multipart pipe) is released rather than blocked for ever, and a stream that
// was sent whole stays the caller's to close.
type uploadBody struct {
	r    io.Reader
	done atomic.Bool // read to EOF
}

func (u *uploadBody) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if err == io.EOF {
		u.done.Store(true)
	}
	return n, err
}

func (u *uploadBody) Close() error {
	if c, ok := u.r.(io.Closer); ok && !u.done.Load() {
		return c.Close()
	}
	return nil
}

// streamRead reports whether req's stream body was read to its end.
func streamRead(req *http.Request) bool {
	if req == nil {
		return false
	}
	u, ok := req.Body.(*uploadBody)
	return ok && u.done.Load()
}

// sentCredential returns the credential of req's Authorization header: the
// token the runtime sent, which error bodies must not show.
func sentCredential(req *http.Request) string {
	v := req.Header.Get("Authorization")
	if i := strings.IndexByte(v, ' '); i >= 0 {
		v = v[i+1:]
	}
	return v
}

// newIdempotencyKey returns a random UUID (version 4) for RetryPolicy.AddIdempotencyKey.
func newIdempotencyKey() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[:8], b[:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// rewind prepares req's body for another attempt; false when it cannot be sent again.
func rewind(req *http.Request) bool {
	if req.Body == nil || req.Body == http.NoBody {
		return true
	}
	if req.GetBody == nil {
		return false
	}
	b, err := req.GetBody()
	if err != nil {
		return false
	}
	req.Body = b
	return true
}

// discard reads a little of a response that is dropped, so that its connection
// can be reused, and closes it.
func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 4096)
	resp.Body.Close()
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
