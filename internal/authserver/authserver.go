// Package authserver runs a real OAuth 2.0 / OpenID Connect provider in-process,
// for tpgen's runtime tests and demo programs: zitadel/oidc's op package (the
// same code a production zitadel-based provider runs) behind an
// httptest.Server on loopback.
//
// It serves discovery (/.well-known/openid-configuration), a JWKS (/keys) and a
// token endpoint (/oauth/token) with the client_credentials grant and RFC 8693
// token exchange. Access tokens are RS256 JWTs with a lifetime that can be as
// short as a second, so that refresh can be tested. On top of the provider it
// adds what tests need and a real provider lacks: counters of token and
// discovery requests, a log of token requests (without secrets or tokens),
// fault injection at the token endpoint, IssueToken to mint callers' tokens,
// and Verify, which checks a bearer token as a resource server would.
//
// It is not meant for production: clients live in memory, the signing key is
// made at start, and any opaque subject token is accepted for exchange.
package authserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/crypto"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Grant type names as they appear in a token request's grant_type.
const (
	GrantClientCredentials = "client_credentials"
	GrantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange"
)

// Default clients, registered when no WithClient option is given.
const (
	// DefaultCCClientID may use client credentials only.
	DefaultCCClientID     = "cc-client"
	DefaultCCClientSecret = "cc-secret-7Qm2xV9pLw"
	// DefaultTXClientID may use token exchange and client credentials (one
	// client serves both under tpgen's grant "auto").
	DefaultTXClientID     = "tx-client"
	DefaultTXClientSecret = "tx-secret-Kd83nZr1Ty"
)

// DefaultTokenLifetime is the lifetime of issued access tokens unless
// WithTokenLifetime or SetTokenLifetime says otherwise.
const DefaultTokenLifetime = 5 * time.Minute

// Paths served by the provider, relative to the issuer.
const (
	DiscoveryPath = "/.well-known/openid-configuration"
	KeysPath      = "/keys"
	TokenPath     = "/oauth/token"
)

// Client is a registered client.
type Client struct {
	ID, Secret string
	Grants     []string // GrantClientCredentials, GrantTokenExchange
}

// Option configures Start.
type Option func(*config)

type config struct {
	clients     []Client
	lifetime    time.Duration
	authMethods []string
}

// WithClient registers a client allowed the given grants (both when none are
// given). Once any WithClient is given, the default clients are not registered.
func WithClient(id, secret string, grants ...string) Option {
	if len(grants) == 0 {
		grants = []string{GrantClientCredentials, GrantTokenExchange}
	}
	return func(c *config) { c.clients = append(c.clients, Client{ID: id, Secret: secret, Grants: grants}) }
}

// WithTokenEndpointAuthMethods makes discovery announce methods as its
// token_endpoint_auth_methods_supported, and the token endpoint refuse
// HTTP Basic client authentication when they leave out client_secret_basic,
// with the error Ory Hydra gives a client registered for client_secret_post:
// 401 invalid_client, its advice at the end of a long error_description.
func WithTokenEndpointAuthMethods(methods ...string) Option {
	return func(c *config) { c.authMethods = slices.Clone(methods) }
}

// HydraBasicRefused is the error_description of a token request refused by
// WithTokenEndpointAuthMethods for using HTTP Basic.
const HydraBasicRefused = "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method). " +
	"The OAuth 2.0 Client supports client authentication method 'client_secret_post', but method 'client_secret_basic' was requested. " +
	"You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept 'client_secret_basic'."

// WithTokenLifetime sets the lifetime of issued access tokens. expires_in is
// in whole seconds, so use whole seconds (1 s at least).
func WithTokenLifetime(d time.Duration) Option {
	return func(c *config) { c.lifetime = d }
}

