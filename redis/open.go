package redis

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// Linking this package in makes the token store kind "redis" of
// services.yaml's token_store and TPGEN_TOKEN_STORE available to every
// generated client (runtime.TokenStoreConfig).
func init() {
	runtime.RegisterTokenStore(runtime.TokenStoreRedis, func(c runtime.TokenStoreConfig, lookupEnv func(string) (string, bool)) (token.Store, error) {
		return Open(c, lookupEnv)
	})
}

// Open returns the Store c describes, reading the password and the
// encryption key from the variables c names with lookupEnv (os.LookupEnv
// when nil): what a client whose services.yaml has a token_store of kind
// redis gets, with the TPGEN_TOKEN_STORE variables already applied to c.
// The store logs to slog.Default, and every other setting of Config keeps
// its default; for others, make the store with New and pass it to the
// clients with runtime.WithAuth(runtime.Auth{Tokens: token.Config{Store: s}}).
func Open(c runtime.TokenStoreConfig, lookupEnv func(string) (string, bool)) (*Store, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	if c.Kind != "" && c.Kind != runtime.TokenStoreRedis {
		return nil, fmt.Errorf("redis token store: kind %q is not redis", c.Kind)
	}
	if c.Addr == "" {
		return nil, errors.New("redis token store: no address: set token_store.addr in services.yaml or TPGEN_TOKEN_STORE_ADDR")
	}
	cfg := Config{Addr: c.Addr, Username: c.Username, KeyPrefix: c.KeyPrefix, Logger: slog.Default()}
	if c.PasswordEnv != "" {
		pw, ok := lookupEnv(c.PasswordEnv)
		if !ok || pw == "" {
			return nil, fmt.Errorf("redis token store: the password variable %s is not set", c.PasswordEnv)
		}
		cfg.Password = pw
	}
	if c.TLS {
		cfg.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.EncryptionKeyEnv == "" {
		return nil, errors.New("redis token store: no encryption key: set token_store.encryption_key: ${VAR} in services.yaml or TPGEN_TOKEN_STORE_ENCRYPTION_KEY (openssl rand -base64 32)")
	}
	v, ok := lookupEnv(c.EncryptionKeyEnv)
	if !ok || v == "" {
		return nil, fmt.Errorf("redis token store: the encryption key variable %s is not set (openssl rand -base64 32)", c.EncryptionKeyEnv)
	}
	key, err := ParseKey(v)
	if err != nil {
		return nil, fmt.Errorf("redis token store: %s: %w", c.EncryptionKeyEnv, err)
	}
	cfg.EncryptionKey = key
	return New(cfg)
}
