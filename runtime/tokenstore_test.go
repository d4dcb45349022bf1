package runtime_test

import (
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// openedStore is a store opened by the test kind: it keeps tokens in memory
// and remembers the configuration it was opened with.
type openedStore struct {
	*token.MemoryStore
	cfg    runtime.TokenStoreConfig
	secret string // the encryption key as read
	stored atomic.Int64
}

func (s *openedStore) Store(key string, t *token.Token) { s.stored.Add(1); s.MemoryStore.Store(key, t) }

var testStores struct {
	mu     sync.Mutex
	opened []*openedStore
	fail   error
}

func init() {
	runtime.RegisterTokenStore("test-shared", func(c runtime.TokenStoreConfig, lookupEnv func(string) (string, bool)) (token.Store, error) {
		testStores.mu.Lock()
		defer testStores.mu.Unlock()
		if testStores.fail != nil {
			return nil, testStores.fail
		}
		key, _ := lookupEnv(c.EncryptionKeyEnv)
		s := &openedStore{MemoryStore: token.NewMemoryStore(0), cfg: c, secret: key}
		testStores.opened = append(testStores.opened, s)
		return s, nil
	})
}

func openedSince(n int) []*openedStore {
	testStores.mu.Lock()
	defer testStores.mu.Unlock()
	return append([]*openedStore(nil), testStores.opened[n:]...)
}

func openedCount() int {
	testStores.mu.Lock()
	defer testStores.mu.Unlock()
	return len(testStores.opened)
}

// tokenWorld is a token endpoint and an API for client-credentials calls.
func tokenWorld(t *testing.T) (idp, api *httptest.Server) {
	idp = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
	}))
	api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") }))
	t.Cleanup(idp.Close)
	t.Cleanup(api.Close)
	return idp, api
}

