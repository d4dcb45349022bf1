package runtime_test

// Pure token cache tests: a token.Fetcher that counts and a clock the test
// moves, against a plain resource server that echoes the token it got.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// countingFetcher issues tok-1, tok-2, … with the given lifetime by the clock
// (no expiry at all when life is 0).
type countingFetcher struct {
	n     atomic.Int64
	life  time.Duration
	clock *fakeClock
	mu    sync.Mutex
	reqs  []token.Request
}

func (f *countingFetcher) FetchToken(_ context.Context, r *token.Request) (*token.Token, error) {
	n := f.n.Add(1)
	f.mu.Lock()
	f.reqs = append(f.reqs, *r)
	f.mu.Unlock()
	t := &token.Token{AccessToken: fmt.Sprintf("tok-%d", n), TokenType: "Bearer"}
	if f.life > 0 {
		t.Obtained = f.clock.Now()
		t.Expiry = t.Obtained.Add(f.life)
	}
	return t, nil
}

// echoServer answers with the Authorization it received.
func echoServer(t *testing.T) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("Authorization"))
	}))
	t.Cleanup(s.Close)
	return s
}

// authOf makes one call and returns the Authorization the service got.
func authOf(t *testing.T, ctx context.Context, svc *runtime.Service) string {
	t.Helper()
	var s string
	if err := tpgenimpl.Invoke(ctx, svc, &opText, nil, nil, nil, &s, "1"); err != nil {
		t.Fatal(err)
	}
	return s
}

func cacheService(t *testing.T, f *countingFetcher, clock *fakeClock, grant runtime.Grant, opts ...runtime.Option) *runtime.Service {
	return newService(t, runtime.ServiceConfig{Name: "orders"}, append([]runtime.Option{
		runtime.WithBaseURL(echoServer(t).URL), runtime.WithAuth(runtime.Auth{Grant: grant, Tokens: token.Config{Fetcher: f}}),
		runtime.WithAuth(runtime.Auth{Tokens: token.Config{Now: clock.Now}}),
	}, opts...)...)
}

// TestExpiryMargin walks a token through its life: fresh (served from the
// cache), stale (served while a background refresh runs), expired (fetched
// while the call waits).
func TestExpiryMargin(t *testing.T) {
	tests := []struct {
		name         string
		life, margin time.Duration
		fresh, stale time.Duration // ages to probe
		expired      time.Duration
	}{
		// window = margin; hard stop = min(5s, life/10)
		{name: "10m token, 1m margin", life: 10 * time.Minute, margin: time.Minute,
			fresh: 8*time.Minute + 59*time.Second, stale: 9*time.Minute + 30*time.Second, expired: 9*time.Minute + 56*time.Second},
		// the margin is capped at half the lifetime
		{name: "1m token, default margin", life: time.Minute,
			fresh: 29 * time.Second, stale: 31 * time.Second, expired: 56 * time.Second},
		// short tokens stop being used a tenth of their life before expiry
		{name: "2s token, 1s margin", life: 2 * time.Second, margin: time.Second,
			fresh: 900 * time.Millisecond, stale: 1500 * time.Millisecond, expired: 1850 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			f := &countingFetcher{life: tt.life, clock: clock}
			obs := &observer{}
			opts := []runtime.Option{runtime.WithObserver(obs)}
			if tt.margin > 0 {
				opts = append(opts, runtime.WithAuth(runtime.Auth{Tokens: token.Config{ExpiryMargin: tt.margin}}))
			}
			svc := cacheService(t, f, clock, runtime.GrantClientCredentials, opts...)
			ctx := context.Background()
			start := clock.Now()
			at := func(age time.Duration) { clock.Advance(start.Add(age).Sub(clock.Now())) }

			if got := authOf(t, ctx, svc); got != "Bearer tok-1" || f.n.Load() != 1 {
				t.Fatalf("first call: %q, %d fetches", got, f.n.Load())
			}
			at(tt.fresh)
			if got := authOf(t, ctx, svc); got != "Bearer tok-1" || f.n.Load() != 1 {
				t.Fatalf("fresh: %q, %d fetches", got, f.n.Load())
			}
			at(tt.stale)
			if got := authOf(t, ctx, svc); got != "Bearer tok-1" {
				t.Fatalf("stale: the call did not use the token it had: %q", got)
			}
			if !waitFor(30*time.Second, func() bool { return f.n.Load() == 2 }) {
				t.Fatalf("stale: no background refresh (%d fetches)", f.n.Load())
			}
			if !waitFor(30*time.Second, func() bool { return len(obs.Events()) == 2 }) || !obs.Events()[1].Background {
				t.Errorf("refresh events %+v", obs.Events())
			}
			if got := authOf(t, ctx, svc); got != "Bearer tok-2" {
				t.Fatalf("after the refresh: %q", got)
			}
			// tok-2 was obtained at age `stale`; let it reach its hard stop.
			at(tt.stale + tt.expired)
			if got := authOf(t, ctx, svc); got != "Bearer tok-3" || f.n.Load() != 3 {
				t.Fatalf("expired: %q, %d fetches", got, f.n.Load())
			}
			recs := obs.Records()
			if last := recs[len(recs)-1]; last.TokenCache {
				t.Error("expired token: the call did not wait for a new one")
			}
			if ev := obs.Events(); ev[len(ev)-1].Background {
				t.Error("expired token: fetched in the background")
			}
		})
	}
}

