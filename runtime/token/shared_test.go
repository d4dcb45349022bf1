package token_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime/token"
)

// fleet is a SharedStore held in this process: one shared map of tokens and
// leases (what Redis holds for a fleet) behind the near stores of several
// Caches, each playing one process. The Redis store in its own module is
// tested against a real redis-server; this one tests what the Cache does
// with any SharedStore.
type fleet struct {
	mu      sync.Mutex
	changed *sync.Cond
	tokens  map[string]*token.Token
	leases  map[string]int // key -> holder
	down    atomic.Bool    // Claim fails: the store cannot coordinate
	claims  atomic.Int64
	granted atomic.Int64
	freed   atomic.Int64
}

func newFleet() *fleet {
	f := &fleet{tokens: map[string]*token.Token{}, leases: map[string]int{}}
	f.changed = sync.NewCond(&f.mu)
	return f
}

// member is one process's view of the fleet: its own near store.
type member struct {
	f    *fleet
	id   int
	near *token.MemoryStore
}

func (f *fleet) member(id int) *member { return &member{f: f, id: id, near: token.NewMemoryStore(0)} }

func (m *member) Load(key string) (*token.Token, bool) { return m.near.Load(key) }

func (m *member) Store(key string, t *token.Token) {
	m.near.Store(key, t)
	if m.f.down.Load() {
		return
	}
	m.f.mu.Lock()
	m.f.tokens[key] = t
	m.f.mu.Unlock()
}

func (m *member) Delete(key string, t *token.Token) {
	m.near.Delete(key, t)
	m.f.mu.Lock()
	if m.f.tokens[key] == t {
		delete(m.f.tokens, key)
	}
	m.f.mu.Unlock()
}

func (m *member) Claim(ctx context.Context, key string, usable func(*token.Token) bool) (token.Claim, error) {
	m.f.claims.Add(1)
	if m.f.down.Load() {
		return token.Claim{}, errors.New("the fleet store is down")
	}
	stop := context.AfterFunc(ctx, func() {
		m.f.mu.Lock()
		m.f.changed.Broadcast()
		m.f.mu.Unlock()
	})
	defer stop()
	m.f.mu.Lock()
	defer m.f.mu.Unlock()
	waited := false
	for {
		if t := m.f.tokens[key]; t != nil && usable(t) {
			m.near.Store(key, t)
			return token.Claim{Token: t, Waited: waited}, nil
		}
		if _, held := m.f.leases[key]; !held {
			m.f.leases[key] = m.id
			m.f.granted.Add(1)
			return token.Claim{Lease: release(func() {
				m.f.mu.Lock()
				delete(m.f.leases, key)
				m.f.freed.Add(1)
				m.f.changed.Broadcast()
				m.f.mu.Unlock()
			})}, nil
		}
		if ctx.Err() != nil {
			return token.Claim{}, ctx.Err()
		}
		waited = true
		m.f.changed.Wait()
	}
}

type release func()

func (r release) Release() { r() }

// countingFetcher hands out numbered tokens of a given lifetime by a clock,
// after a pause long enough that concurrent callers find the flight.
type countingFetcher struct {
	n     atomic.Int64
	life  time.Duration
	now   func() time.Time
	pause time.Duration
	fail  atomic.Bool
}

func (c *countingFetcher) FetchToken(ctx context.Context, r *token.Request) (*token.Token, error) {
	n := c.n.Add(1)
	time.Sleep(c.pause)
	if c.fail.Load() {
		return nil, &token.Error{StatusCode: 400, Code: "invalid_client"}
	}
	now := c.now()
	return &token.Token{AccessToken: fmt.Sprintf("tok-%d", n), Obtained: now, Expiry: now.Add(c.life)}, nil
}

// clock is a settable clock for the caches' phases.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// caches returns n Caches, the processes of one fleet.
func fleetCaches(f *fleet, n int, fetcher token.Fetcher, now func() time.Time) []*token.Cache {
	out := make([]*token.Cache, n)
	for i := range out {
		out[i] = token.NewCache(token.Config{Store: f.member(i), Fetcher: fetcher, Now: now, ExpiryMargin: time.Minute, Timeout: 5 * time.Second}, nil)
	}
	return out
}

// callAll makes per concurrent Token calls on every cache and returns how
// many failed and how many did not come from a cache (waited).
func callAll(caches []*token.Cache, per int) (failed, waited int64) {
	var wg sync.WaitGroup
	var nf, nw atomic.Int64
	for _, c := range caches {
		for range per {
			wg.Go(func() {
				_, hit, err := c.Token(context.Background(), "cc", &token.Request{Service: "orders"})
				if err != nil {
					nf.Add(1)
				}
				if !hit {
					nw.Add(1)
				}
			})
		}
	}
	wg.Wait()
	return nf.Load(), nw.Load()
}

