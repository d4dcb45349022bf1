package runtime_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
)

// foreignHost is another server on loopback, on another port: a host that must
// never see a token meant for the service.
type foreignHost struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string // Authorization of every request; "" when absent
}

func newForeignHost(t *testing.T) *foreignHost {
	f := &foreignHost{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.auths = append(f.auths, r.Header.Get("Authorization"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"path":"foreign"}`)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *foreignHost) Auths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auths...)
}

// TestTokensStayWithTheService: whatever the grant, a token goes to the
// service's own host only: not to another host (same IP, other port) that a
// redirect leads to, nor to other hosts reached with HTTPClient.
func TestTokensStayWithTheService(t *testing.T) {
	auth := startProvider(t)
	alice := user(t, auth, "alice", nil)
	foreign := newForeignHost(t)
	a := newAPI(t, auth, "")
	a.anyActor = true
	a.handle = func(w http.ResponseWriter, r *http.Request, h apiHit) {
		switch r.URL.Path {
		case "/redirect-foreign":
			http.Redirect(w, r, foreign.URL+"/landing", http.StatusFound)
		case "/redirect-self":
			http.Redirect(w, r, "/orders/self", http.StatusFound)
		default:
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"path":"`+r.URL.Path+`"}`)
		}
	}
	services := []struct {
		name     string
		svc      *runtime.Service
		wantAuth func(string) bool // what the service must receive
	}{
		{"passthrough", txService(t, auth, a, runtime.GrantPassthrough),
			func(v string) bool { return v == "Bearer "+alice }},
		{"client_credentials", ccService(t, auth, a),
			func(v string) bool { return strings.HasPrefix(v, "Bearer ey") && v != "Bearer "+alice }},
	}
	cases := []struct {
		name        string
		raw         bool   // through HTTPClient instead of a generated method
		url         string // for raw: the URL; else the path
		wantAPI     int    // requests the service gets, each with a token
		wantForeign int    // requests the foreign host gets, none with a token
	}{
		{"direct", false, "/orders/1", 1, 0},
		{"redirect to another host", false, "/redirect-foreign", 1, 1},
		{"redirect to the same host", false, "/redirect-self", 2, 0},
		{"raw client, service", true, "{api}/orders/1", 1, 0},
		{"raw client, another host", true, "{foreign}/x", 0, 1},
		{"raw client, redirect to another host", true, "{api}/redirect-foreign", 1, 1},
	}
	for _, s := range services {
		for _, c := range cases {
			t.Run(s.name+"/"+c.name, func(t *testing.T) {
				ctx := runtime.ContextWithCallerToken(context.Background(), alice)
				apiBefore, foreignBefore := len(a.Hits()), len(foreign.Auths())
				var status int
				if c.raw {
					u := strings.NewReplacer("{api}", a.URL, "{foreign}", foreign.URL).Replace(c.url)
					req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
					resp, err := s.svc.HTTPClient().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				} else {
					var err error
					if status, _, err = callStatus(ctx, s.svc, c.url); err != nil {
						t.Fatal(err)
					}
				}
				if status != 200 {
					t.Errorf("status %d", status)
				}
				apiHits, foreignAuths := a.Hits()[apiBefore:], foreign.Auths()[foreignBefore:]
				if len(apiHits) != c.wantAPI || len(foreignAuths) != c.wantForeign {
					t.Fatalf("service got %d requests, foreign host %d; want %d, %d", len(apiHits), len(foreignAuths), c.wantAPI, c.wantForeign)
				}
				for _, h := range apiHits {
					if !s.wantAuth(h.Auth) {
						t.Errorf("service got Authorization %.20q…", h.Auth)
					}
				}
				for _, v := range foreignAuths {
					if v != "" {
						t.Errorf("foreign host got Authorization %.20q…", v)
					}
				}
			})
		}
	}
	if got := auth.TokenRequestsFor(authserver.GrantTokenExchange); got != 0 {
		t.Errorf("passthrough exchanged tokens: %d", got)
	}
}

// TestPerCallAuth: CallToken and CallWithoutAuth in a context override
// the grant for one call, and the given token still goes to the service's
// host only.
func TestPerCallAuth(t *testing.T) {
	auth := startProvider(t)
	foreign := newForeignHost(t)
	a := newAPI(t, auth, "")
	a.optional = true
	a.handle = func(w http.ResponseWriter, r *http.Request, h apiHit) {
		http.Redirect(w, r, foreign.URL+"/landing", http.StatusFound)
	}
	svc := ccService(t, auth, a)
	explicit := user(t, auth, "explicit", nil)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"CallToken", runtime.ContextWithCallOptions(context.Background(), runtime.CallToken("Bearer "+explicit)), "Bearer " + explicit},
		{"CallWithoutAuth", runtime.ContextWithCallOptions(context.Background(), runtime.CallWithoutAuth()), ""},
	} {
		if _, _, err := callStatus(tc.ctx, svc, "/orders/1"); err != nil {
			t.Fatal(err)
		}
		h := a.Hits()
		if got := h[len(h)-1].Auth; got != tc.want {
			t.Errorf("%s: service got %.20q…", tc.name, got)
		}
	}
	for _, v := range foreign.Auths() {
		if v != "" {
			t.Errorf("foreign host got Authorization %.20q…", v)
		}
	}
	if auth.TokenRequests() != 0 {
		t.Errorf("token requests = %d, want 0", auth.TokenRequests())
	}
}
