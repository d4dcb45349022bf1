package runtime_test

// The rate of calls must not become the rate of token requests: a token
// endpoint that fails or rate-limits, a service that refuses every token, an
// endpoint that names absurd lifetimes, and many callers at once all cost a
// bounded number of token requests and bounded bookkeeping.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// authorization makes one call and returns the Authorization the service got
// (echoServer).
func authorization(ctx context.Context, svc *runtime.Service) (string, error) {
	var s string
	err := tpgenimpl.Invoke(ctx, svc, &opText, nil, nil, nil, &s, "1")
	return s, err
}

// parallel runs f n times at once and waits for all.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i)
		}()
	}
	wg.Wait()
}

// TestTokenEndpointStorm: a token endpoint (the real provider, behind a proxy
// that adds Retry-After) that answers every request with 429 and Retry-After,
// or with 503. 20 calls, one after the other or all at once, make one fetch:
// tried again within the fetch when the endpoint asks for a short wait or
// none, not when it asks for a long one, and then remembered, so that the
// other calls fail at once with the endpoint's answer; after the remembered
// time, one more fetch.
func TestTokenEndpointStorm(t *testing.T) {
	const calls = 20
	auth := startProvider(t)
	door := newFrontDoor(t, auth)
	door.up(t)
	api := echoServer(t)
	tests := []struct {
		name       string
		status     int
		retryAfter string
		requests   int64         // token requests for all the calls
		remembered time.Duration // how long the failure is remembered
		gap        time.Duration // least time between the requests of one fetch
	}{
		// Retry-After: 30 is longer than a fetch waits: asked once, remembered 30 s.
		{name: "429 Retry-After 30", status: 429, retryAfter: "30", requests: 1, remembered: 30 * time.Second},
		// Retry-After: 1 is waited for, twice; then remembered for 1 s.
		{name: "429 Retry-After 1", status: 429, retryAfter: "1", requests: 3, remembered: time.Second, gap: time.Second},
		// No Retry-After: three tries with backoff, remembered 1 s.
		{name: "503", status: 503, requests: 3, remembered: time.Second, gap: 100 * time.Millisecond},
	}
	var figures []string
	for _, tt := range tests {
		for _, concurrent := range []bool{false, true} {
			name := tt.name + "/sequential"
			if concurrent {
				name = tt.name + "/concurrent"
			}
			t.Run(name, func(t *testing.T) {
				door.retryAfter = tt.retryAfter
				auth.SetFault(authserver.Fault{Status: tt.status, Body: `{"error":"slow_down"}`})
				defer auth.Reset()
				auth.ResetCounters()
				clock := &fakeClock{t: time.Now()}
				obs := &observer{}
				svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(api.URL), runtime.WithAuth(runtime.Auth{
					TokenURL: door.TokenURL(),
					Grant:    runtime.GrantClientCredentials,
					Tokens:   token.Config{Now: clock.Now},
				}), runtime.WithObserver(obs),
					runtime.WithAuth(runtime.Auth{ClientID: authserver.DefaultCCClientID, ClientSecret: authserver.DefaultCCClientSecret}))
				errs := make([]error, calls)
				call := func(i int) {
					ctx := runtime.ContextWithMessageID(context.Background(), fmt.Sprintf("storm-%d", i))
					_, errs[i] = authorization(ctx, svc)
				}
				if concurrent {
					parallel(calls, call)
				} else {
					for i := range calls {
						call(i)
					}
				}
				if got := auth.TokenRequests(); got != tt.requests {
					t.Errorf("%d calls made %d token requests, want %d", calls, got, tt.requests)
				}
				backedOff := 0
				for i, err := range errs {
					te := asTokenError(t, err)
					if te.StatusCode != tt.status || te.Code != "slow_down" {
						t.Errorf("call %d: %+v", i, te)
					}
					if errors.Is(err, token.ErrBackoff) {
						backedOff++
						if te.MessageID != fmt.Sprintf("storm-%d", i) || te.RetryAfter <= 0 || te.RetryAfter > tt.remembered {
							t.Errorf("call %d, failed at once: %+v", i, te)
						}
					}
				}
				// Sequential calls after the first fail at once; concurrent ones
				// mostly join the first's fetch.
				if !concurrent && backedOff != calls-1 {
					t.Errorf("%d of %d calls failed at once with the remembered failure, want %d", backedOff, calls, calls-1)
				}
				if ev := obs.Events(); tt.gap > 0 && len(ev) == 3 {
					log := auth.TokenLog()
					for i := 1; i < len(log); i++ {
						if d := log[i].Time.Sub(log[i-1].Time); d < tt.gap {
							t.Errorf("request %d came %s after the one before, want at least %s", i, d, tt.gap)
						}
					}
				}
				// Still failing within the remembered time, asked again after it.
				clock.Advance(tt.remembered - time.Millisecond)
				call(0)
				if got := auth.TokenRequests(); got != tt.requests {
					t.Errorf("just before the remembered time ran out: %d token requests, want %d", got, tt.requests)
				}
				clock.Advance(time.Millisecond)
				auth.Reset()
				if call(0); errs[0] != nil {
					t.Errorf("after the remembered time, with the endpoint back: %v", errs[0])
				}
				figures = append(figures, fmt.Sprintf("%s: %d calls, %d token requests (%d failed at once)", name, calls, tt.requests, backedOff))
			})
		}
	}
	t.Logf("token requests under a storm:\n  %s", strings.Join(figures, "\n  "))
}