// Fault makes the token endpoint misbehave; see SetFault. The zero Fault is
// normal service.
type Fault struct {
	// Status, when not zero, is answered instead of a token, with Body and
	// ContentType (application/json when empty).
	Status      int
	Body        string
	ContentType string
	// Delay holds every token request this long before it is answered.
	Delay time.Duration
	// Hang holds every token request until the client gives up, the fault is
	// changed (SetFault, Reset: held requests are then served under the new
	// fault), or the server closes.
	Hang bool
}

// TokenRequest describes one request to the token endpoint, without the
// client secret or any token.
type TokenRequest struct {
	Time               time.Time
	GrantType          string
	ClientID           string
	ClientAuth         string // "client_secret_basic", "client_secret_post" or "none"
	Scope              string // as sent: space-separated
	Audience           []string
	Resource           []string
	SubjectTokenType   string
	RequestedTokenType string
	HasSubjectToken    bool
	ActorTokenType     string
	HasActorToken      bool
	// Header is the request's header without Authorization.
	Header http.Header
}

// maxLog bounds the token request log.
const maxLog = 1000

// Server is a running provider. Its methods are safe for concurrent use.
type Server struct {
	srv      *httptest.Server
	provider *op.Provider
	store    *store
	issuer   string
	verifier *op.AccessTokenVerifier
	closing  chan struct{}
	closed   sync.Once

	lifetime    atomic.Int64 // time.Duration
	authMethods []string     // announced by discovery when set; see WithTokenEndpointAuthMethods
	faultMu     sync.Mutex
	fault       *Fault
	changed     chan struct{} // closed when the fault changes

	tokens    atomic.Int64
	discovery atomic.Int64
	keys      atomic.Int64
	mu        sync.Mutex
	byGrant   map[string]int64
	log       []TokenRequest
}

// Start runs a provider on a loopback port. Close it when done.
func Start(opts ...Option) (*Server, error) {
	cfg := config{lifetime: DefaultTokenLifetime}
	for _, o := range opts {
		o(&cfg)
	}
	if len(cfg.clients) == 0 {
		cfg.clients = []Client{
			{ID: DefaultCCClientID, Secret: DefaultCCClientSecret, Grants: []string{GrantClientCredentials}},
			{ID: DefaultTXClientID, Secret: DefaultTXClientSecret, Grants: []string{GrantTokenExchange, GrantClientCredentials}},
		}
	}
	if cfg.lifetime < time.Second {
		return nil, fmt.Errorf("authserver: token lifetime %s is shorter than a second", cfg.lifetime)
	}

	s := &Server{closing: make(chan struct{}), changed: make(chan struct{}), byGrant: map[string]int64{}, authMethods: cfg.authMethods}
	s.lifetime.Store(int64(cfg.lifetime))
	s.srv = httptest.NewUnstartedServer(s)
	s.issuer = "http://" + s.srv.Listener.Addr().String()

	// The example storage supplies users, keys and everything the provider
	// needs; store overrides what concerns clients, tokens and exchanges.
	base := storage.NewStorageWithClients(storage.NewUserStore(s.issuer), map[string]*storage.Client{})
	s.store = &store{Storage: base, srv: s, clients: map[string]Client{}}
	for _, c := range cfg.clients {
		s.store.clients[c.ID] = c
	}
	var key [32]byte
	_, _ = rand.Read(key[:])
	p, err := op.NewProvider(&op.Config{CryptoKey: key, AuthMethodPost: true}, s.store,
		op.StaticIssuer(s.issuer), op.WithAllowInsecure())
	if err != nil {
		s.srv.Listener.Close()
		return nil, fmt.Errorf("authserver: %w", err)
	}
	s.provider = p
	// Verify fetches the JWKS over HTTP, as a separate resource server would.
	s.verifier = op.NewAccessTokenVerifier(s.issuer, rp.NewRemoteKeySet(&http.Client{Timeout: 10 * time.Second}, s.issuer+KeysPath))
	s.srv.Start()
	return s, nil
}

