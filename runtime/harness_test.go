package runtime_test

// The harness shared by the runtime's integration tests: a real OAuth2 provider
// (internal/authserver), a resource server that verifies every bearer token it
// receives, and an observer that keeps what the runtime reports.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// startProvider runs a provider for the test.
func startProvider(t testing.TB, opts ...authserver.Option) *authserver.Server {
	t.Helper()
	a, err := authserver.Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// apiHit is one request the resource server received.
type apiHit struct {
	Method, Path string
	Auth         string // the Authorization header as received
	Claims       *authserver.Claims
	MessageID    string
	Header       http.Header
	Body         string
	Rejected     string // why the token was refused, if it was
}

// api is a resource server. Every bearer token it receives is verified against
// the provider (signature, issuer, expiry), the audience it expects, and the
// actor: want.Actor for exchanged tokens, none otherwise. A token that fails
// is answered 401 and fails the test unless the test revoked it itself.
type api struct {
	*httptest.Server
	t        testing.TB
	auth     *authserver.Server
	audience string // required audience; "" accepts any
	actor    string // required act.sub; "" requires none
	anyActor bool   // accept tokens with or without act (auto grant)
	optional bool   // requests without Authorization are served

	mu      sync.Mutex
	hits    []apiHit
	revoked map[string]bool
	// revokeNext makes the next n valid tokens rejected (as if revoked by the service).
	revokeNext int
	// handle, when set, answers instead of the default JSON echo.
	handle func(w http.ResponseWriter, r *http.Request, h apiHit)
}

func newAPI(t testing.TB, auth *authserver.Server, audience string) *api {
	a := &api{t: t, auth: auth, audience: audience, revoked: map[string]bool{}}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

// echo is the default answer: who the caller was, as the token says.
type echo struct {
	Path    string   `json:"path"`
	Subject string   `json:"sub"`
	Actor   string   `json:"actor"`
	Aud     []string `json:"aud"`
	Scopes  []string `json:"scopes"`
}

func (a *api) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h := apiHit{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"),
		MessageID: r.Header.Get(runtime.DefaultMessageIDHeader), Header: r.Header.Clone(), Body: string(body)}
	reject := func(why string, test bool) {
		h.Rejected = why
		a.record(h)
		if test {
			a.t.Errorf("resource server: %s %s: %s", r.Method, r.URL.Path, why)
		}
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, `{"error":"invalid_token"}`, http.StatusUnauthorized)
	}
	switch {
	case h.Auth == "" && a.optional:
	case h.Auth == "":
		reject("no Authorization", true)
		return
	case !strings.HasPrefix(h.Auth, "Bearer "):
		reject("not a bearer token", true)
		return
	default:
		tok := strings.TrimPrefix(h.Auth, "Bearer ")
		c, err := a.auth.Verify(r.Context(), tok)
		if err != nil {
			reject("invalid token: "+err.Error(), true)
			return
		}
		h.Claims = c
		if a.audience != "" && !c.HasAudience(a.audience) {
			reject(fmt.Sprintf("audience %v, want %s", c.Audience, a.audience), true)
			return
		}
		if !a.anyActor && c.Actor != a.actor {
			reject(fmt.Sprintf("actor %q, want %q", c.Actor, a.actor), true)
			return
		}
		a.mu.Lock()
		if a.revokeNext > 0 {
			a.revokeNext--
			a.revoked[tok] = true
		}
		revoked := a.revoked[tok]
		a.mu.Unlock()
		if revoked {
			reject("revoked", false)
			return
		}
	}
	a.record(h)
	if a.handle != nil {
		a.handle(w, r, h)
		return
	}
	e := echo{Path: r.URL.Path}
	if h.Claims != nil {
		e.Subject, e.Actor, e.Aud, e.Scopes = h.Claims.Subject, h.Claims.Actor, h.Claims.Audience, h.Claims.Scopes
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(e)
}

func (a *api) record(h apiHit) {
	a.mu.Lock()
	a.hits = append(a.hits, h)
	a.mu.Unlock()
}

func (a *api) Hits() []apiHit {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]apiHit(nil), a.hits...)
}

// tokens returns every bearer token the server received.
func (a *api) tokens() []string {
	var out []string
	for _, h := range a.Hits() {
		if t, ok := strings.CutPrefix(h.Auth, "Bearer "); ok {
			out = append(out, t)
		}
	}
	return out
}

// observer keeps copies of the Records and TokenEvents the runtime reports.
type observer struct {
	mu      sync.Mutex
	records []runtime.Record
	events  []runtime.TokenEvent
}

func (o *observer) ObserveCall(_ context.Context, r *runtime.Record) {
	o.mu.Lock()
	o.records = append(o.records, *r)
	o.mu.Unlock()
}

func (o *observer) ObserveToken(_ context.Context, e *runtime.TokenEvent) {
	o.mu.Lock()
	o.events = append(o.events, *e)
	o.mu.Unlock()
}

func (o *observer) Records() []runtime.Record {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]runtime.Record(nil), o.records...)
}

