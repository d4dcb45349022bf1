package runtime_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// namedFetcher hands out one token named after it, and counts how often.
type namedFetcher struct {
	name string
	n    atomic.Int64
}

func (f *namedFetcher) FetchToken(_ context.Context, r *token.Request) (*token.Token, error) {
	f.n.Add(1)
	return &token.Token{AccessToken: "token-of-" + f.name + "-" + r.SubjectTokenType + "-" + fmt.Sprint(r.ClientAuth), Expiry: time.Now().Add(time.Hour)}, nil
}

// fetcherFunc adapts a function to token.Fetcher.
type fetcherFunc func(ctx context.Context, r *token.Request) (*token.Token, error)

func (f fetcherFunc) FetchToken(ctx context.Context, r *token.Request) (*token.Token, error) {
	return f(ctx, r)
}

// fetcherValue is a fetcher that is not a pointer.
type fetcherValue struct{ name string }

func (f fetcherValue) FetchToken(context.Context, *token.Request) (*token.Token, error) {
	return &token.Token{AccessToken: "token-of-" + f.name, Expiry: time.Now().Add(time.Hour)}, nil
}

// TestSharedStoreKeepsServicesApart performs the collision: services share one
// token.Store, and nothing in their configuration (no token URL, no client id)
// tells them apart but who they are and who fetches for them. Each service's
// calls carry the token its own fetcher made; one fetcher shared by two
// Services of one configuration is asked once.
func TestSharedStoreKeepsServicesApart(t *testing.T) {
	var mu sync.Mutex
	got := map[string]string{} // path -> Authorization
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.URL.Path] = r.Header.Get("Authorization")
		mu.Unlock()
		w.Write([]byte(`{}`))
	}))
	defer backend.Close()
	store := token.NewMemoryStore(100)
	build := func(name string, f token.Fetcher, grant runtime.Grant, opts ...runtime.Option) *runtime.Service {
		return newService(t, runtime.ServiceConfig{Name: name}, append([]runtime.Option{runtime.WithBaseURL(backend.URL),
			runtime.WithAuth(runtime.Auth{Grant: grant, Tokens: token.Config{Store: store}}), runtime.WithAuth(runtime.Auth{Tokens: token.Config{Fetcher: f}})}, opts...)...)
	}
	call := func(svc *runtime.Service, path string, ctx context.Context) string {
		t.Helper()
		if _, err := getOrder(ctx, svc, path); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		return got["/orders/"+path]
	}
	bg := context.Background()
	a, b, shared := &namedFetcher{name: "a"}, &namedFetcher{name: "b"}, &namedFetcher{name: "shared"}
	closure := func(name string) token.Fetcher {
		return fetcherFunc(func(context.Context, *token.Request) (*token.Token, error) {
			return &token.Token{AccessToken: "token-of-" + name, Expiry: time.Now().Add(time.Hour)}, nil
		})
	}
	cases := []struct {
		name        string
		first, then *runtime.Service
		ctx         context.Context
		same        bool // the second service may use the first one's token
	}{
		{"two services, their own fetchers", build("billing", a, runtime.GrantClientCredentials), build("shipping", b, runtime.GrantClientCredentials), bg, false},
		{"one name, two fetchers", build("orders", &namedFetcher{name: "x"}, runtime.GrantClientCredentials), build("orders", &namedFetcher{name: "y"}, runtime.GrantClientCredentials), bg, false},
		{"one name, two closures of one function", build("orders", closure("c1"), runtime.GrantClientCredentials), build("orders", closure("c2"), runtime.GrantClientCredentials), bg, false},
		{"one name, two fetcher values", build("orders", fetcherValue{"v1"}, runtime.GrantClientCredentials), build("orders", fetcherValue{"v2"}, runtime.GrantClientCredentials), bg, false},
		{"one name, one fetcher, other subject token type",
			build("orders", shared, runtime.GrantTokenExchange), build("orders", shared, runtime.GrantTokenExchange, runtime.WithAuth(runtime.Auth{SubjectTokenType: token.TypeJWT})),
			runtime.ContextWithCallerToken(bg, "caller-token-1"), false},
		{"one name, one fetcher, other client authentication",
			build("orders", shared, runtime.GrantClientCredentials), build("orders", shared, runtime.GrantClientCredentials, runtime.WithAuth(runtime.Auth{ClientAuth: token.ClientSecretPost})), bg, false},
		{"one name, one fetcher, one configuration", build("inventory", shared, runtime.GrantClientCredentials), build("inventory", shared, runtime.GrantClientCredentials), bg, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			first := call(c.first, fmt.Sprintf("%d-first", i), c.ctx)
			then := call(c.then, fmt.Sprintf("%d-then", i), c.ctx)
			if first == "" || then == "" {
				t.Fatalf("no token sent: %q %q", first, then)
			}
			if (first == then) != c.same {
				t.Errorf("first service sent %q, second %q; want the same token: %v", first, then, c.same)
			}
		})
	}
	if a.n.Load() != 1 || b.n.Load() != 1 {
		t.Errorf("fetches: a %d, b %d, want 1 each", a.n.Load(), b.n.Load())
	}
	// shared: two subject token types, two client authentications, and one
	// token for the two services of one configuration.
	if got := shared.n.Load(); got != 5 {
		t.Errorf("the shared fetcher was asked %d times, want 5", got)
	}
	t.Logf("%d tokens in the shared store", store.Len())
}