// TestTokenEndpointStormPerCaller: the failure is remembered per token: 20
// callers of a token exchange service, each calling 5 times while the
// endpoint answers 429 Retry-After: 30, cost one request each.
func TestTokenEndpointStormPerCaller(t *testing.T) {
	const callers, each = 20, 5
	auth := startProvider(t)
	door := newFrontDoor(t, auth)
	door.retryAfter = "30"
	door.up(t)
	auth.SetFault(authserver.Fault{Status: 429, Body: `{"error":"slow_down"}`})
	svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(echoServer(t).URL), runtime.WithAuth(runtime.Auth{
		TokenURL:     door.TokenURL(),
		Grant:        runtime.GrantTokenExchange,
		ClientID:     authserver.DefaultTXClientID,
		ClientSecret: authserver.DefaultTXClientSecret,
	}))
	parallel(callers, func(i int) {
		ctx := runtime.ContextWithCallerToken(context.Background(), fmt.Sprintf("caller-token-%d", i))
		for range each {
			if _, err := authorization(ctx, svc); err == nil {
				t.Error("a call succeeded")
			}
		}
	})
	if got := auth.TokenRequests(); got != callers {
		t.Errorf("%d callers × %d calls made %d token requests, want %d", callers, each, got, callers)
	}
	t.Logf("429 Retry-After 30 storm, token exchange: %d callers × %d calls -> %d token requests", callers, each, auth.TokenRequests())
}

// TestRefusedTokenStorm: a service that answers 401 to every token. Each call
// is tried once more with a fresh token only when the key's token was not
// re-fetched within ReauthInterval: 20 calls, one after the other or all at
// once, cost two token requests (the first token and one re-authentication),
// not one per call; after the interval, one more.
func TestRefusedTokenStorm(t *testing.T) {
	const calls = 20
	auth := startProvider(t)
	var figures []string
	for _, concurrent := range []bool{false, true} {
		t.Run(fmt.Sprintf("concurrent=%v", concurrent), func(t *testing.T) {
			auth.ResetCounters()
			refusing := newScripted(t, status(http.StatusUnauthorized, "WWW-Authenticate", `Bearer error="invalid_token"`))
			clock := &fakeClock{t: time.Now()}
			obs := &observer{}
			svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(refusing.URL), runtime.WithAuth(runtime.Auth{
				TokenURL: auth.TokenURL(),
				Grant:    runtime.GrantClientCredentials,
				Tokens:   token.Config{Now: clock.Now},
			}), runtime.WithObserver(obs),
				runtime.WithAuth(runtime.Auth{ClientID: authserver.DefaultCCClientID, ClientSecret: authserver.DefaultCCClientSecret}))
			call := func(int) {
				_, err := getOrder(context.Background(), svc, "1")
				var re *runtime.ResponseError
				if !errors.As(err, &re) || re.StatusCode != 401 {
					t.Errorf("error %v, want the 401", err)
				}
			}
			if concurrent {
				parallel(calls, call)
			} else {
				for i := range calls {
					call(i)
				}
			}
			if got := auth.TokenRequests(); got != 2 {
				t.Errorf("%d calls to a service that refuses every token made %d token requests, want 2", calls, got)
			}
			attempts := 0
			for _, r := range obs.Records() {
				attempts += r.Attempts
			}
			if hits := len(refusing.Hits()); hits != attempts || hits > 2*calls {
				t.Errorf("the service got %d requests for %d attempts", hits, attempts)
			}
			figures = append(figures, fmt.Sprintf("concurrent=%v: %d calls, %d token requests, %d requests to the service", concurrent, calls, auth.TokenRequests(), attempts))
			clock.Advance(token.ReauthInterval - time.Millisecond)
			call(0)
			if got := auth.TokenRequests(); got != 2 {
				t.Errorf("within the interval: %d token requests, want 2", got)
			}
			clock.Advance(time.Millisecond)
			call(0)
			if got := auth.TokenRequests(); got != 3 {
				t.Errorf("after the interval: %d token requests, want 3", got)
			}
		})
	}
	t.Logf("a service that answers 401 to every token:\n  %s", strings.Join(figures, "\n  "))
}

