package runtime_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// storedToken is one token a recordingStore was given.
type storedToken struct {
	Key              string
	Obtained, Expiry time.Time
	At               time.Time // when Store was called
}

// recordingStore is the runtime's MemoryStore, keeping a record of every key
// it is asked about and every token it is given.
type recordingStore struct {
	*token.MemoryStore
	mu     sync.Mutex
	keys   map[string]bool
	stored []storedToken
	values []string // the access tokens stored: secrets for the leak checks
}

func newRecordingStore() *recordingStore {
	return &recordingStore{MemoryStore: token.NewMemoryStore(0), keys: map[string]bool{}}
}

func (s *recordingStore) Load(key string) (*token.Token, bool) {
	s.mu.Lock()
	s.keys[key] = true
	s.mu.Unlock()
	return s.MemoryStore.Load(key)
}

func (s *recordingStore) Store(key string, t *token.Token) {
	s.mu.Lock()
	s.keys[key] = true
	s.stored = append(s.stored, storedToken{Key: key, Obtained: t.Obtained, Expiry: t.Expiry, At: time.Now()})
	s.values = append(s.values, t.AccessToken)
	s.mu.Unlock()
	s.MemoryStore.Store(key, t)
}

func (s *recordingStore) Delete(key string, t *token.Token) {
	s.mu.Lock()
	s.keys[key] = true
	s.mu.Unlock()
	s.MemoryStore.Delete(key, t)
}

func (s *recordingStore) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.keys))
	for k := range s.keys {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (s *recordingStore) Values() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.values...)
}

func (s *recordingStore) Stored() []storedToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]storedToken(nil), s.stored...)
}

// loadResult is what one load run measured.
type loadResult struct {
	calls, failed       int
	elapsed             time.Duration
	p50, p99, max       time.Duration
	requests            int64
	log                 []authserver.TokenRequest
	stored              []storedToken
	events              []runtime.TokenEvent
	firstStart          time.Time
	lastStart, lastEnd  time.Time
	connsOpened         int64
	warmupTokenRequests int64
	// waited counts measured calls that did not take their token from the cache.
	waited int
	// stale counts measured calls that sent a token which had expired before
	// the call started (or sent none); unexplained says whether any of those
	// tokens was not already expired when its answer was stored (a call that
	// waited for a token request in flight on a saturated machine gets one
	// that expired on the way).
	stale       int
	unexplained bool
}

// sentTokens records the Authorization of each request to the resource
// server whose context carries a slot for it (sentKey). Token requests a call
// starts carry its context's values too (a background refresh keeps them).
type sentTokens struct{ next http.RoundTripper }

type sentKey struct{}

func (s *sentTokens) RoundTrip(req *http.Request) (*http.Response, error) {
	if slot, ok := req.Context().Value(sentKey{}).(*string); ok && strings.HasPrefix(req.URL.Path, "/orders/") {
		*slot = req.Header.Get("Authorization")
	}
	return s.next.RoundTrip(req)
}