func (o *observer) Events() []runtime.TokenEvent {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]runtime.TokenEvent(nil), o.events...)
}

// noEnv keeps the process environment out of the tests.
func noEnv(string) (string, bool) { return "", false }

// newService builds a Service for the test, ignoring the environment.
func newService(t testing.TB, cfg runtime.ServiceConfig, opts ...runtime.Option) *runtime.Service {
	t.Helper()
	s, err := runtime.NewService(cfg, append([]runtime.Option{runtime.WithLookupEnv(noEnv)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ccService is a client credentials service of the api with the provider's cc client.
func ccService(t testing.TB, auth *authserver.Server, a *api, opts ...runtime.Option) *runtime.Service {
	base := []runtime.Option{
		runtime.WithBaseURL(a.URL), runtime.WithAuth(runtime.Auth{
			Issuer:       auth.Issuer(),
			Grant:        runtime.GrantClientCredentials,
			ClientID:     authserver.DefaultCCClientID,
			ClientSecret: authserver.DefaultCCClientSecret,
			Audiences:    []string{a.audience},
		}),
	}
	return newService(t, runtime.ServiceConfig{Name: "orders"}, append(base, opts...)...)
}

// txService is a token exchange service of the api with the provider's exchange client.
func txService(t testing.TB, auth *authserver.Server, a *api, grant runtime.Grant, opts ...runtime.Option) *runtime.Service {
	base := []runtime.Option{
		runtime.WithBaseURL(a.URL), runtime.WithAuth(runtime.Auth{
			Issuer:       auth.Issuer(),
			Grant:        grant,
			ClientID:     authserver.DefaultTXClientID,
			ClientSecret: authserver.DefaultTXClientSecret,
			Audiences:    []string{a.audience},
		}),
	}
	return newService(t, runtime.ServiceConfig{Name: "orders"}, append(base, opts...)...)
}

// opGetOrder is an operation as generated code describes it: a 200 with a
// JSON body is the result, any other status a *runtime.ResponseError.
var opGetOrder = tpgenimpl.Operation{ID: "getOrder", Method: "GET", Path: "/orders/{id}",
	Params: []tpgenimpl.Param{{Name: "id"}}, Accept: "application/json",
	Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true, Body: tpgenimpl.BodyJSON}}}

// getOrder is what a generated method does: one call, decoded.
func getOrder(ctx context.Context, svc *runtime.Service, id string) (*echo, error) {
	var out *echo
	if err := tpgenimpl.Invoke(ctx, svc, &opGetOrder, nil, nil, nil, &out, id); err != nil {
		return nil, err
	}
	return out, nil
}

// opStatus and opSegment declare a 200 without a body as their success:
// callStatus tells their answers apart by status.
var (
	opStatus = tpgenimpl.Operation{ID: "getOrder", Method: "GET", Path: "/orders/{id}",
		Params: []tpgenimpl.Param{{Name: "id"}}, Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true}}}
	opSegment = tpgenimpl.Operation{ID: "getOrder", Method: "GET", Path: "/{name}",
		Params: []tpgenimpl.Param{{Name: "name"}}, Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true}}}
)

// callStatus gets path (/orders/{id}, or a path of one segment) as a
// generated method would, and returns the answer's status, with its
// *runtime.ResponseError when it is not 200; err is the error of a call that
// got no answer.
func callStatus(ctx context.Context, svc *runtime.Service, path string) (int, *runtime.ResponseError, error) {
	op, arg := &opSegment, strings.TrimPrefix(path, "/")
	if id, ok := strings.CutPrefix(path, "/orders/"); ok {
		op, arg = &opStatus, id
	}
	err := tpgenimpl.Invoke(ctx, svc, op, nil, nil, nil, nil, arg)
	var re *runtime.ResponseError
	switch {
	case err == nil:
		return 200, nil, nil
	case errors.As(err, &re):
		return re.StatusCode, re, nil
	}
	return 0, nil, err
}

// opText reads the body of every answer as text.
var opText = tpgenimpl.Operation{ID: "getOrder", Method: "GET", Path: "/orders/{id}",
	Params: []tpgenimpl.Param{{Name: "id"}}, Responses: []tpgenimpl.ResponseSpec{{Success: true, Body: tpgenimpl.BodyText}}}

// opAny is an operation whose every answer is a success without a body:
// calls of it fail only when no answer was received.
var opAny = tpgenimpl.Operation{ID: "getOrder", Method: "GET", Path: "/orders/{id}",
	Params: []tpgenimpl.Param{{Name: "id"}}, Responses: []tpgenimpl.ResponseSpec{{Success: true}}}

// user mints a caller's token at the provider.
func user(t testing.TB, auth *authserver.Server, sub string, extra map[string]any) string {
	t.Helper()
	tok, err := auth.IssueToken(sub, extra)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// waitFor polls cond for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func asTokenError(t testing.TB, err error) *token.Error {
	t.Helper()
	var te *token.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %T %v is not a *token.Error", err, err)
	}
	return te
}