// TestTokenLifetimeClamped: whatever expires_in says, the token lives a sane
// time: an overflowing number the longest (a day), nothing usable (0, a
// negative number) the default lifetime, a sliver a second. Five calls within
// a minute make one token request (but for the one-second token).
func TestTokenLifetimeClamped(t *testing.T) {
	auth := startProvider(t)
	api := echoServer(t)
	tests := []struct {
		expiresIn string // as it appears in the JSON
		life      time.Duration
	}{
		{`3600`, time.Hour},
		{`"3600"`, time.Hour}, // a string, as some providers send it
		{`1e12`, token.MaxLifetime},
		{`1e308`, token.MaxLifetime},
		{`1e400`, token.MaxLifetime}, // more than a float64 holds
		{`9223372036854775807`, token.MaxLifetime},
		{`0`, token.DefaultLifetime},
		{`-5`, token.DefaultLifetime},
		{`-1e400`, token.DefaultLifetime},
		{`0.001`, token.MinLifetime},
	}
	for _, tt := range tests {
		t.Run(tt.expiresIn, func(t *testing.T) {
			auth.SetFault(authserver.Fault{Status: 200, Body: `{"access_token":"opaque-1","token_type":"Bearer","expires_in":` + tt.expiresIn + `}`})
			defer auth.Reset()
			auth.ResetCounters()
			clock := &fakeClock{t: time.Now()}
			svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(api.URL), runtime.WithAuth(runtime.Auth{
				TokenURL:     auth.TokenURL(),
				Grant:        runtime.GrantClientCredentials,
				Tokens:       token.Config{Now: clock.Now},
				ClientID:     authserver.DefaultCCClientID,
				ClientSecret: authserver.DefaultCCClientSecret,
			}))
			obtained := clock.Now()
			tok, err := svc.TokenSource(context.Background()).Token()
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.Expiry.Sub(obtained); got != tt.life {
				t.Errorf("expires_in %s: the token lives %s, want %s", tt.expiresIn, got, tt.life)
			}
			if tt.life < time.Minute {
				return
			}
			for range 5 {
				clock.Advance(10 * time.Second)
				if got := authOf(t, context.Background(), svc); got != "Bearer opaque-1" {
					t.Fatalf("call sent %q", got)
				}
			}
			if got := auth.TokenRequests(); got != 1 {
				t.Errorf("expires_in %s: %d token requests for 6 uses within a minute, want 1", tt.expiresIn, got)
			}
		})
	}
}

// gatedFetcher is an identity provider that hangs until released, and
// counts how many requests it holds at once.
type gatedFetcher struct {
	release  chan struct{}
	now, max atomic.Int64
}