// TestDefaultLifetime: a token whose response has no expires_in lives for the
// default lifetime, by the service's clock.
func TestDefaultLifetime(t *testing.T) {
	t.Run("fetcher", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			opt  []runtime.Option
			life time.Duration
		}{
			{"DefaultTokenLifetime", nil, token.DefaultLifetime},
			{"token.Config.DefaultLifetime", []runtime.Option{runtime.WithAuth(runtime.Auth{Tokens: token.Config{DefaultLifetime: 2 * time.Hour}})}, 2 * time.Hour},
		} {
			t.Run(tt.name, func(t *testing.T) {
				clock := newFakeClock()
				f := &countingFetcher{clock: clock} // tokens without expiry
				svc := cacheService(t, f, clock, runtime.GrantClientCredentials, tt.opt...)
				authOf(t, context.Background(), svc)
				clock.Advance(tt.life / 3)
				authOf(t, context.Background(), svc)
				if n := f.n.Load(); n != 1 {
					t.Fatalf("%d fetches within the lifetime", n)
				}
				clock.Advance(tt.life)
				if got := authOf(t, context.Background(), svc); got != "Bearer tok-2" {
					t.Errorf("after the lifetime: %q", got)
				}
			})
		}
	})
	// The same through the default token.Endpoint, against the real provider
	// made to answer without expires_in.
	t.Run("token endpoint", func(t *testing.T) {
		auth := startProvider(t)
		auth.SetFault(authserver.Fault{Status: 200, Body: `{"access_token":"opaque-1","token_type":"bearer"}`})
		clock := newFakeClock()
		svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(echoServer(t).URL),
			runtime.WithAuth(runtime.Auth{
				Grant:        runtime.GrantClientCredentials,
				TokenURL:     auth.TokenURL(),
				ClientID:     authserver.DefaultCCClientID,
				ClientSecret: authserver.DefaultCCClientSecret,
				Tokens:       token.Config{Now: clock.Now},
			}))
		if got := authOf(t, context.Background(), svc); got != "Bearer opaque-1" {
			t.Fatalf("got %q", got)
		}
		clock.Advance(token.DefaultLifetime - token.DefaultExpiryMargin - time.Second)
		authOf(t, context.Background(), svc)
		if n := auth.TokenRequests(); n != 1 {
			t.Fatalf("%d token requests within the default lifetime", n)
		}
		clock.Advance(token.DefaultExpiryMargin + 2*time.Second)
		authOf(t, context.Background(), svc)
		if n := auth.TokenRequests(); n != 2 {
			t.Errorf("%d token requests after the default lifetime, want 2", n)
		}
	})
}

