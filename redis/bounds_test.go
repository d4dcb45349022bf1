package redis_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tpgen/tpgen/redis"
	"github.com/tpgen/tpgen/runtime/token"
)

func TestTTLNoLongerThanToken(t *testing.T) {
	srv := startRedis(t)
	s, _ := newStore(t, srv, redis.Config{})
	rdb := srv.Client()
	ctx := context.Background()
	for _, life := range []time.Duration{1500 * time.Millisecond, 10 * time.Minute, 24 * time.Hour} {
		key := fmt.Sprintf("cc|%s", life)
		tk := tok("access", life)
		s.Store(key, tk)
		name, _ := redis.Names(s, key)
		// When Redis lets it go (unix ms, Redis 7): no later than the token expires.
		at, err := rdb.PExpireTime(ctx, name).Result()
		if err != nil {
			t.Fatal(err)
		}
		if at <= 0 || at.Milliseconds() > tk.Expiry.UnixMilli() {
			t.Errorf("token of %s expiring at %d kept until %d (unix ms)", life, tk.Expiry.UnixMilli(), at.Milliseconds())
		}
	}
	// An expired token is not written at all.
	s.Store("cc|expired", &token.Token{AccessToken: "old", Obtained: time.Now().Add(-time.Hour), Expiry: time.Now().Add(-time.Minute)})
	if name, _ := redis.Names(s, "cc|expired"); rdb.Exists(ctx, name).Val() != 0 {
		t.Error("an expired token was written to Redis")
	}
}

// TestEntriesBounded stores more tokens under one prefix than MaxEntries
// allows, as a flood of new callers of a token exchange service would: those
// that expire first go.
func TestEntriesBounded(t *testing.T) {
	srv := startRedis(t)
	const max = 10
	s, _ := newStore(t, srv, redis.Config{MaxEntries: max})
	for i := range 3 * max {
		s.Store(fmt.Sprintf("tx|user-%d", i), tok(fmt.Sprintf("token-%d", i), time.Minute+time.Duration(i)*time.Second))
	}
	rdb := srv.Client()
	ctx := context.Background()
	if n := len(tokenKeys(t, rdb)); n != max {
		t.Errorf("%d tokens in Redis, want at most %d", n, max)
	}
	if n := rdb.ZCard(ctx, "{"+redis.DefaultKeyPrefix+"}:index").Val(); n != max {
		t.Errorf("index of %d entries, want %d", n, max)
	}
	if n := rdb.DBSize(ctx).Val(); n != max+1 {
		t.Errorf("%d keys in Redis, want %d tokens and the index", n, max)
	}
	// The survivors are the ones that expire last.
	other, _ := newStore(t, srv, redis.Config{})
	for i := range 3 * max {
		c, err := other.Claim(ctx, fmt.Sprintf("tx|user-%d", i), anyToken)
		if err != nil {
			t.Fatal(err)
		}
		if kept := c.Token != nil; kept != (i >= 2*max) {
			t.Errorf("user %d: kept %v", i, kept)
		}
		if c.Lease != nil {
			c.Lease.Release()
		}
	}
	if st := s.Stats(); st.Stored != 3*max {
		t.Errorf("Stored = %d, want %d", st.Stored, 3*max)
	}
}

// TestDeleteComparesTokens: a process that saw its token refused removes it
// from Redis, but not a token another process stored meanwhile.
func TestDeleteComparesTokens(t *testing.T) {
	srv := startRedis(t)
	a, _ := newStore(t, srv, redis.Config{})
	b, _ := newStore(t, srv, redis.Config{})
	ctx := context.Background()
	old := tok("old", time.Minute)
	a.Store("cc", old)
	c, _ := b.Claim(ctx, "cc", anyToken)
	seen := c.Token
	a.Store("cc", tok("new", time.Minute)) // a replaced it meanwhile
	b.Delete("cc", seen)                   // b's refusal of the old one
	if _, ok := b.Load("cc"); ok {
		t.Error("the refused token is still in b's memory")
	}
	if c, _ := b.Claim(ctx, "cc", anyToken); c.Token == nil || c.Token.AccessToken != "new" {
		t.Fatalf("the newer token was deleted: %+v", c)
	}
	// The holder of the current token refuses it: it goes from Redis too.
	cur, _ := a.Load("cc")
	a.Delete("cc", cur)
	c, err := b.Claim(ctx, "cc", func(t *token.Token) bool { return t.AccessToken != "new" })
	if err != nil || c.Lease == nil {
		t.Fatalf("after the current token was refused, Claim = %+v, %v; want the lease", c, err)
	}
	c.Lease.Release()
	name, _ := redis.Names(a, "cc")
	if srv.Client().Exists(ctx, name).Val() != 0 {
		t.Error("the refused token is still in Redis")
	}
}