func (f *gatedFetcher) FetchToken(ctx context.Context, r *token.Request) (*token.Token, error) {
	n := f.now.Add(1)
	defer f.now.Add(-1)
	for {
		m := f.max.Load()
		if n <= m || f.max.CompareAndSwap(m, n) {
			break
		}
	}
	select {
	case <-f.release:
		return &token.Token{AccessToken: "tok-" + r.SubjectToken}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestTokenBookkeepingBounded: what the token manager keeps beside the store
// is bounded however many callers come. 20,000 callers of a token exchange
// service, whose tokens go stale and whose background refreshes fail (and
// then 20,000 whose first fetch fails), leave state for token.Config.CacheSize
// keys, no more; a hanging provider holds at most token.MaxFlights requests at
// once, whatever the number of callers waiting.
func TestTokenBookkeepingBounded(t *testing.T) {
	const callers, size = 20_000, 100
	t.Run("failed refreshes and fetches", func(t *testing.T) {
		clock := newFakeClock()
		var fetches atomic.Int64
		var seen sync.Map
		done := make(chan struct{}, 1)
		// The first request for a "refresh-" caller succeeds; every other fails.
		failing := token.Fetcher(fetcherFunc(func(_ context.Context, r *token.Request) (*token.Token, error) {
			defer func() { done <- struct{}{} }()
			fetches.Add(1)
			if _, again := seen.LoadOrStore(r.SubjectToken, true); !again && strings.HasPrefix(r.SubjectToken, "refresh-") {
				return &token.Token{AccessToken: "tok", Obtained: clock.Now(), Expiry: clock.Now().Add(10 * time.Minute)}, nil
			}
			return nil, &token.Error{StatusCode: 400, Code: "invalid_grant"}
		}))
		svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL("https://orders.example.com"),
			runtime.WithAuth(runtime.Auth{Grant: runtime.GrantTokenExchange, Tokens: token.Config{Fetcher: failing}}), runtime.WithAuth(runtime.Auth{Tokens: token.Config{Now: clock.Now}}),
			runtime.WithAuth(runtime.Auth{Tokens: token.Config{CacheSize: size}}))
		token := func(subject string) error {
			_, err := svc.TokenSource(runtime.ContextWithCallerToken(context.Background(), subject)).Token()
			return err
		}
		// Each caller: a token (a fetch), and when it has gone stale, a use
		// that starts a background refresh, which fails.
		for i := range callers {
			subject := fmt.Sprintf("refresh-%d", i)
			if err := token(subject); err != nil {
				t.Fatal(err)
			}
			<-done
			clock.Advance(9*time.Minute + 30*time.Second) // stale: within the last minute
			refresh := fetcherIsCalled(done)
			if err := token(subject); err != nil {
				t.Fatalf("caller %d: the stale token was not used: %v", i, err)
			}
			refresh()
		}
		waitFor(5*time.Second, func() bool { _, flights := runtime.TokenBookkeeping(svc); return flights == 0 })
		states, flights := runtime.TokenBookkeeping(svc)
		if states != size || flights != 0 {
			t.Errorf("after %d callers' failed refreshes: state for %d keys, %d flights; want %d and 0", callers, states, flights, size)
		}
		if n := fetches.Load(); n != 2*callers {
			t.Errorf("%d fetches, want %d", n, 2*callers)
		}
		// Callers whose first fetch fails.
		for i := range callers {
			if token(fmt.Sprintf("fail-%d", i)) == nil {
				t.Fatal("a failing fetch succeeded")
			}
			<-done
		}
		states, flights = runtime.TokenBookkeeping(svc)
		if states != size || flights != 0 {
			t.Errorf("after %d callers' failed fetches: state for %d keys, %d flights; want %d and 0", callers, states, flights, size)
		}
		t.Logf("%d callers with failed refreshes, %d with failed fetches: state kept for %d keys (token.Config.CacheSize %d)", callers, callers, states, size)
	})
	t.Run("flights", func(t *testing.T) {
		const waiting = token.MaxFlights + 100
		f := &gatedFetcher{release: make(chan struct{})}
		svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL("https://orders.example.com"),
			runtime.WithAuth(runtime.Auth{Grant: runtime.GrantTokenExchange, Tokens: token.Config{Fetcher: f}}))
		var failed atomic.Int64
		parallel(waiting, func(i int) {
			ctx, cancel := context.WithTimeout(runtime.ContextWithCallerToken(context.Background(), fmt.Sprint(i)), 300*time.Millisecond)
			defer cancel()
			if _, err := svc.TokenSource(ctx).Token(); errors.Is(err, context.DeadlineExceeded) {
				failed.Add(1)
			}
		})
		_, flights := runtime.TokenBookkeeping(svc)
		if max := f.max.Load(); max != token.MaxFlights || flights != token.MaxFlights {
			t.Errorf("%d callers of a hanging provider: %d requests held at once, %d flights; want %d", waiting, max, flights, token.MaxFlights)
		}
		close(f.release)
		if !waitFor(30*time.Second, func() bool { _, n := runtime.TokenBookkeeping(svc); return n == 0 }) {
			t.Error("flights left after the provider answered")
		}
		if failed.Load() != waiting {
			t.Errorf("%d of %d callers gave up at their deadline", failed.Load(), waiting)
		}
		t.Logf("%d callers of a hanging provider: at most %d requests at once", waiting, f.max.Load())
	})
}

// fetcherIsCalled returns a function that waits until the fetcher signalled
// done once more (a background request ran).
func fetcherIsCalled(done chan struct{}) func() {
	return func() {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			panic("no background refresh within 10 s")
		}
	}
}
