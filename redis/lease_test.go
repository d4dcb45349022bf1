package redis_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/redis"
	"github.com/tpgen/tpgen/runtime/token"
)

func TestLeaseIsExclusive(t *testing.T) {
	srv := startRedis(t)
	a, _ := newStore(t, srv, redis.Config{})
	b, _ := newStore(t, srv, redis.Config{})
	ctx := context.Background()
	ca, err := a.Claim(ctx, "cc", anyToken)
	if err != nil || ca.Lease == nil {
		t.Fatalf("first claim = %+v, %v", ca, err)
	}
	// While a holds the lease, b waits; it gets a's token when a stores it.
	got := make(chan token.Claim, 1)
	go func() {
		c, err := b.Claim(ctx, "cc", anyToken)
		if err != nil {
			t.Error(err)
		}
		got <- c
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case c := <-got:
		t.Fatalf("b did not wait for a's lease: %+v", c)
	default:
	}
	a.Store("cc", tok("from-a", time.Minute))
	ca.Lease.Release()
	c := <-got
	if c.Token == nil || c.Token.AccessToken != "from-a" || !c.Waited || c.Lease != nil {
		t.Fatalf("b's claim = %+v; want a's token, waited for", c)
	}
	if st := b.Stats(); st.Waited != 1 || st.Leases != 0 || st.Available != true {
		t.Errorf("b's stats %+v", st)
	}
}

// TestDeadHolderLosesLease: a process that died holding the lease (its lease
// is in Redis, nobody renews it) blocks the others no longer than the lease
// lives.
func TestDeadHolderLosesLease(t *testing.T) {
	srv := startRedis(t)
	b, _ := newStore(t, srv, redis.Config{})
	_, leaseName := redis.Names(b, "cc")
	rdb := srv.Client()
	ctx := context.Background()
	const ttl = 500 * time.Millisecond
	rdb.Set(ctx, leaseName, "a-process-that-died", ttl)
	start := time.Now()
	c, err := b.Claim(ctx, "cc", anyToken)
	waited := time.Since(start)
	if err != nil || c.Lease == nil {
		t.Fatalf("claim after the holder died = %+v, %v; want the lease", c, err)
	}
	defer c.Lease.Release()
	// Nobody jumped the dead holder's lease: it was taken after it ended.
	if waited < ttl-10*time.Millisecond {
		t.Errorf("the lease was taken after %s, before the dead holder's %s ended", waited, ttl)
	}
	t.Logf("a dead holder's lease of %s was taken over %s after the claim began", ttl, waited.Round(time.Millisecond))
}

// TestLeaseRenewedWhileFetching: a holder whose token request takes longer
// than LeaseTTL keeps the lease.
func TestLeaseRenewedWhileFetching(t *testing.T) {
	srv := startRedis(t)
	const ttl = 300 * time.Millisecond
	a, _ := newStore(t, srv, redis.Config{LeaseTTL: ttl})
	b, _ := newStore(t, srv, redis.Config{LeaseTTL: ttl})
	ca, err := a.Claim(context.Background(), "cc", anyToken)
	if err != nil || ca.Lease == nil {
		t.Fatal(ca, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*ttl)
	defer cancel()
	cb, err := b.Claim(ctx, "cc", anyToken)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("b's claim while a holds a renewed lease = %+v, %v; want to wait until its context ends", cb, err)
	}
	ca.Lease.Release()
	if st := b.Stats(); !st.Available || st.Outages != 0 {
		t.Errorf("a claim that waited until its context ended made Redis unavailable: %+v", st)
	}
	cb, err = b.Claim(context.Background(), "cc", anyToken)
	if err != nil || cb.Lease == nil {
		t.Fatalf("after the release: %+v, %v", cb, err)
	}
	cb.Lease.Release()
}

// outageCase stops Redis one way and starts it again.
type outageCase struct {
	name        string
	stop, start func(*redisServer)
}

var outages = []outageCase{
	{"down", (*redisServer).Kill, (*redisServer).Start},
	{"slow", (*redisServer).Pause, (*redisServer).Resume},
}