// jwtExpiry reads the exp claim of a bearer JWT without verifying it: the
// resource server verified it; this only says when it expired.
func jwtExpiry(authorization string) (time.Time, bool) {
	parts := strings.Split(strings.TrimPrefix(authorization, "Bearer "), ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == 0 {
		return time.Time{}, false
	}
	return time.Unix(claims.Exp, 0), true
}

const (
	loadGoroutines = 200
	loadPerG       = 50 // 200 × 50 = 10,000 measured calls
	loadPace       = 10 * time.Second
	// loadMargin is the service's expiry margin. With 2 s tokens it is capped at
	// half the lifetime: each token is refreshed 1 s after it was obtained.
	loadMargin = time.Minute
)

// refreshPoint is when the runtime starts refreshing a token ahead of its
// expiry: token.Config.ExpiryMargin before it, at most half its life (documented).
func refreshPoint(st storedToken, margin time.Duration) time.Time {
	return st.Expiry.Add(-min(margin, st.Expiry.Sub(st.Obtained)/2))
}

// loadRun makes 200 concurrent cold calls (the warm-up: connections and the
// first token), then 10,000 calls from 200 goroutines, paced evenly over
// loadPace, each a getOrder through a generated method (tpgenimpl.Invoke) against the resource server,
// which verifies every token's signature, issuer, expiry and audience.
func loadRun(t *testing.T, auth *authserver.Server, a *api, life time.Duration) loadResult {
	t.Helper()
	auth.SetTokenLifetime(life)
	auth.ResetCounters()
	var conns atomic.Int64
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 0, loadGoroutines+16 // a pool that fits the concurrency, as in production
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conns.Add(1)
		return dial(ctx, network, addr)
	}
	defer tr.CloseIdleConnections()
	sent := &sentTokens{next: tr}
	store := newRecordingStore()
	obs := &observer{}
	svc := ccService(t, auth, a, runtime.WithAuth(runtime.Auth{TokenURL: auth.TokenURL()}), runtime.WithHTTPClient(&http.Client{Transport: sent}),
		runtime.WithAuth(runtime.Auth{Tokens: token.Config{Store: store}}), runtime.WithObserver(obs), runtime.WithAuth(runtime.Auth{Tokens: token.Config{ExpiryMargin: loadMargin}}))

	var failed, stale atomic.Int64
	var staleMu sync.Mutex
	staleTokens := map[string]time.Time{} // the stale tokens sent, and their exp
	fail := func(err error) {
		if failed.Add(1) <= 5 {
			t.Errorf("call failed: %v", err)
		}
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for range loadGoroutines {
		wg.Go(func() {
			if _, err := getOrder(ctx, svc, "warm"); err != nil {
				fail(err)
			}
		})
	}
	wg.Wait()
	warmTokens := auth.TokenRequests()
	warmRecords := len(obs.Records())

	type span struct{ start, end time.Time }
	spans := make([][]span, loadGoroutines)
	interval := loadPace / loadPerG
	begin := time.Now()
	for g := range loadGoroutines {
		spans[g] = make([]span, 0, loadPerG)
		wg.Go(func() {
			offset := time.Duration(g) * interval / loadGoroutines
			for k := range loadPerG {
				time.Sleep(time.Until(begin.Add(offset + time.Duration(k)*interval)))
				s := time.Now()
				var auth string
				_, err := getOrder(context.WithValue(ctx, sentKey{}, &auth), svc, "1")
				spans[g] = append(spans[g], span{s, time.Now()})
				if err != nil {
					fail(err)
				}
				if exp, ok := jwtExpiry(auth); !ok || !exp.After(s) {
					stale.Add(1)
					staleMu.Lock()
					staleTokens[strings.TrimPrefix(auth, "Bearer ")] = exp
					staleMu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	r := loadResult{elapsed: time.Since(begin), failed: int(failed.Load()), stale: int(stale.Load()), connsOpened: conns.Load(), warmupTokenRequests: warmTokens}
	var lat []time.Duration
	r.firstStart = begin.Add(time.Hour)
	for _, ss := range spans {
		for _, s := range ss {
			lat = append(lat, s.end.Sub(s.start))
			if s.start.Before(r.firstStart) {
				r.firstStart = s.start
			}
			if s.start.After(r.lastStart) {
				r.lastStart = s.start
			}
			if s.end.After(r.lastEnd) {
				r.lastEnd = s.end
			}
		}
	}
	r.calls = len(lat)
	slices.Sort(lat)
	r.p50, r.p99, r.max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]

	// A refresh that the last calls started is let finish before counting: a
	// background refresh starts at once, and reports its event after storing.
	time.Sleep(300 * time.Millisecond)
	if !waitFor(30*time.Second, func() bool { return int64(len(obs.Events())) == auth.TokenRequests() }) {
		t.Errorf("%d token events for %d token requests", len(obs.Events()), auth.TokenRequests())
	}
	r.requests, r.log, r.stored, r.events = auth.TokenRequests(), auth.TokenLog(), store.Stored(), obs.Events()
	values := store.Values()
	for i, v := range values {
		if exp, ok := staleTokens[v]; ok && i < len(r.stored) && r.stored[i].At.After(exp) {
			delete(staleTokens, v)
		}
	}
	r.unexplained = len(staleTokens) > 0
	for _, rec := range obs.Records()[warmRecords:] {
		if !rec.TokenCache {
			r.waited++
		}
	}
	return r
}

// TestLoad: 10,000 calls from 200 goroutines through a generated method (tpgenimpl.Invoke), once with
// tokens that never expire during the run and once with 2 s tokens that turn
// over several times, against a resource server that verifies every token.
//
// What the token count must be, with refresh ahead: the runtime uses a token
// until its refresh point (expiry less the margin, at most half its life: 1 s
// here), then the first call after that point starts one background refresh
// while the calls go on with the old token. So every token that reached its
// refresh point while calls were being made was replaced by exactly one token
// request, and no other: requests == 1 + refresh points elapsed during the
// run. The test derives the refresh points from the tokens the runtime stored
// (their Obtained and Expiry) and checks, with no slack, that no token request
// came before the refresh point of the token in hand (that would be a double
// or premature fetch), that the last token had not reached its refresh point
// when the last call started (a missed refresh), and that only the very first
// token was waited for. A call that started before a refresh point but took
// its token after it may trigger the refresh too: the only tolerance, counted
// exactly from the calls' end times.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: about 20 s")
	}
	auth := startProvider(t)
	// A token the runtime sends with a fraction of a second left may reach
	// the resource server after its expiry when the machine is saturated
	// (latencies of seconds were seen under -race on two busy cores), and a
	// refused token would make the runtime re-authenticate, upsetting the
	// exact token counts. So the resource server allows a minute, and expiry
	// is checked where it does not depend on the machine's speed: no call may
	// send a token that had expired before the call started (r.stale).
	auth.SetVerifyLeeway(time.Minute)
	a := newAPI(t, auth, "orders-api")

	static := loadRun(t, auth, a, time.Hour)
	short := loadRun(t, auth, a, 2*time.Second)

	for _, c := range []struct {
		name string
		r    loadResult
	}{{"long-lived tokens", static}, {"2 s tokens", short}} {
		r := c.r
		t.Logf("%s: %d calls from %d goroutines in %s (+%d warm-up calls), %d failed; latency p50 %s p99 %s max %s; %d token requests; %d connections opened",
			c.name, r.calls, loadGoroutines, r.elapsed.Round(time.Millisecond), loadGoroutines, r.failed,
			r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.max.Round(10*time.Microsecond), r.requests, r.connsOpened)
		if r.failed != 0 || r.calls != loadGoroutines*loadPerG {
			t.Errorf("%s: %d of %d calls failed", c.name, r.failed, r.calls)
		}
		switch {
		case r.stale != 0 && r.unexplained:
			t.Errorf("%s: %d calls sent a token that had expired before they started (or none)", c.name, r.stale)
		case r.stale != 0:
			t.Logf("%s: %d calls sent a token that expired before they started, each one that was already expired when its token request answered (the machine is saturated: token requests outlived the tokens)", c.name, r.stale)
		}
		if int64(len(r.stored)) != r.requests || int64(len(r.log)) != r.requests || int64(len(r.events)) != r.requests {
			t.Fatalf("%s: %d token requests, %d tokens stored, %d logged, %d events", c.name, r.requests, len(r.stored), len(r.log), len(r.events))
		}
		// Only the first token is waited for; every later one is a background
		// refresh, as long as each refresh arrived before its predecessor's
		// use-by point (see lateRefreshes below); when some did not, the
		// machine made calls wait, and waiting calls fetch in the foreground.
		late := len(lateRefreshes(r.stored)) > 0
		for i, e := range r.events {
			if e.Err != nil || i == 0 && e.Background || i > 0 && !e.Background && !late {
				t.Errorf("%s: token event %d: background=%v err=%v", c.name, i, e.Background, e.Err)
			}
		}
		if r.warmupTokenRequests != 1 {
			t.Errorf("%s: %d concurrent cold calls made %d token requests, want 1", c.name, loadGoroutines, r.warmupTokenRequests)
		}
	}
	for _, h := range a.Hits() {
		if h.Rejected != "" {
			t.Fatalf("the resource server refused a token: %s", h.Rejected)
		}
	}

	// Long-lived tokens: one token request for everything.
	if static.requests != 1 {
		t.Errorf("long-lived tokens: %d token requests, want 1", static.requests)
	}

	// Short-lived tokens: requests == refresh points elapsed + 1, exactly.
	var expiries, ambiguous int
	var gaps []string
	for i, st := range short.stored {
		rp := refreshPoint(st, loadMargin)
		if i+1 < len(short.stored) {
			next := short.log[i+1].Time // when the next token request reached the provider
			if next.Before(rp) {
				t.Errorf("token %d was requested %s before token %d reached its refresh point: a redundant fetch", i+1, rp.Sub(next), i)
			}
			gaps = append(gaps, fmt.Sprintf("%.0fms", next.Sub(short.log[i].Time).Seconds()*1000))
		}
		switch {
		case !rp.After(short.lastStart):
			expiries++
		case !rp.After(short.lastEnd):
			ambiguous++ // reached while the last calls were still under way
		}
	}
	if last := short.stored[len(short.stored)-1]; !refreshPoint(last, loadMargin).After(short.lastStart) {
		t.Errorf("the last token reached its refresh point %s before the last call started, and was not refreshed",
			short.lastStart.Sub(refreshPoint(last, loadMargin)))
	}
	got := int(short.requests) - 1
	if got < expiries || got > expiries+ambiguous {
		t.Errorf("2 s tokens: %d token requests, want refresh points elapsed (%d) + 1", short.requests, expiries)
	}
	if expiries < 4 {
		t.Errorf("only %d refresh points during the run: tokens did not turn over enough to prove anything", expiries)
	}
	life := short.stored[0].Expiry.Sub(short.stored[0].Obtained)
	run := short.lastEnd.Sub(short.log[0].Time)
	t.Logf("2 s tokens: expires_in %s, refreshed %s after being obtained; run (first token request to last call) %s = %.1f lifetimes, %.1f refresh periods; "+
		"token requests %d = refresh points elapsed %d (+%d reached during the last calls) + 1; gaps between token requests %v",
		life, life-min(loadMargin, life/2), run.Round(time.Millisecond), run.Seconds()/life.Seconds(),
		run.Seconds()/(life-min(loadMargin, life/2)).Seconds(), short.requests, expiries, ambiguous, gaps)

	// Latency: refresh ahead keeps expiring tokens off the calls' path.
	ratio := float64(short.p99) / float64(static.p99)
	t.Logf("p99 with 2 s tokens / p99 with long-lived tokens = %s / %s = %.2f; p50 %s / %s",
		short.p99.Round(10*time.Microsecond), static.p99.Round(10*time.Microsecond), ratio,
		short.p50.Round(10*time.Microsecond), static.p50.Round(10*time.Microsecond))
	// What keeps refresh ahead off the calls' path is that no call waits for
	// the token endpoint: asserted exactly. The latencies themselves are only
	// reported: the two runs are sequential on a shared machine (other test
	// packages run beside this one), so a timed assertion would measure the
	// neighbours (seen: p99 48 ms vs 271 ms with identical token behaviour).
	//
	// What refresh ahead promises is conditional on the token endpoint: a call
	// never waits as long as each refreshed token arrives before the token it
	// replaces reaches its use-by point (the last tenth of its life, at most
	// 5 s). On a saturated machine a refresh can take longer than that window
	// (0.8 s with 2 s tokens); then calls wait, and that is the machine, not a
	// fault. So: no waits at all when every refresh arrived in time (exact),
	// and otherwise the late refreshes are reported.
	if static.waited != 0 {
		t.Errorf("long-lived tokens: %d calls waited for a token after warm-up, want 0", static.waited)
	}
	late := lateRefreshes(short.stored)
	switch {
	case short.waited != 0 && len(late) == 0:
		t.Errorf("2 s tokens: %d calls waited for a token after warm-up although every refresh arrived before its predecessor's use-by point; want 0", short.waited)
	case short.waited != 0:
		t.Logf("2 s tokens: %d calls waited for a token: the machine is loaded and %d refreshes arrived after the token they replaced reached its use-by point (%s)",
			short.waited, len(late), strings.Join(late, ", "))
	}
}

// useBy is when the runtime stops using a token and makes calls wait for a
// new one: the last tenth of its life, at most 5 s (tokenManager.phase).
func useBy(st storedToken) time.Time {
	return st.Expiry.Add(-min(5*time.Second, st.Expiry.Sub(st.Obtained)/10))
}

// lateRefreshes describes every token that was stored after the token it
// replaced had reached its use-by point.
func lateRefreshes(stored []storedToken) []string {
	var late []string
	for i := 1; i < len(stored); i++ {
		if d := stored[i].At.Sub(useBy(stored[i-1])); d > 0 {
			late = append(late, fmt.Sprintf("token %d arrived %s late", i, d.Round(time.Millisecond)))
		}
	}
	return late
}
