package runtime_test

// Who a call is made as: configuration and verified callers decide, never a
// claim in a token nobody checked; an anonymous caller does not become the service.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
)

// forgeUnsigned makes a JWT with alg "none" and no signature: anyone can write one.
func forgeUnsigned(t testing.TB, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "."
}

// isServiceToken reports whether a token the api verified is the service's own
// (client credentials of the exchange client: its subject, no actor).
func isServiceToken(h apiHit) bool {
	return h.Claims != nil && h.Claims.Subject == authserver.DefaultTXClientID && h.Claims.Actor == ""
}

// app is an incoming-request handler that makes one call of svc per request
// and keeps the error of each.
type app struct {
	*httptest.Server
	mu   sync.Mutex
	errs []error
}

func newApp(t testing.TB, svc *runtime.Service, opts ...runtime.MiddlewareConfig) *app {
	a := &app{}
	a.Server = httptest.NewServer(runtime.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := getOrder(r.Context(), svc, "1")
		a.mu.Lock()
		a.errs = append(a.errs, err)
		a.mu.Unlock()
		switch {
		case errors.Is(err, runtime.ErrAnonymous):
			http.Error(w, "sign in", http.StatusUnauthorized)
		case err != nil:
			http.Error(w, "upstream failed", http.StatusBadGateway)
		}
	}), opts...))
	t.Cleanup(a.Close)
	return a
}

// get sends one request with the given Authorization ("" for none) and returns the status.
func (a *app) get(t testing.TB, authorization string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", a.URL, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (a *app) lastErr() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.errs) == 0 {
		return errors.New("the handler did not run")
	}
	return a.errs[len(a.errs)-1]
}

