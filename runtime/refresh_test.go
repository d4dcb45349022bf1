package runtime_test

import (
	"context"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// TestRefreshAhead: with short-lived tokens, calls keep going across several
// expiries and none of them waits for the token endpoint; the refreshes happen
// in the background, one per token lifetime (less the margin).
func TestRefreshAhead(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several token lifetimes")
	}
	const (
		life     = 2 * time.Second
		margin   = time.Second // refresh starts 1 s before expiry (half the life: the most allowed)
		duration = 7 * time.Second
		slowIdP  = 100 * time.Millisecond // any call that waited for a token would take this long
	)
	auth := startProvider(t, authserver.WithTokenLifetime(life))
	auth.SetFault(authserver.Fault{Delay: slowIdP})
	a := newAPI(t, auth, "orders-api") // verifies expiry of every token it gets
	obs := &observer{}
	svc := ccService(t, auth, a, runtime.WithObserver(obs), runtime.WithAuth(runtime.Auth{Tokens: token.Config{ExpiryMargin: margin}}))

	ctx := context.Background()
	end := time.Now().Add(duration)
	calls := 0
	for time.Now().Before(end) {
		if _, err := getOrder(ctx, svc, "1"); err != nil {
			t.Fatalf("call %d: %v", calls, err)
		}
		calls++
		time.Sleep(10 * time.Millisecond)
	}
	// Let a refresh that is under way finish before counting.
	time.Sleep(2 * slowIdP)

	recs := obs.Records()
	if len(recs) != calls {
		t.Fatalf("%d records for %d calls", len(recs), calls)
	}
	if recs[0].TokenCache || recs[0].Token < slowIdP {
		t.Errorf("first call: cache=%v token wait %s, want a wait for the endpoint", recs[0].TokenCache, recs[0].Token)
	}
	var maxWait time.Duration
	for i, r := range recs[1:] {
		if !r.TokenCache {
			t.Errorf("call %d did not use the cache", i+1)
		}
		maxWait = max(maxWait, r.Token)
	}
	if maxWait >= slowIdP/2 {
		t.Errorf("a warm call waited %s for its token", maxWait)
	}
	events := obs.Events()
	for i, e := range events {
		if e.Err != nil || e.Background != (i > 0) || e.Grant != runtime.GrantClientCredentials {
			t.Errorf("token event %d: %+v", i, e)
		}
	}
	requests := auth.TokenRequests()
	if int64(len(events)) != requests {
		t.Errorf("%d token events for %d token requests", len(events), requests)
	}
	// Tokens are replaced every (life - margin + endpoint delay) = 1.1 s: over
	// 7 s that is the first token and 6 refreshes, each background; never more
	// (no call fetched for itself), and at least one refresh per lifetime.
	period := life - margin + slowIdP
	want := int64(duration/period) + 1
	if requests < int64(duration/life)+1 || requests > want {
		t.Errorf("token requests = %d over %s of %s tokens refreshed every %s, want at most %d", requests, duration, life, period, want)
	}
	for _, h := range a.Hits() {
		if h.Rejected != "" {
			t.Errorf("api refused a token: %s", h.Rejected)
		}
	}
	t.Logf("%d calls, %d token requests (%d background), max warm token wait %s", calls, requests, len(events)-1, maxWait)
}

// TestRefreshAheadFailure: when a background refresh fails, calls go on with
// the token they have, the failure is remembered for a second (no other
// refresh is tried meanwhile), and the token is obtained in the foreground
// once it has expired.
func TestRefreshAheadFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for a token lifetime")
	}
	auth := startProvider(t, authserver.WithTokenLifetime(2*time.Second))
	a := newAPI(t, auth, "orders-api")
	obs := &observer{}
	svc := ccService(t, auth, a, runtime.WithObserver(obs), runtime.WithAuth(runtime.Auth{Tokens: token.Config{ExpiryMargin: time.Second}}))
	ctx := context.Background()
	if _, err := getOrder(ctx, svc, "1"); err != nil {
		t.Fatal(err)
	}
	auth.SetFault(authserver.Fault{Status: 503, Body: `{"error":"temporarily_unavailable"}`})
	time.Sleep(1100 * time.Millisecond) // stale now
	for range 5 {
		if _, err := getOrder(ctx, svc, "1"); err != nil {
			t.Fatalf("stale token not used while refresh fails: %v", err)
		}
	}
	if !waitFor(30*time.Second, func() bool { return len(obs.Events()) >= 2 }) {
		t.Fatal("no background refresh")
	}
	if e := obs.Events()[1]; !e.Background || e.Err == nil {
		t.Errorf("refresh event %+v", e)
	}
	// Back-off: five stale calls within a second led to a single background attempt.
	if got := auth.TokenRequests(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
	auth.Reset()
	// Expired now, and the failure no longer remembered (for a second): the
	// next call fetches in the foreground.
	time.Sleep(1200 * time.Millisecond)
	if _, err := getOrder(ctx, svc, "1"); err != nil {
		t.Fatal(err)
	}
}
