package runtime_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// TestCustomFetcherNoDiscovery: a custom token.Fetcher gets the configured
// issuer in its Request and no discovery is made for it, since it did not
// ask for one; the runtime's own Endpoint still discovers (issue 13 item 8).
func TestCustomFetcherNoDiscovery(t *testing.T) {
	auth := startProvider(t)
	f := &countingFetcher{}
	svc := newService(t, runtime.ServiceConfig{Name: "orders", Issuer: auth.Issuer(), Grant: runtime.GrantClientCredentials},
		runtime.WithBaseURL(echoServer(t).URL), runtime.WithAuth(runtime.Auth{Tokens: token.Config{Fetcher: f}}))
	for range 2 {
		if got := authOf(t, context.Background(), svc); got != "Bearer tok-1" {
			t.Fatalf("Authorization %q", got)
		}
	}
	if n := auth.DiscoveryRequests(); n != 0 {
		t.Errorf("%d discovery requests for a custom fetcher, want 0", n)
	}
	if len(f.reqs) != 1 || f.reqs[0].Issuer != auth.Issuer() || f.reqs[0].TokenURL != "" {
		t.Errorf("the fetcher got %d requests: %+v", len(f.reqs), f.reqs)
	}

	// The runtime's own Endpoint needs the token endpoint, and finds it.
	a := newAPI(t, auth, "orders-api")
	if _, err := getOrder(context.Background(), ccService(t, auth, a), "1"); err != nil {
		t.Fatal(err)
	}
	// The call above found the token endpoint; it asks at most once. (None
	// when an earlier test's provider had the same loopback port: the
	// discovery of an issuer is kept for the process, by its URL.)
	if n := auth.DiscoveryRequests(); n > 1 {
		t.Errorf("%d discovery requests for the runtime's Endpoint, want 1", n)
	}
}

// countingSource counts the tokens asked of an oauth2.TokenSource.
type countingSource struct {
	ts oauth2.TokenSource
	n  atomic.Int64
}

func (c *countingSource) Token() (*oauth2.Token, error) {
	c.n.Add(1)
	return c.ts.Token()
}

// TestAuthTokenSource: an oauth2.TokenSource (x/oauth2's clientcredentials,
// against the real provider) is the service's own identity: no issuer, token
// URL, client id or secret is configured, the tokens the resource server
// verifies are the source's, and its own cache decides how often the
// provider is asked. Under grant auto the source serves work for no caller,
// while callers' tokens are still exchanged.
func TestAuthTokenSource(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	cc := &clientcredentials.Config{ClientID: authserver.DefaultCCClientID, ClientSecret: authserver.DefaultCCClientSecret,
		TokenURL: auth.TokenURL(), EndpointParams: url.Values{"audience": {"orders-api"}}}
	src := &countingSource{ts: cc.TokenSource(context.Background())}
	svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(a.URL), runtime.WithAuth(runtime.Auth{TokenSource: src}))
	for range 3 {
		e, err := getOrder(context.Background(), svc, "1")
		if err != nil {
			t.Fatal(err)
		}
		if e.Subject != authserver.DefaultCCClientID {
			t.Errorf("subject %q", e.Subject)
		}
	}
	if n := auth.TokenRequests(); n != 1 || src.n.Load() != 3 {
		t.Errorf("%d token requests, %d asked of the source; want 1 and 3", n, src.n.Load())
	}

	// auto: the source for background work, token exchange for a caller.
	a.anyActor = true
	auto := txService(t, auth, a, runtime.GrantAuto, runtime.WithAuth(runtime.Auth{TokenURL: auth.TokenURL(), TokenSource: src}))
	if e, err := getOrder(context.Background(), auto, "1"); err != nil || e.Subject != authserver.DefaultCCClientID {
		t.Errorf("background work: %+v, %v", e, err)
	}
	ctx := runtime.ContextWithCallerToken(context.Background(), user(t, auth, "alice", nil))
	if e, err := getOrder(ctx, auto, "1"); err != nil || e.Subject != "alice" || e.Actor != authserver.DefaultTXClientID {
		t.Errorf("a caller: %+v, %v", e, err)
	}

	// A failing source fails the call with a token.Error that wraps its error.
	boom := errors.New("metadata server unreachable")
	bad := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(a.URL),
		runtime.WithAuth(runtime.Auth{TokenSource: oauth2.ReuseTokenSource(nil, failingSource{boom})}))
	_, err := getOrder(context.Background(), bad, "1")
	if te := asTokenError(t, err); !errors.Is(err, boom) || !strings.Contains(te.Error(), "oauth2.TokenSource") {
		t.Errorf("failing source: %v", err)
	}
	hits := len(a.Hits())
	if _, err := getOrder(context.Background(), bad, "1"); err == nil || len(a.Hits()) != hits {
		t.Errorf("a call without a token reached the service: %v", err)
	}
}

type failingSource struct{ err error }

func (f failingSource) Token() (*oauth2.Token, error) { return nil, f.err }
