package redis_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/redis"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

var b64Key = base64.StdEncoding.EncodeToString(testKey)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestServicesShareTheConfiguredStore: a service whose services.yaml names a
// token_store of kind redis (ServiceConfig.TokenStore) keeps its tokens in
// that Redis once this package is linked in, and another process with the
// same configuration (a store of its own, opened by Open) gets the token
// from there instead of asking the token endpoint.
func TestServicesShareTheConfiguredStore(t *testing.T) {
	srv := startRedis(t)
	var tokenRequests atomic.Int64
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tokenRequests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"shared-token","token_type":"Bearer","expires_in":3600}`)
	}))
	defer idp.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer shared-token" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer api.Close()
	ts := runtime.TokenStoreConfig{Kind: "redis", Addr: srv.Addr(), KeyPrefix: "shop", EncryptionKeyEnv: "SHOP_TOKEN_KEY"}
	vars := env(map[string]string{"SHOP_TOKEN_KEY": b64Key, "SHOP_SECRET": "s"})
	cfg := runtime.ServiceConfig{Name: "orders", BaseURL: api.URL, TokenURL: idp.URL, Grant: runtime.GrantClientCredentials,
		ClientID: "client", ClientSecretEnv: "SHOP_SECRET", TokenStore: ts}
	call := func(svc *runtime.Service) {
		t.Helper()
		resp, err := svc.HTTPClient().Get(api.URL + "/orders")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	first, err := runtime.NewService(cfg, runtime.WithLookupEnv(vars))
	if err != nil {
		t.Fatal(err)
	}
	call(first)
	keys, err := srv.Client().Keys(context.Background(), "{shop}:t:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("Redis holds %v (%v), want one token under the prefix shop", keys, err)
	}
	// Another process: a store of its own, from the same configuration.
	other, err := redis.Open(ts, vars)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	second, err := runtime.NewService(cfg, runtime.WithLookupEnv(vars), runtime.WithAuth(runtime.Auth{Tokens: token.Config{Store: other}}))
	if err != nil {
		t.Fatal(err)
	}
	call(second)
	if n := tokenRequests.Load(); n != 1 {
		t.Errorf("%d token requests for two processes sharing a store, want 1", n)
	}
	if st := other.Stats(); st.Shared != 1 || st.Leases != 0 {
		t.Errorf("the second process's store: %+v, want one token shared and no lease", st)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		c    runtime.TokenStoreConfig
		env  map[string]string
		want string
	}{
		{"no address", runtime.TokenStoreConfig{Kind: "redis", EncryptionKeyEnv: "K"}, map[string]string{"K": b64Key},
			"redis token store: no address: set token_store.addr in services.yaml or TPGEN_TOKEN_STORE_ADDR"},
		{"no key", runtime.TokenStoreConfig{Kind: "redis", Addr: "127.0.0.1:1"}, nil,
			"redis token store: no encryption key: set token_store.encryption_key: ${VAR} in services.yaml or TPGEN_TOKEN_STORE_ENCRYPTION_KEY (openssl rand -base64 32)"},
		{"key variable unset", runtime.TokenStoreConfig{Kind: "redis", Addr: "127.0.0.1:1", EncryptionKeyEnv: "K"}, nil,
			"redis token store: the encryption key variable K is not set (openssl rand -base64 32)"},
		{"short key", runtime.TokenStoreConfig{Kind: "redis", Addr: "127.0.0.1:1", EncryptionKeyEnv: "K"}, map[string]string{"K": "c2hvcnQta2V5"},
			"redis token store: K: the encryption key decodes to 9 bytes; it needs at least 32 (openssl rand -base64 32)"},
		{"key not base64", runtime.TokenStoreConfig{Kind: "redis", Addr: "127.0.0.1:1", EncryptionKeyEnv: "K"}, map[string]string{"K": "correct horse battery staple, but long enough!"},
			"redis token store: K: the encryption key is not base64 (make one with openssl rand -base64 32)"},
		{"password variable unset", runtime.TokenStoreConfig{Kind: "redis", Addr: "127.0.0.1:1", PasswordEnv: "PW", EncryptionKeyEnv: "K"}, map[string]string{"K": b64Key},
			"redis token store: the password variable PW is not set"},
		{"another kind", runtime.TokenStoreConfig{Kind: "memcached"}, nil, `redis token store: kind "memcached" is not redis`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := redis.Open(tc.c, env(tc.env))
			if err == nil || err.Error() != tc.want {
				t.Errorf("err = %v\nwant %s", err, tc.want)
			}
			if v := tc.env["K"]; err != nil && v != "" && strings.Contains(err.Error(), v) {
				t.Errorf("the error quotes the key: %v", err)
			}
		})
	}
}

// TestOpenPassword: the password services.yaml names reaches Redis; with a
// wrong one the store is unavailable and the calls fetch their own tokens.
func TestOpenPassword(t *testing.T) {
	const pw = "redis-pw-8Jq2"
	srv := startRedisWith(t, func(s *redisServer) { s.extra, s.pass = []string{"--requirepass", pw}, pw })
	for _, c := range []struct {
		pw        string
		available bool
	}{{pw, true}, {"wrong", false}} {
		s, err := redis.Open(runtime.TokenStoreConfig{Addr: srv.Addr(), PasswordEnv: "PW", EncryptionKeyEnv: "K"}, env(map[string]string{"PW": c.pw, "K": b64Key}))
		if err != nil {
			t.Fatal(err)
		}
		claim, err := s.Claim(context.Background(), "cc|orders", anyToken)
		if (err == nil) != c.available || s.Stats().Available != c.available {
			t.Errorf("password %q: claim %+v, %v; stats %+v", c.pw, claim, err, s.Stats())
		}
		if claim.Lease != nil {
			claim.Lease.Release()
		}
		s.Close()
	}
}

// TestOpenTLS: with tls, the store speaks TLS and checks the server's
// certificate: a server whose certificate the system does not trust gets no
// token (the store is unavailable), one whose CA the application gives
// (New with Config.TLS) does.
func TestOpenTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	srv := startRedisWith(t, func(s *redisServer) {
		s.extra = []string{"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-ca-cert-file", certFile, "--tls-auth-clients", "no"}
		s.ping = &tls.Config{RootCAs: pool}
	})
	vars := env(map[string]string{"K": b64Key})
	untrusted, err := redis.Open(runtime.TokenStoreConfig{Addr: srv.Addr(), TLS: true, EncryptionKeyEnv: "K"}, vars)
	if err != nil {
		t.Fatal(err)
	}
	defer untrusted.Close()
	if _, err := untrusted.Claim(context.Background(), "cc|orders", anyToken); err == nil || untrusted.Stats().Available {
		t.Errorf("a server with an untrusted certificate answered: %v", err)
	}
	plain, err := redis.Open(runtime.TokenStoreConfig{Addr: srv.Addr(), EncryptionKeyEnv: "K"}, vars)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.Claim(context.Background(), "cc|orders", anyToken); err == nil {
		t.Error("a store without tls talked to a TLS port")
	}
	trusted, err := redis.New(redis.Config{Addr: srv.Addr(), TLS: &tls.Config{RootCAs: pool}, EncryptionKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	defer trusted.Close()
	claim, err := trusted.Claim(context.Background(), "cc|orders", anyToken)
	if err != nil || claim.Lease == nil {
		t.Fatalf("with the CA: claim %+v, %v", claim, err)
	}
	claim.Lease.Release()
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their files and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tpgen test redis"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
