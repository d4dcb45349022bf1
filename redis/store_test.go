package redis_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tpgen/tpgen/redis"
	"github.com/tpgen/tpgen/runtime/token"
)

var testKey = bytes.Repeat([]byte("k"), 32)

// logBuffer collects what a store logs.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) Count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newStore(t testing.TB, srv *redisServer, c redis.Config) (*redis.Store, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	if c.Addr == "" && c.Client == nil {
		c.Addr = srv.Addr()
	}
	if c.EncryptionKey == nil {
		c.EncryptionKey = testKey
	}
	c.Logger = slog.New(slog.NewTextHandler(logs, nil))
	s, err := redis.New(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, logs
}

func tok(access string, life time.Duration) *token.Token {
	now := time.Now()
	return &token.Token{AccessToken: access, TokenType: "Bearer", Scope: "orders.read", Obtained: now, Expiry: now.Add(life)}
}

func anyToken(*token.Token) bool { return true }

func TestStoreSharesBetweenProcesses(t *testing.T) {
	srv := startRedis(t)
	a, _ := newStore(t, srv, redis.Config{})
	b, _ := newStore(t, srv, redis.Config{})
	want := tok("access-1", time.Minute)
	a.Store("cc|orders", want)
	if _, ok := b.Load("cc|orders"); ok {
		t.Fatal("another process's near cache holds a token it never read")
	}
	c, err := b.Claim(context.Background(), "cc|orders", anyToken)
	if err != nil || c.Token == nil || c.Lease != nil {
		t.Fatalf("Claim = %+v, %v; want a's token", c, err)
	}
	got := c.Token
	if got.AccessToken != want.AccessToken || got.Scope != want.Scope || !got.Expiry.Equal(want.Expiry) || !got.Obtained.Equal(want.Obtained) {
		t.Errorf("read back %+v (%s), want %+v", got, got.AccessToken, want)
	}
	if got.Authorization() != "Bearer access-1" {
		t.Errorf("Authorization() = %q", got.Authorization())
	}
	if near, ok := b.Load("cc|orders"); !ok || near != got {
		t.Error("the claimed token is not served from memory afterwards")
	}
	if st := b.Stats(); st.Shared != 1 || st.Waited != 0 || st.Leases != 0 {
		t.Errorf("stats %+v", st)
	}
	// A token the caller may not use (due for refresh): the lease instead.
	c, err = b.Claim(context.Background(), "cc|orders", func(*token.Token) bool { return false })
	if err != nil || c.Token != nil || c.Lease == nil {
		t.Fatalf("Claim of an unusable token = %+v, %v; want the lease", c, err)
	}
	c.Lease.Release()
}

// TestSecretsAtRest reads everything Redis holds, as someone with read access
// to it would, and looks for the tokens, the secrets in the cache keys and
// anything that would confirm a guess of them.
func TestSecretsAtRest(t *testing.T) {
	srv := startRedis(t)
	s, _ := newStore(t, srv, redis.Config{})
	subject := "eyJhbGciOiJSUzI1NiJ9.the-callers-token.sig"
	sum := sha256.Sum256([]byte(subject))
	subjectHash := hex.EncodeToString(sum[:])
	// Keys as the runtime builds them: service, endpoint, client id, scopes, and for exchanges a hash of the subject token.
	ccKey := "cc|6:orders|8:endpoint|28:https://idp.example.com/token|13:orders-client|11:orders.read|0:|0:"
	txKey := "tx|6:orders|8:endpoint|28:https://idp.example.com/token|13:orders-client|11:orders.read|0:|0:||" + subjectHash
	s.Store(ccKey, tok("cc-access-token-value", time.Minute))
	s.Store(txKey, tok("tx-access-token-value", time.Minute))

	rdb := srv.Client()
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	var everything strings.Builder
	for _, k := range keys {
		everything.WriteString(k + "\n")
		switch typ := rdb.Type(ctx, k).Val(); typ {
		case "string":
			everything.WriteString(rdb.Get(ctx, k).Val() + "\n")
		case "zset":
			for _, m := range rdb.ZRange(ctx, k, 0, -1).Val() {
				everything.WriteString(m + "\n")
			}
		default:
			t.Errorf("key %s of type %s", k, typ)
		}
	}
	all := everything.String()
	// What a guess would look like: the key, or its hash, as an attacker
	// who knows the configuration and holds the subject token computes it.
	var guesses []string
	for _, k := range []string{ccKey, txKey} {
		h := sha256.Sum256([]byte(k))
		guesses = append(guesses, hex.EncodeToString(h[:]), base64.RawURLEncoding.EncodeToString(h[:]), base64.StdEncoding.EncodeToString(h[:]))
	}
	for _, secret := range append([]string{"cc-access-token-value", "tx-access-token-value", subject, subjectHash,
		subjectHash[:16], "orders-client", "orders.read", "idp.example.com", "orders|"}, guesses...) {
		if strings.Contains(all, secret) {
			t.Errorf("Redis holds %q in the clear", secret)
		}
	}
}