func TestSharedStoreOneRequestPerFleet(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	f := newFleet()
	fetch := &countingFetcher{life: 10 * time.Minute, now: clk.Now, pause: 20 * time.Millisecond}
	caches := fleetCaches(f, 8, fetch, clk.Now)

	// Cold: 8 processes × 50 calls at once make one token request.
	if failed, _ := callAll(caches, 50); failed != 0 {
		t.Fatalf("%d cold calls failed", failed)
	}
	if n := fetch.n.Load(); n != 1 {
		t.Fatalf("a cold fleet of 8 made %d token requests, want 1", n)
	}
	if g, r := f.granted.Load(), f.freed.Load(); g != 1 || r != 1 {
		t.Errorf("leases granted %d, released %d; want 1 and 1", g, r)
	}
	// Warm: served from each process's memory, without asking the fleet.
	claims := f.claims.Load()
	if failed, waited := callAll(caches, 50); failed != 0 || waited != 0 {
		t.Fatalf("warm calls: %d failed, %d not from the cache", failed, waited)
	}
	if c := f.claims.Load(); c != claims {
		t.Errorf("warm calls asked the shared store %d times", c-claims)
	}

	// Due for refresh (within the margin): every process refreshes ahead in
	// the background, and the fleet makes one request for all of them.
	clk.Add(9*time.Minute + 30*time.Second)
	if failed, waited := callAll(caches, 50); failed != 0 || waited != 0 {
		t.Fatalf("calls on a stale token: %d failed, %d waited", failed, waited)
	}
	if !waitUntil(func() bool { return allHold(caches, "tok-2", clk.Now()) }) {
		t.Fatalf("not every process took the refreshed token")
	}
	if n := fetch.n.Load(); n != 2 {
		t.Errorf("refresh ahead in a fleet of 8 made %d token requests in all, want 2", n)
	}

	// Expired everywhere (a fleet that slept): one request again, and the
	// calls that waited for it are reported as not cached.
	clk.Add(time.Hour)
	failed, waited := callAll(caches, 20)
	if failed != 0 || waited != 8*20 {
		t.Errorf("calls on an expired token: %d failed, %d waited; want 0 and %d", failed, waited, 8*20)
	}
	if n := fetch.n.Load(); n != 3 {
		t.Errorf("%d token requests in all, want 3", n)
	}
}

// allHold reports whether every cache serves tok as fresh.
func allHold(caches []*token.Cache, tok string, now time.Time) bool {
	for _, c := range caches {
		if t, ok := c.Fresh("cc", now); !ok || t.AccessToken != tok {
			return false
		}
	}
	return true
}

func waitUntil(cond func() bool) bool {
	for range 500 {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

func TestSharedStoreDownFetchesAlone(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	f := newFleet()
	f.down.Store(true)
	fetch := &countingFetcher{life: 10 * time.Minute, now: clk.Now, pause: 20 * time.Millisecond}
	caches := fleetCaches(f, 4, fetch, clk.Now)
	if failed, _ := callAll(caches, 25); failed != 0 {
		t.Fatalf("%d calls failed while the shared store was down", failed)
	}
	// Each process on its own: one request each, single flight within it.
	if n := fetch.n.Load(); n != 4 {
		t.Errorf("4 processes with the shared store down made %d token requests, want 4", n)
	}
	// Back up: the next refresh goes through the fleet again.
	f.down.Store(false)
	clk.Add(9*time.Minute + 30*time.Second)
	callAll(caches, 5)
	if !waitUntil(func() bool { return f.claims.Load() >= 8 && fetch.n.Load() >= 5 }) {
		t.Fatal("no refresh after the shared store came back")
	}
	if !waitUntil(func() bool { return allHold(caches, "tok-5", clk.Now()) }) {
		t.Errorf("after the store came back, the processes did not share one refreshed token")
	}
	if n := fetch.n.Load(); n != 5 {
		t.Errorf("%d token requests in all, want 5 (4 alone, then 1 for the fleet)", n)
	}
}

func TestSharedStoreLeaseReleasedOnFailure(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	f := newFleet()
	fetch := &countingFetcher{life: 10 * time.Minute, now: clk.Now}
	fetch.fail.Store(true)
	caches := fleetCaches(f, 3, fetch, clk.Now)
	for _, c := range caches {
		if _, _, err := c.Token(context.Background(), "cc", &token.Request{Service: "orders"}); err == nil {
			t.Fatal("a refused token request gave a token")
		}
	}
	// A failure is not shared: each process tried once (400 is not retried),
	// one after the other, each under the lease, and gave it back.
	if g, r, n := f.granted.Load(), f.freed.Load(), fetch.n.Load(); g != 3 || r != 3 || n != 3 {
		t.Errorf("leases granted %d, released %d, token requests %d; want 3, 3, 3", g, r, n)
	}
	if len(f.leases) != 0 {
		t.Errorf("leases left held: %v", f.leases)
	}
}