func callOnce(t *testing.T, svc *runtime.Service, url string) {
	t.Helper()
	resp, err := svc.HTTPClient().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// TestTokenStoreFromConfig: services.yaml's token_store (ServiceConfig.TokenStore)
// and the TPGEN_TOKEN_STORE variables choose the store that the services of a
// process share; the tokens of their calls go there.
func TestTokenStoreFromConfig(t *testing.T) {
	idp, api := tokenWorld(t)
	yaml := runtime.TokenStoreConfig{Kind: "test-shared", Addr: "redis.internal:6379", PasswordEnv: "SHOP_REDIS_PASSWORD",
		KeyPrefix: "shop", EncryptionKeyEnv: "SHOP_TOKEN_KEY"}
	cfg := func(name string, ts runtime.TokenStoreConfig) runtime.ServiceConfig {
		return runtime.ServiceConfig{Name: name, BaseURL: api.URL, TokenURL: idp.URL, Grant: runtime.GrantClientCredentials,
			ClientID: "client", ClientSecretEnv: "SHOP_SECRET", TokenStore: ts}
	}
	// The keys are new in every run: a process opens a store once per
	// configuration and secrets, and -count=2 runs in one process.
	run := rand.Text()
	base := map[string]string{"SHOP_SECRET": "s", "SHOP_TOKEN_KEY": "key-1" + run}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name   string
		ts     runtime.TokenStoreConfig
		env    map[string]string
		opts   []runtime.Option
		want   *runtime.TokenStoreConfig // nil: the process's memory
		secret string
	}{
		{name: "services.yaml", ts: yaml, env: with(nil), want: &yaml, secret: "key-1" + run},
		{name: "environment overrides", ts: yaml, env: with(map[string]string{
			"TPGEN_TOKEN_STORE_ADDR": "10.0.0.7:6380", "TPGEN_TOKEN_STORE_USERNAME": "svc", "TPGEN_TOKEN_STORE_TLS": "true",
			"TPGEN_TOKEN_STORE_KEY_PREFIX": "shop-prod", "TPGEN_TOKEN_STORE_PASSWORD": "pw", "TPGEN_TOKEN_STORE_ENCRYPTION_KEY": "key-2" + run,
		}), want: &runtime.TokenStoreConfig{Kind: "test-shared", Addr: "10.0.0.7:6380", Username: "svc", PasswordEnv: "TPGEN_TOKEN_STORE_PASSWORD",
			TLS: true, KeyPrefix: "shop-prod", EncryptionKeyEnv: "TPGEN_TOKEN_STORE_ENCRYPTION_KEY"}, secret: "key-2" + run},
		{name: "environment alone", env: with(map[string]string{"TPGEN_TOKEN_STORE": "test-shared", "TPGEN_TOKEN_STORE_ADDR": "r:1", "TPGEN_TOKEN_STORE_ENCRYPTION_KEY": run}),
			want: &runtime.TokenStoreConfig{Kind: "test-shared", Addr: "r:1", EncryptionKeyEnv: "TPGEN_TOKEN_STORE_ENCRYPTION_KEY"}, secret: run},
		{name: "environment says memory", ts: yaml, env: with(map[string]string{"TPGEN_TOKEN_STORE": "memory"})},
		{name: "option wins", ts: yaml, env: with(nil), opts: []runtime.Option{runtime.WithAuth(runtime.Auth{Tokens: token.Config{Store: token.NewMemoryStore(0)}})}},
		{name: "none", env: with(nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := openedCount()
			var svcs []*runtime.Service
			for _, name := range []string{"orders", "billing"} {
				svc, err := runtime.NewService(cfg(name, tc.ts), append([]runtime.Option{envMap(tc.env)}, tc.opts...)...)
				if err != nil {
					t.Fatal(err)
				}
				callOnce(t, svc, api.URL+"/x")
				svcs = append(svcs, svc)
			}
			opened := openedSince(before)
			if tc.want == nil {
				if len(opened) != 0 {
					t.Fatalf("%d stores opened, want none", len(opened))
				}
				return
			}
			if len(opened) != 1 {
				t.Fatalf("%d stores opened for two services of one configuration, want 1", len(opened))
			}
			s := opened[0]
			if s.cfg != *tc.want || s.secret != tc.secret {
				t.Errorf("opened with %+v (key %q), want %+v (key %q)", s.cfg, s.secret, *tc.want, tc.secret)
			}
			if n := s.stored.Load(); n != 2 {
				t.Errorf("the store kept %d tokens, want one per service", n)
			}
		})
	}
	// Another value under the same variable names is another store.
	before := openedCount()
	for _, key := range []string{"key-a" + run, "key-b" + run, "key-a" + run} {
		if _, err := runtime.NewService(cfg("orders", yaml), envMap(with(map[string]string{"SHOP_TOKEN_KEY": key}))); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(openedSince(before)); n != 2 {
		t.Errorf("%d stores opened for two keys, want 2", n)
	}
}

func TestTokenStoreErrors(t *testing.T) {
	def := runtime.ServiceConfig{Name: "orders", BaseURL: "https://api.example.com"}
	tests := []struct {
		name string
		ts   runtime.TokenStoreConfig
		env  map[string]string
		fail error
		want string
	}{
		{name: "redis not linked", ts: runtime.TokenStoreConfig{Kind: "redis"},
			want: `token store "redis" (services.yaml token_store.kind, TPGEN_TOKEN_STORE) is not linked into this program (it has memory, test-shared): link it in with import _ "github.com/tpgen/tpgen/redis" in the main package`},
		{name: "unknown kind from the environment", env: map[string]string{"TPGEN_TOKEN_STORE": "memcached"},
			want: `token store "memcached" (services.yaml token_store.kind, TPGEN_TOKEN_STORE) is not linked into this program (it has memory, test-shared)`},
		{name: "tls", ts: runtime.TokenStoreConfig{Kind: "test-shared"}, env: map[string]string{"TPGEN_TOKEN_STORE_TLS": "yes please"},
			want: `token store: TPGEN_TOKEN_STORE_TLS: "yes please" is not true or false`},
		{name: "opener fails", ts: runtime.TokenStoreConfig{Kind: "test-shared", Addr: "fails:1"}, fail: errors.New("no encryption key"),
			want: "token store test-shared: no encryption key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			testStores.mu.Lock()
			testStores.fail = tc.fail
			testStores.mu.Unlock()
			defer func() { testStores.mu.Lock(); testStores.fail = nil; testStores.mu.Unlock() }()
			c := def
			c.TokenStore = tc.ts
			_, err := runtime.NewService(c, envMap(tc.env))
			if err == nil || err.Error() != "orders: "+tc.want {
				t.Errorf("err = %v\nwant orders: %s", err, tc.want)
			}
		})
	}
}