// Close stops the server, releasing requests held by a Fault first.
func (s *Server) Close() {
	s.closed.Do(func() {
		close(s.closing)
		s.srv.Close()
	})
}

// Issuer returns the issuer URL, without a trailing slash: what discovery
// announces, what tokens carry in iss, and what runtime.Auth{Issuer} takes.
func (s *Server) Issuer() string { return s.issuer }

// TokenURL returns the token endpoint.
func (s *Server) TokenURL() string { return s.issuer + TokenPath }

// Clients returns the registered clients.
func (s *Server) Clients() []Client {
	out := make([]Client, 0, len(s.store.clients))
	for _, c := range s.store.clients {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Client) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// SetTokenLifetime changes the lifetime of tokens issued from now on.
func (s *Server) SetTokenLifetime(d time.Duration) { s.lifetime.Store(int64(d)) }

// SetFault makes the token endpoint misbehave as f says until Reset or the next SetFault.
func (s *Server) SetFault(f Fault) { s.setFault(&f) }

// Reset returns the token endpoint to normal service, also for held requests.
func (s *Server) Reset() { s.setFault(nil) }

func (s *Server) setFault(f *Fault) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.fault = f
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) currentFault() (*Fault, <-chan struct{}) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return s.fault, s.changed
}

// TokenRequests returns how many requests reached the token endpoint.
func (s *Server) TokenRequests() int64 { return s.tokens.Load() }

// TokenRequestsFor returns how many token requests had grant_type grant.
func (s *Server) TokenRequestsFor(grant string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byGrant[grant]
}

// DiscoveryRequests returns how many times the discovery document was fetched.
func (s *Server) DiscoveryRequests() int64 { return s.discovery.Load() }

// KeysRequests returns how many times the JWKS was fetched.
func (s *Server) KeysRequests() int64 { return s.keys.Load() }

// TokenLog returns the last token requests (up to 1000), oldest first.
func (s *Server) TokenLog() []TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TokenRequest(nil), s.log...)
}

// ResetCounters sets all counters to zero and empties the token request log.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens.Store(0)
	s.discovery.Store(0)
	s.keys.Store(0)
	clear(s.byGrant)
	s.log = nil
}

type audienceKey struct{}

// ServeHTTP counts requests, applies faults and hands everything else to the provider.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case DiscoveryPath:
		s.discovery.Add(1)
		if s.authMethods != nil {
			s.serveDiscovery(w, r)
			return
		}
	case KeysPath:
		s.keys.Add(1)
	case TokenPath:
		if r.Method != http.MethodPost {
			break
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		s.record(r)
		if !s.applyFault(w, r) {
			return
		}
		if _, _, basic := r.BasicAuth(); basic && s.authMethods != nil && !slices.Contains(s.authMethods, "client_secret_basic") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": HydraBasicRefused})
			return
		}
		// zitadel reads token exchange client credentials from Basic auth only;
		// accept client_secret_post too (RFC 6749 §2.3.1) by moving them there.
		if _, _, basic := r.BasicAuth(); !basic && r.PostForm.Get("client_id") != "" && r.PostForm.Get("grant_type") == GrantTokenExchange {
			r.SetBasicAuth(url.QueryEscape(r.PostForm.Get("client_id")), url.QueryEscape(r.PostForm.Get("client_secret")))
		}
		// zitadel's client credentials request has no audience; pass it on to
		// ClientCredentialsTokenRequest through the context.
		if aud := r.PostForm["audience"]; len(aud) > 0 {
			r = r.WithContext(context.WithValue(r.Context(), audienceKey{}, aud))
		}
	}
	s.provider.ServeHTTP(w, r)
}