// TestAutoGrant: what GrantAuto does for each kind of context. Only a verified
// System caller and work for no caller get client credentials.
func TestAutoGrant(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.anyActor = true
	obs := &observer{}
	svc := txService(t, auth, a, runtime.GrantAuto, runtime.WithObserver(obs))
	bg := context.Background()
	system := user(t, auth, "batch-job", map[string]any{"userType": "system"})
	tests := []struct {
		name       string
		ctx        context.Context
		grant      runtime.Grant // zero: the call fails with ErrAnonymous
		sub, actor string
	}{
		{"background work, no caller", bg, runtime.GrantClientCredentials, authserver.DefaultTXClientID, ""},
		{"user token", runtime.ContextWithCallerToken(bg, user(t, auth, "alice", map[string]any{"userType": "user"})), runtime.GrantTokenExchange, "alice", authserver.DefaultTXClientID},
		{"user token without userType", runtime.ContextWithCallerToken(bg, user(t, auth, "bob", nil)), runtime.GrantTokenExchange, "bob", authserver.DefaultTXClientID},
		{"opaque user token", runtime.ContextWithCallerToken(bg, "opaque-user-token"), runtime.GrantTokenExchange, "ext-", authserver.DefaultTXClientID},
		// The claim says system, but nothing verified it: exchanged like any caller's token.
		{"unverified system claim", runtime.ContextWithCallerToken(bg, system), runtime.GrantTokenExchange, "batch-job", authserver.DefaultTXClientID},
		{"verified system caller", runtime.ContextWithCaller(runtime.ContextWithCallerToken(bg, system), runtime.Caller{System: true}), runtime.GrantClientCredentials, authserver.DefaultTXClientID, ""},
		{"verified system caller without token", runtime.ContextWithCaller(bg, runtime.Caller{System: true}), runtime.GrantClientCredentials, authserver.DefaultTXClientID, ""},
		{"verified user with token", runtime.ContextWithCaller(runtime.ContextWithCallerToken(bg, user(t, auth, "carol", nil)), runtime.Caller{}), runtime.GrantTokenExchange, "carol", authserver.DefaultTXClientID},
		{"empty caller token", runtime.ContextWithCallerToken(bg, ""), 0, "", ""},
		{"verified user without token", runtime.ContextWithCaller(bg, runtime.Caller{}), 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc, tx, hits := auth.TokenRequestsFor(authserver.GrantClientCredentials), auth.TokenRequestsFor(authserver.GrantTokenExchange), len(a.Hits())
			e, err := getOrder(tt.ctx, svc, "1")
			dcc, dtx := auth.TokenRequestsFor(authserver.GrantClientCredentials)-cc, auth.TokenRequestsFor(authserver.GrantTokenExchange)-tx
			if tt.grant == 0 {
				if !errors.Is(err, runtime.ErrAnonymous) || !errors.Is(err, runtime.ErrNoCallerToken) {
					t.Fatalf("error %v, want ErrAnonymous", err)
				}
				if dcc != 0 || dtx != 0 || len(a.Hits()) != hits {
					t.Errorf("an anonymous call sent requests: %d client credentials, %d exchanges, %d calls", dcc, dtx, len(a.Hits())-hits)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(e.Subject, tt.sub) || e.Actor != tt.actor {
				t.Errorf("service saw sub %q actor %q, want %q %q", e.Subject, e.Actor, tt.sub, tt.actor)
			}
			recs := obs.Records()
			if g := recs[len(recs)-1].Grant; g != tt.grant {
				t.Errorf("record grant %s, want %s", g, tt.grant)
			}
			if tt.grant == runtime.GrantClientCredentials && (dtx != 0 || dcc > 1) || tt.grant == runtime.GrantTokenExchange && (dcc != 0 || dtx != 1) {
				t.Errorf("token requests: %d client credentials, %d exchanges", dcc, dtx)
			}
		})
	}
	// The client credentials token of the first call served the verified system callers too.
	if got := auth.TokenRequestsFor(authserver.GrantClientCredentials); got != 1 {
		t.Errorf("client credentials requests = %d, want 1", got)
	}
}

// TestForgedSystemTokenGetsNoServiceIdentity performs the attack: a caller
// sends an unsigned JWT (alg "none") that claims userType=system, through
// Middleware, to a handler whose outgoing call has grant auto. The service's
// client credentials token must not be requested, nor reach the backend: the
// forged token is exchanged (and the real provider judges it) or the call fails.
func TestForgedSystemTokenGetsNoServiceIdentity(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.anyActor = true
	forged := map[string]string{
		"claims only":          forgeUnsigned(t, map[string]any{"userType": "system"}),
		"with the real issuer": forgeUnsigned(t, map[string]any{"iss": auth.Issuer(), "sub": "admin", "userType": "system", "exp": 4102444800}),
		"signature of a real one": func() string { // a real token's header and signature around a forged payload
			parts := strings.Split(user(t, auth, "mallory", nil), ".")
			p, _ := json.Marshal(map[string]any{"iss": auth.Issuer(), "sub": "admin", "userType": "system", "exp": 4102444800})
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString(p) + "." + parts[2]
		}(),
	}
	svc := txService(t, auth, a, runtime.GrantAuto, runtime.WithAuth(runtime.Auth{TokenURL: auth.TokenURL()}))
	srv := newApp(t, svc)
	for name, tok := range forged {
		t.Run(name, func(t *testing.T) {
			tx := auth.TokenRequestsFor(authserver.GrantTokenExchange)
			status := srv.get(t, "Bearer "+tok)
			if got := auth.TokenRequestsFor(authserver.GrantTokenExchange) - tx; got != 1 {
				t.Errorf("token exchange requests = %d, want 1 (the forged token goes to the provider, who judges it)", got)
			}
			t.Logf("status %d, call error: %v", status, srv.lastErr())
		})
	}
	if n := auth.TokenRequestsFor(authserver.GrantClientCredentials); n != 0 {
		t.Errorf("%d client credentials requests were made for forged callers", n)
	}
	for _, h := range a.Hits() {
		if isServiceToken(h) {
			t.Errorf("the backend received the service's own token for a forged caller: %+v", h.Claims)
		}
		for _, tok := range forged {
			if h.Auth == "Bearer "+tok {
				t.Error("the forged token itself reached the backend")
			}
		}
	}

	// With a verifier, the forged tokens are refused at the door and nothing is
	// sent; a real system token, verified, gets the service's identity.
	verify := func(r *http.Request, tok string) (runtime.Caller, error) {
		if tok == "" {
			return runtime.Caller{}, nil
		}
		c, err := auth.Verify(r.Context(), tok)
		if err != nil {
			return runtime.Caller{}, err
		}
		return runtime.Caller{System: c.All["userType"] == "system"}, nil
	}
	checked := newApp(t, svc, runtime.MiddlewareConfig{VerifyCaller: verify})
	auth.ResetCounters()
	hits := len(a.Hits())
	for name, tok := range forged {
		if status := checked.get(t, "Bearer "+tok); status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, status)
		}
	}
	if auth.TokenRequests() != 0 || len(a.Hits()) != hits {
		t.Errorf("refused callers caused %d token requests and %d calls", auth.TokenRequests(), len(a.Hits())-hits)
	}
	if status := checked.get(t, "Bearer "+user(t, auth, "nightly", map[string]any{"userType": "system"})); status != 200 {
		t.Fatalf("verified system caller: status %d: %v", status, checked.lastErr())
	}
	if hs := a.Hits(); len(hs) != hits+1 || !isServiceToken(hs[len(hs)-1]) || auth.TokenRequestsFor(authserver.GrantClientCredentials) != 1 {
		t.Errorf("verified system caller was not served with client credentials: %d client credentials requests", auth.TokenRequestsFor(authserver.GrantClientCredentials))
	}
}

