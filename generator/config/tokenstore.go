package config

import (
	"net"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// TokenStore is defaults.token_store: where the services of a process keep
// their tokens besides its memory (runtime.TokenStoreConfig). It is set in
// defaults only: one store serves every service of a process, and a fleet
// shares it. The zero value is the process's memory.
type TokenStore struct {
	Kind     string // TokenStoreMemory or TokenStoreRedis; "" when not written
	Addr     string // host:port
	Username string
	Password Ref // only ever an Env reference
	TLS      bool
	// KeyPrefix starts every key the store writes.
	KeyPrefix     string
	EncryptionKey Ref // only ever an Env reference
	Pos           Pos // of the token_store key
}

// Kinds of token store (the runtime's runtime.TokenStoreMemory and
// runtime.TokenStoreRedis; a test keeps them equal).
const (
	TokenStoreMemory = "memory"
	TokenStoreRedis  = "redis"
)

var (
	tokenStoreKeys  = []string{"kind", "addr", "username", "password", "tls", "key_prefix", "encryption_key"}
	tokenStoreKinds = []string{TokenStoreMemory, TokenStoreRedis}
	tokenStoreHints = map[string]string{
		"memcached": "tpgen stores tokens in memory or in Redis",
		"valkey":    "Valkey speaks Redis's protocol: use kind redis",
	}
	keyPrefix = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)
)

// tokenStore decodes defaults.token_store.
func (d *decoder) tokenStore(pre string, k, n *yaml.Node) TokenStore {
	ts := TokenStore{Pos: d.pos(k)}
	es, ok := d.entries(pre, "token_store", n)
	if !ok {
		return ts
	}
	pre += "token_store: "
	var redisOnly []entry // keys that only a Redis store has
	for _, e := range es {
		switch e.key {
		case "kind":
			ts.Kind = d.enum(pre, e.key, e.v, tokenStoreKinds, tokenStoreHints)
		case "addr":
			if v, ok := d.plain(pre, e.key, e.v); ok {
				host, port, err := net.SplitHostPort(v)
				p, perr := strconv.Atoi(port)
				if err != nil || host == "" || perr != nil || p < 1 || p > 65535 {
					d.errorf(pre, e.v, "addr %s is not host:port, such as redis.internal:6379", quote(v))
				} else {
					ts.Addr = v
				}
			}
		case "username":
			ts.Username, _ = d.plain(pre, e.key, e.v)
		case "password":
			ts.Password = d.secretRef(pre, e.key, e.v)
		case "tls":
			ts.TLS, _ = d.boolean(pre, e.key, e.v)
		case "key_prefix":
			if v, ok := d.plain(pre, e.key, e.v); ok {
				if keyPrefix.MatchString(v) {
					ts.KeyPrefix = v
				} else {
					d.errorf(pre, e.v, "key_prefix %s must be 1 to 64 letters, digits and . _ : -", quote(v))
				}
			}
		case "encryption_key":
			ts.EncryptionKey = d.secretRef(pre, e.key, e.v)
		default:
			d.unknownKey(pre, e.k, "token_store", tokenStoreKeys, nil)
			continue
		}
		if e.key != "kind" {
			redisOnly = append(redisOnly, e)
		}
	}
	switch {
	case find(es, "kind") == nil:
		d.errorf(pre, k, "no kind: write kind: %s or kind: %s", TokenStoreMemory, TokenStoreRedis)
	case ts.Kind == TokenStoreMemory:
		for _, e := range redisOnly {
			d.errorf(pre, e.k, "%s applies to kind %s, not %s", e.key, TokenStoreRedis, TokenStoreMemory)
		}
	}
	return ts
}
