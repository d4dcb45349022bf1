package redis

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tpgen/tpgen/runtime/token"
)

// Store is a token.SharedStore on Redis: the tokens of a fleet's processes,
// encrypted, with the right to fetch each one held by one process at a time.
// Warm calls are served from the process's memory (a token.MemoryStore, the
// near cache); Redis is asked when the process holds no token it may use and
// when its token is due for refresh, by the token cache's single flight, so
// that a process makes at most one Redis request per key at a time.
//
// A Redis that fails or is slower than Config.OpTimeout is not an outage: the
// store answers from memory, the token cache fetches per process as it would
// without Redis, and Redis is tried again after Config.RetryInterval.
type Store struct {
	rdb      goredis.UniversalClient
	ownRDB   bool
	seal     *sealer
	prefix   string // "{prefix}:"
	index    string // the sorted set of token names by expiry
	near     *token.MemoryStore
	timeout  time.Duration
	leaseTTL time.Duration
	max      int
	log      *slog.Logger
	health   health

	undecryptable atomic.Bool // logged once
	stats         counters
}

type counters struct {
	leases, shared, waited, fallbacks, undecryptable, errors, stored atomic.Int64
}

var _ token.SharedStore = (*Store)(nil)

// New returns a Store as c says. It does not connect: the first operation
// does, and a Redis that cannot be reached then is an outage like any other.
func New(c Config) (*Store, error) {
	seal, err := newSealer(c.EncryptionKey)
	if err != nil {
		return nil, fmt.Errorf("redis token store: %w", err)
	}
	s := &Store{
		seal:     seal,
		timeout:  orDefault(c.OpTimeout, DefaultOpTimeout),
		leaseTTL: orDefault(c.LeaseTTL, DefaultLeaseTTL),
		max:      c.MaxEntries,
		log:      c.Logger,
	}
	if s.max <= 0 {
		s.max = DefaultMaxEntries
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	prefix := c.KeyPrefix
	if prefix == "" {
		prefix = DefaultKeyPrefix
	}
	s.prefix = "{" + prefix + "}:"
	s.index = s.prefix + "index"
	near := c.NearCacheSize
	if near <= 0 {
		near = token.DefaultCacheSize
	}
	s.near = token.NewMemoryStore(near)
	s.health = health{log: s.log, interval: orDefault(c.RetryInterval, DefaultRetryInterval),
		max: orDefault(c.MaxRetryInterval, DefaultMaxRetryInterval)}
	switch {
	case c.Client != nil:
		s.rdb = c.Client
	case c.Addr == "":
		return nil, errors.New("redis token store: no address (Config.Addr) and no client (Config.Client)")
	default:
		tlsConf := c.TLS
		if tlsConf != nil && tlsConf.ServerName == "" {
			tlsConf = tlsConf.Clone()
			if host, _, err := net.SplitHostPort(c.Addr); err == nil {
				tlsConf.ServerName = host
			}
		}
		s.rdb = goredis.NewClient(&goredis.Options{
			Addr: c.Addr, Username: c.Username, Password: c.Password, TLSConfig: tlsConf,
			// Every operation is bounded by OpTimeout, and a failure is
			// not retried here: the store falls back instead.
			DialTimeout: s.timeout, ReadTimeout: s.timeout, WriteTimeout: s.timeout, PoolTimeout: s.timeout,
			ContextTimeoutEnabled: true, MaxRetries: -1, DialerRetries: 1, DisableIdentity: true,
		})
		s.ownRDB = true
	}
	return s, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Close closes the connection the store made (not a Config.Client).
func (s *Store) Close() error {
	if s.ownRDB {
		return s.rdb.Close()
	}
	return nil
}

// Load implements token.Store from the process's memory.
func (s *Store) Load(key string) (*token.Token, bool) { return s.near.Load(key) }

// Store implements token.Store: the token is kept in memory and, encrypted,
// in Redis until it expires (when Redis is available).
func (s *Store) Store(key string, t *token.Token) {
	s.near.Store(key, t)
	ttl := time.Until(t.Expiry)
	if ttl < time.Millisecond {
		return
	}
	n := s.seal.names(s.prefix, key)
	v, err := s.seal.seal(n.token, t)
	if err != nil || !s.health.ok() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	err = storeScript.Run(ctx, s.rdb, []string{n.token, s.index}, v, t.Expiry.UnixMilli(),
		t.Expiry.UnixMilli(), time.Now().UnixMilli(), s.max, token.MaxLifetime.Milliseconds()).Err()
	if s.result(context.Background(), err) == nil {
		s.stats.stored.Add(1)
	}
}

// Delete implements token.Store: key's token goes from memory, and from
// Redis if Redis still holds t there (and not a token stored meanwhile).
func (s *Store) Delete(key string, t *token.Token) {
	s.near.Delete(key, t)
	if t == nil || !s.health.ok() {
		return
	}
	n := s.seal.names(s.prefix, key)
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	s.result(context.Background(), deleteScript.Run(ctx, s.rdb, []string{n.token, s.index}, s.seal.header(t)).Err())
}

// errUnavailable is what Claim says while Redis is left alone after a failure.
var errUnavailable = errors.New("redis token store unavailable")

// Claim implements token.SharedStore: a usable token that another process
// stored, or the lease to fetch it, waiting while another process holds it.
func (s *Store) Claim(ctx context.Context, key string, usable func(*token.Token) bool) (token.Claim, error) {
	if !s.health.await(ctx, s.timeout) {
		s.stats.fallbacks.Add(1)
		return token.Claim{}, errUnavailable
	}
	n := s.seal.names(s.prefix, key)
	v, err := s.get(ctx, n.token)
	if err != nil {
		return s.fallback(err)
	}
	if t := s.open(n.token, v); t != nil && usable(t) {
		return s.take(key, t, false), nil
	}
	seen := v // the value found unusable: not opened (nor counted) again
	id := rand.Text()
	wait := 5 * time.Millisecond
	for waited := false; ; waited = true {
		got, v, err := s.tryLease(ctx, n, id)
		if err != nil {
			return s.fallback(err)
		}
		if bytes.Equal(v, seen) {
			v = nil
		} else if v != nil {
			seen = v
		}
		if t := s.open(n.token, v); t != nil && usable(t) {
			// The holder stored it before giving the lease back.
			if got {
				s.release(n.lease, id)
			}
			return s.take(key, t, waited), nil
		}
		if got {
			s.stats.leases.Add(1)
			return token.Claim{Lease: s.newLease(n.lease, id)}, nil
		}
		// Another process is fetching: look again after a while, until its
		// token is stored or its lease ends (it failed, or died).
		select {
		case <-ctx.Done():
			return token.Claim{}, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// take keeps t, read from Redis, in memory and returns it as a claim.
func (s *Store) take(key string, t *token.Token, waited bool) token.Claim {
	t = token.Restore(t)
	s.near.Store(key, t)
	s.stats.shared.Add(1)
	if waited {
		s.stats.waited.Add(1)
	}
	return token.Claim{Token: t, Waited: waited}
}

func (s *Store) fallback(err error) (token.Claim, error) {
	s.stats.fallbacks.Add(1)
	return token.Claim{}, err
}

// get reads a value; nil when there is none.
func (s *Store) get(ctx context.Context, name string) ([]byte, error) {
	octx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := s.rdb.Get(octx, name).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, s.result(ctx, nil)
	}
	return v, s.result(ctx, err)
}

// tryLease takes key's lease when no one holds it, and reads its token, in
// one step: a holder stores its token before it releases the lease, so a
// process that gets the lease sees the token it would otherwise fetch again.
func (s *Store) tryLease(ctx context.Context, n names, id string) (bool, []byte, error) {
	octx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	r, err := claimScript.Run(octx, s.rdb, []string{n.token, n.lease}, id, s.leaseTTL.Milliseconds()).Slice()
	if err = s.result(ctx, err); err != nil {
		return false, nil, err
	}
	if len(r) != 2 {
		return false, nil, fmt.Errorf("redis token store: claim script answered %d values", len(r))
	}
	got, _ := r[0].(int64)
	var v []byte
	if str, ok := r[1].(string); ok {
		v = []byte(str)
	}
	return got == 1, v, nil
}

// open decrypts a value; nil when there is none or it does not open, which
// is a miss: logged the first time, counted always.
func (s *Store) open(name string, v []byte) *token.Token {
	if v == nil {
		return nil
	}
	t, err := s.seal.open(name, v)
	if err != nil {
		s.stats.undecryptable.Add(1)
		if s.undecryptable.CompareAndSwap(false, true) {
			s.log.Warn("tpgen: redis token store: a value does not decrypt (another encryption key, or a changed value); it is treated as absent. Further ones are counted in Stats, not logged",
				slog.String("error", err.Error()))
		}
		return nil
	}
	return t
}

// result records how an operation made within ctx went, and returns err.
func (s *Store) result(ctx context.Context, err error) error {
	if err == nil {
		s.health.worked()
		return nil
	}
	s.stats.errors.Add(1)
	s.health.failed(ctx, err)
	return err
}

// Stats is what a Store has done since it was made: what every shared
// store reports (token.SharedStats: availability, outages, fallbacks,
// leases, shared tokens), and what this one keeps besides.
type Stats struct {
	token.SharedStats
	// Stored counts tokens written to Redis.
	Stored int64
	// Undecryptable counts values that did not decrypt (another key, or
	// changed), each treated as absent.
	Undecryptable int64
	// NearCache is the number of tokens held in the process's memory.
	NearCache int
}

// Stats reports what s has done.
func (s *Store) Stats() Stats {
	return Stats{
		SharedStats: s.SharedStats(), Stored: s.stats.stored.Load(),
		Undecryptable: s.stats.undecryptable.Load(), NearCache: s.near.Len(),
	}
}

// SharedStats reports what s has done as every shared store does, for
// metrics (otel.Observer.ObserveStore).
func (s *Store) SharedStats() token.SharedStats {
	return token.SharedStats{
		Available: !s.health.down.Load(), Outages: s.health.outages.Load(), Recoveries: s.health.recoveries.Load(),
		Fallbacks: s.stats.fallbacks.Load(), Leases: s.stats.leases.Load(), Shared: s.stats.shared.Load(),
		Waited: s.stats.waited.Load(), Errors: s.stats.errors.Load(),
	}
}

// String describes the store without its secrets.
func (s *Store) String() string {
	return "redis token store " + strconv.Quote(s.prefix)
}