// TestOutage: with Redis down (killed) or slow (stopped: it accepts
// connections and answers nothing), claims fail within the operation timeout,
// the store says so once, stops asking Redis, and shares again once Redis
// answers.
func TestOutage(t *testing.T) {
	for _, oc := range outages {
		t.Run(oc.name, func(t *testing.T) {
			srv := startRedis(t)
			const opTimeout = 200 * time.Millisecond
			s, logs := newStore(t, srv, redis.Config{OpTimeout: opTimeout, RetryInterval: 300 * time.Millisecond})
			ctx := context.Background()
			s.Store("cc", tok("before", time.Minute))
			oc.stop(srv)
			defer func() {
				if oc.name == "slow" {
					srv.Resume() // so that the cleanup's kill is not delayed
				}
			}()
			start := time.Now()
			_, err := s.Claim(ctx, "cc", func(*token.Token) bool { return false })
			took := time.Since(start)
			if err == nil {
				t.Fatal("a claim succeeded with Redis " + oc.name)
			}
			t.Logf("redis %s: the claim failed after %s (op timeout %s): %v", oc.name, took.Round(time.Millisecond), opTimeout, err)
			st := s.Stats()
			if st.Available || st.Outages != 1 || st.Fallbacks != 1 {
				t.Errorf("stats %+v", st)
			}
			// Meanwhile Redis is not asked: no operation, no wait.
			errs := st.Errors
			for range 50 {
				if _, err := s.Claim(ctx, "cc", anyToken); err == nil {
					t.Fatal("a claim succeeded during the outage")
				}
				s.Store("cc", tok("during", time.Minute))
			}
			if st := s.Stats(); st.Errors != errs || st.Fallbacks != 51 {
				t.Errorf("during the outage: %d more Redis errors (want 0), %d fallbacks (want 51)", st.Errors-errs, st.Fallbacks)
			}
			if near, ok := s.Load("cc"); !ok || near.AccessToken != "during" {
				t.Errorf("the near cache does not serve the token fetched during the outage")
			}
			if n := logs.Count("unavailable"); n != 1 {
				t.Errorf("%d log lines about the outage, want 1:\n%s", n, logs)
			}

			oc.start(srv)
			var c token.Claim
			deadline := time.Now().Add(10 * time.Second)
			for err = errors.New("not yet"); err != nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				c, err = s.Claim(ctx, "cc", func(*token.Token) bool { return false })
			}
			if err != nil {
				t.Fatalf("no recovery after Redis came back: %v", err)
			}
			c.Lease.Release()
			if st := s.Stats(); !st.Available || st.Recoveries != 1 {
				t.Errorf("after recovery: %+v", st)
			}
			if n := logs.Count("available again"); n != 1 {
				t.Errorf("%d log lines about the recovery, want 1:\n%s", n, logs)
			}
		})
	}
}

// TestCacheThroughOutage: a token.Cache on the store serves every call while
// Redis is down, fetching on its own.
func TestCacheThroughOutage(t *testing.T) {
	srv := startRedis(t)
	s, _ := newStore(t, srv, redis.Config{OpTimeout: 200 * time.Millisecond})
	var fetches atomic.Int64
	fetcher := fetcherFunc(func(ctx context.Context, r *token.Request) (*token.Token, error) {
		fetches.Add(1)
		return tok("t", 2*time.Second), nil
	})
	c := token.NewCache(token.Config{Store: s, Fetcher: fetcher}, nil)
	ctx := context.Background()
	if _, _, err := c.Token(ctx, "cc", &token.Request{}); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	// Every token request from here on is made by this process alone.
	for i := range 10 {
		time.Sleep(200 * time.Millisecond)
		if _, _, err := c.Token(ctx, "cc", &token.Request{}); err != nil {
			t.Fatalf("call %d with Redis down: %v", i, err)
		}
	}
	if n := fetches.Load(); n < 2 {
		t.Errorf("%d token requests over 2 s of 2 s tokens", n)
	}
	if st := s.Stats(); st.Available || st.Fallbacks == 0 {
		t.Errorf("stats %+v", st)
	}
}

type fetcherFunc func(ctx context.Context, r *token.Request) (*token.Token, error)

func (f fetcherFunc) FetchToken(ctx context.Context, r *token.Request) (*token.Token, error) {
	return f(ctx, r)
}

// TestRecoveryProbe: after an outage the refreshes of every key of a process
// come due together. The first claim probes Redis; the others wait for its
// outcome instead of falling back, so that none of them becomes a token
// request of the process's own once Redis answers again.
func TestRecoveryProbe(t *testing.T) {
	srv := startRedis(t)
	s, _ := newStore(t, srv, redis.Config{RetryInterval: 100 * time.Millisecond})
	ctx := context.Background()
	srv.Kill()
	if _, err := s.Claim(ctx, "k0", anyToken); err == nil {
		t.Fatal("a claim succeeded with Redis down")
	}
	srv.Start()
	time.Sleep(150 * time.Millisecond) // the retry interval has passed: the next claim probes
	before := s.Stats()
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range 6 {
		wg.Go(func() {
			c, err := s.Claim(ctx, fmt.Sprintf("k%d", i+1), func(*token.Token) bool { return false })
			if err != nil {
				failed.Add(1)
				t.Logf("claim k%d: %v", i+1, err)
				return
			}
			c.Lease.Release()
		})
	}
	wg.Wait()
	after := s.Stats()
	if n := failed.Load(); n != 0 || after.Fallbacks != before.Fallbacks || after.Leases != before.Leases+6 || after.Recoveries != 1 {
		t.Errorf("%d of 6 claims failed after Redis came back; fallbacks %d -> %d, leases %d -> %d, recoveries %d",
			n, before.Fallbacks, after.Fallbacks, before.Leases, after.Leases, after.Recoveries)
	}
}
