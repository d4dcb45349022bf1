package runtime

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/tpgen/tpgen/internal/envname"
	"github.com/tpgen/tpgen/runtime/token"
)

// TokenStoreConfig says where the services of a process keep their tokens
// when not in its memory alone: services.yaml's defaults.token_store, which
// the TPGEN_TOKEN_STORE variables override: TPGEN_TOKEN_STORE (the kind),
// TPGEN_TOKEN_STORE_ADDR, _USERNAME, _PASSWORD, _TLS (true or false),
// _KEY_PREFIX and _ENCRYPTION_KEY, the process's for every service (a fleet
// shares one store); _PASSWORD and _ENCRYPTION_KEY hold the secrets
// themselves, in place of the variables services.yaml names. Secrets are
// named (the environment variables that hold them), never held, as
// everywhere in ServiceConfig.
//
// A store other than memory is code the program links in, so that the
// runtime itself pulls in no client for it: the kind "redis" is
// github.com/tpgen/tpgen/redis, linked with
//
//	import _ "github.com/tpgen/tpgen/redis"
//
// in the main package. A store passed in code
// (runtime.WithAuth(runtime.Auth{Tokens: token.Config{Store: s}})) wins over this one.
type TokenStoreConfig struct {
	// Kind is "redis", or "" or "memory": each process keeps its own tokens.
	Kind string
	// Addr is the store's host:port.
	Addr string
	// Username and the password in the variable PasswordEnv names
	// authenticate to the store (Redis ACL; requirepass with a password alone).
	Username    string
	PasswordEnv string
	// TLS connects with TLS, the server's certificate checked against the
	// system's roots for Addr's host.
	TLS bool
	// KeyPrefix starts every key the store writes (the store's default when
	// empty): fleets that must not share tokens use different prefixes.
	KeyPrefix string
	// EncryptionKeyEnv names the variable that holds the key tokens are
	// encrypted with at rest: base64 of at least 32 random bytes, the same
	// in every process of the fleet (openssl rand -base64 32).
	EncryptionKeyEnv string
}

// Kinds of token store.
const (
	TokenStoreMemory = "memory"
	TokenStoreRedis  = "redis"
)

// TokenStoreOpener opens the store c describes, reading the secrets c names
// with lookupEnv. It is called once per process for each configuration: the
// services that share a configuration share the store, which stays open as
// long as the process runs. Its errors must not hold a secret.
type TokenStoreOpener func(c TokenStoreConfig, lookupEnv func(string) (string, bool)) (token.Store, error)

var tokenStores struct {
	mu      sync.Mutex
	openers map[string]TokenStoreOpener
	opened  map[tokenStoreKey]token.Store
}

// tokenStoreKey tells configurations apart: c, and a hash of the secrets it
// names as read (the same names may hold other values for another
// WithLookupEnv).
type tokenStoreKey struct {
	c       TokenStoreConfig
	secrets [sha256.Size]byte
}

// RegisterTokenStore makes a kind of token store available to
// TokenStoreConfig.Kind. Stores call it from init (package
// github.com/tpgen/tpgen/redis registers "redis"). It panics when kind is
// "memory" or already registered, or open is nil: a mistake in the program.
func RegisterTokenStore(kind string, open TokenStoreOpener) {
	tokenStores.mu.Lock()
	defer tokenStores.mu.Unlock()
	if open == nil || kind == "" || kind == TokenStoreMemory || tokenStores.openers[kind] != nil {
		panic(fmt.Sprintf("runtime: RegisterTokenStore(%q): nil opener, or a kind that is taken", kind))
	}
	if tokenStores.openers == nil {
		tokenStores.openers = map[string]TokenStoreOpener{}
		tokenStores.opened = map[tokenStoreKey]token.Store{}
	}
	tokenStores.openers[kind] = open
}

// resolve returns c with the TPGEN_TOKEN_STORE variables applied.
func (c TokenStoreConfig) resolve(lookupEnv func(string) (string, bool)) (TokenStoreConfig, error) {
	if v, ok := lookupEnv(envname.TokenStore); ok {
		c.Kind = v
	}
	for _, name := range envname.TokenStoreVars {
		full := envname.TokenStore + "_" + name
		v, ok := lookupEnv(full)
		if !ok {
			continue
		}
		switch name {
		case "ADDR":
			c.Addr = v
		case "USERNAME":
			c.Username = v
		case "PASSWORD":
			c.PasswordEnv = full
		case "TLS":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return c, fmt.Errorf("%s: %q is not true or false", full, v)
			}
			c.TLS = b
		case "KEY_PREFIX":
			c.KeyPrefix = v
		case "ENCRYPTION_KEY":
			c.EncryptionKeyEnv = full
		}
	}
	return c, nil
}

// tokenStore returns the store that services.yaml's token_store and the
// TPGEN_TOKEN_STORE variables describe, nil for the process's memory.
func (st *settings) tokenStore() (token.Store, error) {
	c, err := st.TokenStore.resolve(st.lookupEnv)
	if err != nil {
		return nil, fmt.Errorf("token store: %w", err)
	}
	if c.Kind == "" || c.Kind == TokenStoreMemory {
		return nil, nil
	}
	tokenStores.mu.Lock()
	defer tokenStores.mu.Unlock()
	open := tokenStores.openers[c.Kind]
	if open == nil {
		kinds := []string{TokenStoreMemory}
		for k := range tokenStores.openers {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		hint := ""
		if c.Kind == TokenStoreRedis {
			hint = `: link it in with import _ "github.com/tpgen/tpgen/redis" in the main package`
		}
		return nil, fmt.Errorf("token store %q (services.yaml token_store.kind, %s) is not linked into this program (it has %s)%s",
			c.Kind, envname.TokenStore, strings.Join(kinds, ", "), hint)
	}
	h := sha256.New()
	for _, name := range []string{c.PasswordEnv, c.EncryptionKeyEnv} {
		v, _ := st.lookupEnv(name)
		fmt.Fprintf(h, "%d:%s", len(v), v)
	}
	key := tokenStoreKey{c: c}
	h.Sum(key.secrets[:0])
	if s := tokenStores.opened[key]; s != nil {
		return s, nil
	}
	s, err := open(c, st.lookupEnv)
	if err != nil {
		return nil, fmt.Errorf("token store %s: %w", c.Kind, err)
	}
	if s == nil {
		return nil, fmt.Errorf("token store %s: the opener returned no store", c.Kind)
	}
	tokenStores.opened[key] = s
	return s, nil
}