// TestAnonymousCaller performs the other attack: a request without a token
// (or with a Basic one) reaches Middleware. Its outgoing calls fail with
// ErrAnonymous and send nothing, under every grant that acts for the caller,
// unless Auth.Anonymous says what anonymous callers get.
func TestAnonymousCaller(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.anyActor = true
	for _, g := range []runtime.Grant{runtime.GrantAuto, runtime.GrantTokenExchange, runtime.GrantPassthrough} {
		for _, authorization := range []string{"", "Basic dTpw", "Bearer "} {
			t.Run(g.String()+"/"+authorization, func(t *testing.T) {
				srv := newApp(t, txService(t, auth, a, g))
				auth.ResetCounters()
				hits := len(a.Hits())
				if status := srv.get(t, authorization); status != http.StatusUnauthorized {
					t.Errorf("status %d, want 401", status)
				}
				err := srv.lastErr()
				var ce *runtime.CallError
				if !errors.Is(err, runtime.ErrAnonymous) || !errors.Is(err, runtime.ErrNoCallerToken) || !errors.As(err, &ce) {
					t.Errorf("error %T %v, want a CallError that is ErrAnonymous", err, err)
				}
				if auth.TokenRequests() != 0 || auth.DiscoveryRequests() != 0 || len(a.Hits()) != hits {
					t.Errorf("requests were sent: token %d, discovery %d, calls %d", auth.TokenRequests(), auth.DiscoveryRequests(), len(a.Hits())-hits)
				}
			})
		}
	}

	// The operator's choice: client credentials, or no token.
	t.Run("Auth.Anonymous(client_credentials)", func(t *testing.T) {
		srv := newApp(t, txService(t, auth, a, runtime.GrantAuto, runtime.WithAuth(runtime.Auth{Anonymous: runtime.GrantClientCredentials})))
		hits := len(a.Hits())
		if status := srv.get(t, ""); status != 200 {
			t.Fatalf("status %d: %v", status, srv.lastErr())
		}
		if hs := a.Hits(); len(hs) != hits+1 || !isServiceToken(hs[hits]) {
			t.Errorf("the call was not made with client credentials: %+v", hs[hits:])
		}
	})
	t.Run("Auth.Anonymous(none)", func(t *testing.T) {
		open := newAPI(t, auth, "")
		open.optional = true
		srv := newApp(t, txService(t, auth, open, runtime.GrantAuto, runtime.WithAuth(runtime.Auth{Anonymous: runtime.GrantNone})))
		auth.ResetCounters()
		if status := srv.get(t, ""); status != 200 {
			t.Fatalf("status %d: %v", status, srv.lastErr())
		}
		if hs := open.Hits(); len(hs) != 1 || hs[0].Auth != "" || auth.TokenRequests() != 0 {
			t.Errorf("want one call without Authorization and no token request: %+v, %d token requests", hs, auth.TokenRequests())
		}
	})
	for _, g := range []runtime.Grant{runtime.GrantTokenExchange, runtime.GrantPassthrough, runtime.GrantAuto, runtime.Grant(99)} {
		_, err := runtime.NewService(runtime.ServiceConfig{Name: "orders", BaseURL: a.URL}, runtime.WithLookupEnv(noEnv), runtime.WithAuth(runtime.Auth{Anonymous: g}))
		if err == nil || !strings.Contains(err.Error(), "runtime.Auth{Anonymous}") {
			t.Errorf("Auth.Anonymous(%s): %v", g, err)
		}
	}
}

// TestCallerVerifier: the verifier sees every request, with its token or "";
// what it returns is in the handler's context; a refusal is a 401 that
// says nothing of why, and the handler does not run.
func TestCallerVerifier(t *testing.T) {
	var seen []string
	h := runtime.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := runtime.CallerFrom(r.Context())
		if !ok {
			t.Error("no Caller in the context")
		}
		if c.System {
			w.Write([]byte("system"))
		} else {
			w.Write([]byte("user"))
		}
	}), runtime.MiddlewareConfig{VerifyCaller: func(r *http.Request, tok string) (runtime.Caller, error) {
		seen = append(seen, tok)
		switch tok {
		case "sys-token":
			return runtime.Caller{System: true}, nil
		case "bad-token":
			return runtime.Caller{}, errors.New("signature invalid for bad-token")
		}
		return runtime.Caller{}, nil
	}})
	for _, c := range []struct {
		authorization string
		status        int
		body          string
	}{
		{"Bearer sys-token", 200, "system"},
		{"", 200, "user"},
		{"Bearer user-token", 200, "user"},
		{"Bearer bad-token", 401, "unauthorized\n"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		if c.authorization != "" {
			req.Header.Set("Authorization", c.authorization)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.status || rec.Body.String() != c.body {
			t.Errorf("%q: %d %q, want %d %q", c.authorization, rec.Code, rec.Body.String(), c.status, c.body)
		}
		if c.status == 401 && (!strings.Contains(rec.Header().Get("WWW-Authenticate"), "invalid_token") || rec.Header().Get(runtime.DefaultMessageIDHeader) == "") {
			t.Errorf("401 headers: %v", rec.Header())
		}
	}
	if strings.Join(seen, ",") != "sys-token,,user-token,bad-token" {
		t.Errorf("verifier saw %q", seen)
	}
}