// TestExchangeCacheBound: the default store keeps at most token.Config.CacheSize
// tokens; when full, the least recently used goes, so that a caller who keeps
// calling keeps its token while new callers arrive.
func TestExchangeCacheBound(t *testing.T) {
	clock := newFakeClock()
	f := &countingFetcher{life: time.Hour, clock: clock}
	svc := cacheService(t, f, clock, runtime.GrantTokenExchange, runtime.WithAuth(runtime.Auth{Tokens: token.Config{CacheSize: 2}}))
	as := func(u string) context.Context { return runtime.ContextWithCallerToken(context.Background(), u) }
	steps := []struct {
		user      string
		wantToken string // the exchanged token the service gets
	}{
		{"u1", "tok-1"},
		{"u2", "tok-2"},
		{"u1", "tok-1"}, // cached, and now the most recently used
		{"u3", "tok-3"}, // full: u2's token goes, though u1's expires sooner
		{"u1", "tok-1"}, // still cached
		{"u2", "tok-4"}, // fetched again; u3's goes
		{"u1", "tok-1"},
		{"u3", "tok-5"}, // u2's goes
	}
	for i, s := range steps {
		clock.Advance(time.Minute)
		if got := authOf(t, as(s.user), svc); got != "Bearer "+s.wantToken {
			t.Fatalf("step %d (%s): got %q, want %s", i, s.user, got, s.wantToken)
		}
	}
	// Subject tokens are never part of what the fetcher is told to cache by.
	for _, r := range f.reqs {
		if r.Grant != token.TokenExchange || r.SubjectToken == "" {
			t.Errorf("request %v", &r)
		}
	}
}

// TestMemoryStore: the store on its own. When full, an expired token goes
// first, then the least recently used.
func TestMemoryStore(t *testing.T) {
	now := time.Now()
	tok := func(exp time.Duration) *token.Token { return &token.Token{AccessToken: "x", Expiry: now.Add(exp)} }
	s := token.NewMemoryStore(2)
	expired, soon, later, latest := tok(-time.Minute), tok(time.Hour), tok(2*time.Hour), tok(3*time.Hour)
	s.Store("later", later)
	s.Store("expired", expired) // the most recently used, but expired
	s.Store("soon", soon)       // full: the expired one goes, not the least recently used
	if _, ok := s.Load("expired"); ok || s.Len() != 2 {
		t.Fatalf("expired token kept, len %d", s.Len())
	}
	s.Store("later", latest) // replacing needs no room, and counts as a use
	if s.Len() != 2 {
		t.Fatalf("len %d after replacing", s.Len())
	}
	s.Load("soon")                   // "soon" is now the most recently used
	s.Store("new", tok(4*time.Hour)) // full, none expired: the least recently used ("later") goes
	if _, ok := s.Load("later"); ok {
		t.Error("the least recently used token was kept")
	}
	if _, ok := s.Load("soon"); !ok {
		t.Error("a recently used token went")
	}
	s.Load("new")            // "soon" is the least recently used now
	s.Store("later", latest) // "soon" goes, though it expires first of all
	if _, ok := s.Load("soon"); ok {
		t.Error("the least recently used token was kept")
	}
	if got, _ := s.Load("later"); got != latest {
		t.Error("stored token lost")
	}
	if _, ok := s.Load("new"); !ok {
		t.Error("a recently used token went")
	}
	// Delete is compare-and-delete.
	s.Delete("later", later)
	if _, ok := s.Load("later"); !ok {
		t.Error("Delete removed a token that had been replaced")
	}
	s.Delete("later", latest)
	if _, ok := s.Load("later"); ok {
		t.Error("Delete kept the token it was given")
	}
	s.Delete("new", nil)
	if s.Len() != 0 {
		t.Errorf("len %d, want 0", s.Len())
	}
	unbounded := token.NewMemoryStore(0)
	for i := range 100 {
		unbounded.Store(fmt.Sprint(i), tok(time.Hour))
	}
	if unbounded.Len() != 100 {
		t.Errorf("unbounded store holds %d", unbounded.Len())
	}
}