// record counts a token request and logs it without secrets.
func (s *Server) record(r *http.Request) {
	f := r.PostForm
	tr := TokenRequest{
		Time: time.Now(), GrantType: f.Get("grant_type"), ClientID: f.Get("client_id"), ClientAuth: "none",
		Scope: f.Get("scope"), Audience: f["audience"], Resource: f["resource"],
		SubjectTokenType: f.Get("subject_token_type"), RequestedTokenType: f.Get("requested_token_type"),
		HasSubjectToken: f.Get("subject_token") != "", Header: r.Header.Clone(),
		ActorTokenType: f.Get("actor_token_type"), HasActorToken: f.Get("actor_token") != "",
	}
	tr.Header.Del("Authorization")
	if id, _, ok := r.BasicAuth(); ok {
		tr.ClientAuth = "client_secret_basic"
		if u, err := url.QueryUnescape(id); err == nil {
			tr.ClientID = u
		}
	} else if f.Get("client_secret") != "" {
		tr.ClientAuth = "client_secret_post"
	}
	s.tokens.Add(1)
	s.mu.Lock()
	s.byGrant[tr.GrantType]++
	if len(s.log) >= maxLog {
		s.log = append(s.log[:0], s.log[1:]...)
	}
	s.log = append(s.log, tr)
	s.mu.Unlock()
}

// serveDiscovery serves the provider's discovery document with the
// token_endpoint_auth_methods_supported of WithTokenEndpointAuthMethods.
func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	s.provider.ServeHTTP(rec, r)
	var doc map[string]any
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil {
		http.Error(w, "discovery failed", http.StatusInternalServerError)
		return
	}
	doc["token_endpoint_auth_methods_supported"] = s.authMethods
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

// applyFault acts out the current fault; false when it answered the request.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request) bool {
	f, changed := s.currentFault()
	if f == nil {
		return true
	}
	var wait <-chan time.Time
	switch {
	case f.Hang:
		// wait stays nil: only the client or Close end the request.
	case f.Delay > 0:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		wait = t.C
	default:
		wait = closedTimeChan
	}
	select {
	case <-wait:
	case <-changed:
		return s.applyFault(w, r) // served under the new fault
	case <-r.Context().Done():
		return false
	case <-s.closing:
		http.Error(w, "closing", http.StatusServiceUnavailable)
		return false
	}
	if f.Status == 0 {
		return true
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(f.Body))
	return false
}

var closedTimeChan = func() <-chan time.Time {
	c := make(chan time.Time)
	close(c)
	return c
}()

// IssueToken mints an access token signed with the provider's key, as if the
// provider had issued it to a user who logged in: a caller's token for token
// exchange and passthrough. extra adds claims, for example
// {"userType": "system"}. The token has audience "caller" and the server's
// current token lifetime.
func (s *Server) IssueToken(subject string, extra map[string]any) (string, error) {
	ctx := context.Background()
	exp := s.expiry(time.Now())
	claims := oidc.NewAccessTokenClaims(s.issuer, subject, []string{"caller"}, exp, newID(), "login", 0)
	claims.Claims = extra
	key, err := s.store.SigningKey(ctx)
	if err != nil {
		return "", err
	}
	signer, err := op.SignerFromKey(key)
	if err != nil {
		return "", err
	}
	return crypto.Sign(claims, signer)
}

// Claims is what Verify found in a valid access token.
type Claims struct {
	Issuer   string
	Subject  string
	Audience []string
	ClientID string
	Scopes   []string
	// Actor is act.sub: the client that exchanged the token (RFC 8693 §4.1);
	// empty for tokens that were not exchanged.
	Actor    string
	Expiry   time.Time
	IssuedAt time.Time
	// All holds every claim, registered or not (userType, for example).
	All map[string]any
}

// HasAudience reports whether aud is one of the token's audiences.
func (c *Claims) HasAudience(aud string) bool {
	for _, a := range c.Audience {
		if a == aud {
			return true
		}
	}
	return false
}

