package token

import (
	"net/http"
	"time"
)

// Config says how tokens are obtained and kept. The zero value of each field
// keeps its default; runtime.Auth{Tokens} sets it for a client.
type Config struct {
	// Fetcher obtains tokens, for custom grants or client authentication
	// (private_key_jwt, mTLS, a token broker): an Endpoint with HTTPClient
	// when nil. Cache keys of a service with a custom Fetcher name the
	// fetcher instance, so that only services of this process with that
	// fetcher share its tokens.
	Fetcher Fetcher
	// Store is where tokens are kept; a MemoryStore of CacheSize tokens when
	// nil. A store may be shared between services: the runtime's keys
	// include everything that changes a token, the service's name and who
	// fetches it included.
	Store Store
	// HTTPClient sends token and discovery requests, for example one that
	// presents a TLS client certificate (mTLS client authentication); the
	// client's own HTTP client when nil.
	HTTPClient *http.Client
	// AllowInsecureHTTP allows a token endpoint or issuer over plain http on
	// a host that is not loopback; without it the runtime refuses such
	// endpoints, also when discovery names them. (A Cache does not look at
	// URLs: this is the runtime's rule.)
	AllowInsecureHTTP bool
	// ExpiryMargin is how long before its expiry a token is refreshed in the
	// background while it is still used (at most half its lifetime);
	// DefaultExpiryMargin when zero.
	ExpiryMargin time.Duration
	// DefaultLifetime is the lifetime assumed for a token whose response has
	// no expires_in; DefaultLifetime when zero.
	DefaultLifetime time.Duration
	// CacheSize bounds how many tokens the default store keeps (one per
	// caller token for token exchange) and how many keys the cache keeps
	// state for; DefaultCacheSize when zero.
	CacheSize int
	// Timeout bounds obtaining a token (its retries included) and a
	// discovery request; DefaultTimeout when zero.
	Timeout time.Duration
	// Now is the clock that token expiry is judged by (for tests); time.Now
	// when nil.
	Now func() time.Time
}

// Defaults of Config.
const (
	DefaultExpiryMargin = time.Minute
	DefaultLifetime     = 5 * time.Minute
	DefaultCacheSize    = 10000
	DefaultTimeout      = 15 * time.Second
)

// Merge returns c with the fields that o sets.
func (c Config) Merge(o Config) Config {
	if o.Fetcher != nil {
		c.Fetcher = o.Fetcher
	}
	if o.Store != nil {
		c.Store = o.Store
	}
	if o.HTTPClient != nil {
		c.HTTPClient = o.HTTPClient
	}
	c.AllowInsecureHTTP = c.AllowInsecureHTTP || o.AllowInsecureHTTP
	if o.ExpiryMargin != 0 {
		c.ExpiryMargin = o.ExpiryMargin
	}
	if o.DefaultLifetime != 0 {
		c.DefaultLifetime = o.DefaultLifetime
	}
	if o.CacheSize != 0 {
		c.CacheSize = o.CacheSize
	}
	if o.Timeout != 0 {
		c.Timeout = o.Timeout
	}
	if o.Now != nil {
		c.Now = o.Now
	}
	return c
}
