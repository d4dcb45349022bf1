package redis

import (
	"crypto/tls"
	"log/slog"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Config says which Redis a Store uses and how. EncryptionKey and either
// Client or Addr are required; the zero value of every other field keeps
// its default.
type Config struct {
	// Addr is the server's host:port. Username and Password authenticate
	// (Redis ACL, or requirepass with Password alone); TLS, when set, is the
	// TLS configuration of the connection (its ServerName defaults to
	// Addr's host).
	Addr     string
	Username string
	Password string
	TLS      *tls.Config
	// Client is a connection made by the application (a *goredis.Client,
	// ClusterClient or Ring), used instead of Addr and the fields above and
	// not closed by Close. Its own timeouts apply beside OpTimeout; give it
	// short ones (MaxRetries -1) so that a Redis that is down or slow costs
	// a call no more than OpTimeout.
	Client goredis.UniversalClient

	// EncryptionKey is key material of at least MinKeyLen random bytes (see
	// ParseKey): tokens are encrypted with AES-256-GCM under a key derived
	// from it, and Redis key names are HMACs under another. Every process
	// of a fleet needs the same key; a process with another key treats the
	// entries as absent (and its entries are invisible to the others).
	EncryptionKey []byte
	// KeyPrefix starts every Redis key of the store; DefaultKeyPrefix when
	// empty. Fleets that must not share tokens use different prefixes (or
	// keys). It is written inside braces, a Redis Cluster hash tag: the
	// store's keys live in one slot, so that its scripts may touch several.
	KeyPrefix string

	// OpTimeout bounds each Redis operation; DefaultOpTimeout when zero.
	// An operation that fails or takes longer makes the store unavailable
	// for a while (see Stats): calls fall back to per-process fetching.
	OpTimeout time.Duration
	// LeaseTTL is how long the right to fetch a token lasts without being
	// renewed: the longest the fleet waits for a process that died while
	// fetching. The holder renews it every LeaseTTL/3 while it fetches.
	// DefaultLeaseTTL when zero.
	LeaseTTL time.Duration
	// RetryInterval is how long an unavailable Redis is left alone before it
	// is tried again, doubling with each failure in a row up to
	// MaxRetryInterval; DefaultRetryInterval and DefaultMaxRetryInterval
	// when zero. The maximum bounds how long a fleet goes on fetching per
	// process after Redis is back.
	RetryInterval, MaxRetryInterval time.Duration
	// MaxEntries bounds the tokens kept in Redis under KeyPrefix; past it,
	// those that expire first go. DefaultMaxEntries when zero.
	MaxEntries int
	// NearCacheSize bounds the tokens kept in this process's memory, which
	// serve warm calls; token.DefaultCacheSize when zero.
	NearCacheSize int
	// Logger hears when Redis becomes unavailable and available again, and
	// of the first value that does not decrypt; it discards when nil.
	Logger *slog.Logger
}

// Defaults of Config.
const (
	DefaultKeyPrefix        = "tpgen"
	DefaultOpTimeout        = 250 * time.Millisecond
	DefaultLeaseTTL         = 5 * time.Second
	DefaultRetryInterval    = time.Second
	DefaultMaxRetryInterval = 30 * time.Second
	DefaultMaxEntries       = 100_000
)