// Verify checks an access token as a resource server would: its RS256
// signature against the provider's JWKS (fetched over HTTP), its issuer and
// its expiry. Audience and scopes are the caller's to check.
func (s *Server) Verify(ctx context.Context, token string) (*Claims, error) {
	c, err := op.VerifyAccessToken[*oidc.AccessTokenClaims](ctx, token, s.verifier)
	if err != nil {
		return nil, err
	}
	out := &Claims{
		Issuer: c.Issuer, Subject: c.Subject, Audience: c.Audience, ClientID: c.ClientID,
		Expiry: c.Expiration.AsTime(), IssuedAt: c.IssuedAt.AsTime(), All: c.Claims,
	}
	if sc, ok := c.Claims["scope"].(string); ok && sc != "" {
		out.Scopes = strings.Fields(sc)
	}
	if c.Actor != nil {
		out.Actor = c.Actor.Subject
	}
	return out, nil
}

// SetVerifyLeeway lets Verify accept a token up to d past its expiry, as
// resource servers allow for clock skew and for time spent in transit. Tests
// with lifetimes of seconds on a loaded machine need it where minutes-long
// tokens would not. Call it before verifying concurrently.
func (s *Server) SetVerifyLeeway(d time.Duration) { s.verifier.Offset = -d }

// expiry returns when a token issued at now expires: the lifetime rounded up to
// the next whole second, so that the JWT's exp (whole seconds) is never before
// what expires_in (whole seconds, rounded down) tells the client.
func (s *Server) expiry(now time.Time) time.Time {
	return now.Add(time.Duration(s.lifetime.Load())).Truncate(time.Second).Add(time.Second)
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// store embeds the example storage and overrides what concerns clients, the
// tokens issued and token exchange.
type store struct {
	*storage.Storage
	srv     *Server
	clients map[string]Client // fixed after Start
}

var (
	_ op.ClientCredentialsStorage           = (*store)(nil)
	_ op.TokenExchangeStorage               = (*store)(nil)
	_ op.TokenExchangeTokensVerifierStorage = (*store)(nil)
)

// client is a registered client as the provider sees it: the example's web
// client with our grants, issuing JWT access tokens.
type client struct {
	op.Client
	grants []oidc.GrantType
}

func (c client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }
func (c client) GrantTypes() []oidc.GrantType        { return c.grants }

func (st *store) client(id string) (op.Client, error) {
	c, ok := st.clients[id]
	if !ok {
		return nil, errors.New("client not found")
	}
	grants := make([]oidc.GrantType, len(c.Grants))
	for i, g := range c.Grants {
		grants[i] = oidc.GrantType(g)
	}
	return client{Client: storage.WebClient(c.ID, c.Secret), grants: grants}, nil
}

// GetClientByClientID implements op.Storage.
func (st *store) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	return st.client(id)
}

// AuthorizeClientIDSecret implements op.Storage.
func (st *store) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if c, ok := st.clients[id]; !ok || c.Secret != secret {
		return errors.New("wrong client id or secret")
	}
	return nil
}

// ClientCredentials implements op.ClientCredentialsStorage.
func (st *store) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	if err := st.AuthorizeClientIDSecret(ctx, id, secret); err != nil {
		return nil, err
	}
	return st.client(id)
}

// ClientCredentialsTokenRequest implements op.ClientCredentialsStorage: the
// token's subject is the client, its audience what the request asked for
// (the client itself when nothing).
func (st *store) ClientCredentialsTokenRequest(ctx context.Context, id string, scopes []string) (op.TokenRequest, error) {
	aud, _ := ctx.Value(audienceKey{}).([]string)
	if len(aud) == 0 {
		aud = []string{id}
	}
	return &oidc.JWTTokenRequest{Subject: id, Audience: aud, Scopes: scopes}, nil
}

// CreateAccessToken implements op.Storage with the server's lifetime. Tokens
// are JWTs, so nothing needs keeping.
func (st *store) CreateAccessToken(_ context.Context, _ op.TokenRequest) (string, time.Time, error) {
	return newID(), st.srv.expiry(time.Now()), nil
}