// TestMovedValueDoesNotOpen copies one user's entry over another's, as
// someone with write access to Redis could: the second user must not get the
// first one's token.
func TestMovedValueDoesNotOpen(t *testing.T) {
	srv := startRedis(t)
	s, logs := newStore(t, srv, redis.Config{})
	victim, _ := newStore(t, srv, redis.Config{})
	s.Store("tx|alice", tok("alice-token", time.Minute))
	s.Store("tx|bob", tok("bob-token", time.Minute))
	rdb := srv.Client()
	ctx := context.Background()
	alice, _ := redis.Names(s, "tx|alice")
	bob, _ := redis.Names(s, "tx|bob")
	v, _ := rdb.Get(ctx, alice).Bytes()
	ttl := rdb.PTTL(ctx, alice).Val()
	rdb.Set(ctx, bob, v, ttl)

	c, err := victim.Claim(ctx, "tx|bob", anyToken)
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != nil {
		t.Fatalf("bob's claim returned a token (%s) from a value moved to his key", c.Token.AccessToken)
	}
	if c.Lease == nil {
		t.Fatal("no lease: bob cannot fetch his own token")
	}
	c.Lease.Release()
	if n := logs.Count("level=WARN"); n != 0 {
		t.Errorf("the writer logged %d decryption failures", n)
	}
	if st := victim.Stats(); st.Undecryptable != 1 {
		t.Errorf("Undecryptable = %d, want 1", st.Undecryptable)
	}
}

// tokenKeys returns the Redis keys that hold tokens.
func tokenKeys(t *testing.T, rdb *goredis.Client) []string {
	t.Helper()
	keys, err := rdb.Keys(context.Background(), "{"+redis.DefaultKeyPrefix+"}:t:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestTamperedValueIsAMissLoggedOnce(t *testing.T) {
	srv := startRedis(t)
	writer, _ := newStore(t, srv, redis.Config{})
	reader, logs := newStore(t, srv, redis.Config{})
	writer.Store("cc|a", tok("token-a", time.Minute))
	writer.Store("cc|b", tok("token-b", time.Minute))
	rdb := srv.Client()
	ctx := context.Background()
	for _, k := range tokenKeys(t, rdb) {
		v, _ := rdb.Get(ctx, k).Bytes()
		v[len(v)-1] ^= 1 // one bit of the GCM tag
		rdb.Set(ctx, k, v, time.Minute)
	}
	for _, key := range []string{"cc|a", "cc|b"} {
		c, err := reader.Claim(ctx, key, anyToken)
		if err != nil || c.Token != nil || c.Lease == nil {
			t.Fatalf("Claim of a tampered value = %+v, %v; want a miss (the lease)", c, err)
		}
		c.Lease.Release()
	}
	if n := logs.Count("level=WARN"); n != 1 {
		t.Errorf("%d log lines about values that do not decrypt, want 1:\n%s", n, logs)
	}
	if st := reader.Stats(); st.Undecryptable != 2 {
		t.Errorf("Undecryptable = %d, want 2", st.Undecryptable)
	}
}

func TestOtherKeyIsAMiss(t *testing.T) {
	srv := startRedis(t)
	a, _ := newStore(t, srv, redis.Config{})
	b, _ := newStore(t, srv, redis.Config{EncryptionKey: bytes.Repeat([]byte("x"), 32)})
	a.Store("cc|orders", tok("token-a", time.Minute))
	c, err := b.Claim(context.Background(), "cc|orders", anyToken)
	if err != nil || c.Token != nil {
		t.Fatalf("a store with another key read %+v, %v", c, err)
	}
	c.Lease.Release()
}