// GetPrivateClaimsFromScopes implements op.Storage: client credentials tokens
// carry the granted scopes.
func (st *store) GetPrivateClaimsFromScopes(_ context.Context, _, _ string, scopes []string) (map[string]any, error) {
	return scopeClaims(scopes), nil
}

func scopeClaims(scopes []string) map[string]any {
	m := map[string]any{}
	if len(scopes) > 0 {
		m["scope"] = strings.Join(scopes, " ")
	}
	return m
}

// ValidateTokenExchangeRequest implements op.TokenExchangeStorage. Unlike the
// example's, it needs no user record for the subject, so that tokens of
// service clients (client credentials) and external tokens can be exchanged.
// zitadel does not check the client's grants for token exchange; this does.
// Only access tokens are issued.
func (st *store) ValidateTokenExchangeRequest(_ context.Context, r op.TokenExchangeRequest) error {
	if !slices.Contains(st.clients[r.GetClientID()].Grants, GrantTokenExchange) {
		return oidc.ErrUnauthorizedClient().WithDescription("client may not exchange tokens")
	}
	switch r.GetRequestedTokenType() {
	case "":
		r.SetRequestedTokenType(oidc.AccessTokenType)
	case oidc.AccessTokenType:
	default:
		return oidc.ErrInvalidRequest().WithDescription("only access tokens are issued here")
	}
	return nil
}

// CreateTokenExchangeRequest implements op.TokenExchangeStorage.
func (st *store) CreateTokenExchangeRequest(context.Context, op.TokenExchangeRequest) error {
	return nil
}

// GetPrivateClaimsFromTokenExchangeRequest implements op.TokenExchangeStorage:
// the exchanged token names its actor (RFC 8693 §4.1): the subject of the
// request's actor_token (delegation), else the exchanging client.
func (st *store) GetPrivateClaimsFromTokenExchangeRequest(_ context.Context, r op.TokenExchangeRequest) (map[string]any, error) {
	m := scopeClaims(r.GetScopes())
	actor := r.GetClientID()
	if a := r.GetExchangeActor(); a != "" {
		actor = a
	}
	m["act"] = map[string]any{"sub": actor}
	return m, nil
}

// VerifyExchangeSubjectToken implements op.TokenExchangeTokensVerifierStorage.
// The provider calls it for subject tokens it did not recognise as its own
// access tokens. Its own JWTs sent with another token type are verified here;
// a JWT of its own that failed verification (expired, tampered) is refused;
// anything else is taken as an external token, whose subject is "ext-" and a
// hash of it (never the token itself).
func (st *store) VerifyExchangeSubjectToken(ctx context.Context, token string, _ oidc.TokenType) (string, string, map[string]any, error) {
	if st.ownJWT(token) {
		c, err := op.VerifyAccessToken[*oidc.AccessTokenClaims](ctx, token, op.NewAccessTokenVerifier(st.srv.issuer, &op.OpenIDKeySet{Storage: st}))
		if err != nil {
			return "", "", nil, err
		}
		return c.JWTID, c.Subject, c.Claims, nil
	}
	sum := sha256.Sum256([]byte(token))
	id := hex.EncodeToString(sum[:8])
	return id, "ext-" + id, nil, nil
}

// VerifyExchangeActorToken implements op.TokenExchangeTokensVerifierStorage the same way.
func (st *store) VerifyExchangeActorToken(ctx context.Context, token string, typ oidc.TokenType) (string, string, map[string]any, error) {
	return st.VerifyExchangeSubjectToken(ctx, token, typ)
}

// ownJWT reports whether token looks like a JWT this server issued (unverified).
func (st *store) ownJWT(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var c struct {
		Iss string `json:"iss"`
	}
	return json.Unmarshal(payload, &c) == nil && c.Iss == st.srv.issuer
}
