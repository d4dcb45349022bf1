package runtime_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// callOpts calls GET /orders/{id} as a generated method would, with opts.
func callOpts(ctx context.Context, svc *runtime.Service, id string, opts ...runtime.CallOption) error {
	return tpgenimpl.Invoke(ctx, svc, &opStatus, opts, nil, nil, nil, id)
}

// TestCallOptions: each per-call setting changes only the call it is given
// to, the same way through a method's options and through the context
// (HTTPClient): extra headers, the timeout, the retry policy, no
// credentials, an explicit token (issue 13 item 14).
func TestCallOptions(t *testing.T) {
	var mu sync.Mutex
	var got []http.Header
	var fails atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Clone())
		mu.Unlock()
		switch r.URL.Path {
		case "/orders/slow":
			<-r.Context().Done() // until the client gives up
			return
		case "/orders/flaky":
			if fails.Add(1)%3 != 0 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	last := func() http.Header {
		mu.Lock()
		defer mu.Unlock()
		return got[len(got)-1]
	}
	hits := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(got)
	}
	f := &countingFetcher{}
	svc := newService(t, runtime.ServiceConfig{Name: "orders", Grant: runtime.GrantClientCredentials},
		runtime.WithBaseURL(srv.URL), runtime.WithAuth(runtime.Auth{Tokens: token.Config{Fetcher: f}}),
		runtime.WithRetry(runtime.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	ctx := context.Background()

	// Headers, several values of one name, and a header param replaced.
	if err := callOpts(ctx, svc, "1", runtime.CallHeader("X-Trace", "a"), runtime.CallHeader("x-trace", "b"), runtime.CallHeader("Idempotency-Key", "k-1")); err != nil {
		t.Fatal(err)
	}
	if h := last(); strings.Join(h.Values("X-Trace"), ",") != "a,b" || h.Get("Idempotency-Key") != "k-1" || !strings.HasPrefix(h.Get("Authorization"), "Bearer tok-") {
		t.Errorf("headers %v", h)
	}
	// Only that call: the next one has none.
	if err := callOpts(ctx, svc, "1"); err != nil || last().Get("X-Trace") != "" {
		t.Errorf("a later call: %v, %v", err, last())
	}
	// No credentials; an explicit token.
	if err := callOpts(ctx, svc, "1", runtime.CallWithoutAuth()); err != nil || last().Get("Authorization") != "" {
		t.Errorf("CallWithoutAuth: %v, %v", err, last())
	}
	if err := callOpts(ctx, svc, "1", runtime.CallToken("Bearer mine-1")); err != nil || last().Get("Authorization") != "Bearer mine-1" {
		t.Errorf("CallToken: %v, %v", err, last())
	}
	// The method's options win over the context's.
	cctx := runtime.ContextWithCallOptions(ctx, runtime.CallToken("from-context"), runtime.CallHeader("X-From", "context"))
	if err := callOpts(cctx, svc, "1", runtime.CallToken("from-call")); err != nil || last().Get("Authorization") != "Bearer from-call" || last().Get("X-From") != "context" {
		t.Errorf("context and call: %v, %v", err, last())
	}
	// A timeout of its own, shorter than the service's 30 s.
	if err := callOpts(ctx, svc, "slow", runtime.CallTimeout(50*time.Millisecond), runtime.CallRetry(runtime.NoRetry)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CallTimeout: %v", err)
	}
	// A retry policy of its own: once, where the service tries three times.
	before := hits()
	if err := callOpts(ctx, svc, "flaky", runtime.CallRetry(runtime.NoRetry)); err == nil || hits()-before != 1 {
		t.Errorf("CallRetry(NoRetry): %v after %d attempts", err, hits()-before)
	}
	fails.Store(0)
	before = hits()
	if err := callOpts(ctx, svc, "flaky"); err != nil || hits()-before != 3 {
		t.Errorf("the service's policy: %v after %d attempts", err, hits()-before)
	}

	// HTTPClient takes them from the request's context.
	req, _ := http.NewRequestWithContext(runtime.ContextWithCallOptions(ctx, runtime.CallHeader("X-Raw", "1"), runtime.CallWithoutAuth()),
		http.MethodGet, srv.URL+"/orders/1", nil)
	resp, err := svc.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h := last(); h.Get("X-Raw") != "1" || h.Get("Authorization") != "" {
		t.Errorf("HTTPClient: %v", h)
	}
}

// TestCallHeadersRefused: a per-call header cannot take the place of what
// authentication, message ids or HTTP set, nor split the request; such a
// call fails before anything is sent, and names the option.
func TestCallHeadersRefused(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(srv.URL), runtime.WithMessageIDHeader("X-Request-Id"))
	for _, tt := range []struct{ name, value, want string }{
		{"Authorization", "Bearer forged", "runtime.CallToken"},
		{"cookie", "session=1", "cannot be set per call"},
		{"Host", "evil.example.net", "cannot be set per call"},
		{"Content-Length", "0", "cannot be set per call"},
		{"Transfer-Encoding", "chunked", "cannot be set per call"},
		{"X-Request-Id", "forged-id", "runtime.ContextWithMessageID"},
		{"X-Ok", "a\r\nX-Injected: 1", "line break"},
		{"X Bad", "1", "not an HTTP token"},
	} {
		err := callOpts(context.Background(), svc, "1", runtime.CallHeader(tt.name, tt.value))
		var ce *runtime.CallError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CallHeader(%q): %v, want a CallError naming %q", tt.name, err, tt.want)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

// TestCallHeadersStayHome: the attack is a redirect to another origin of a
// call that carries a secret in a per-call header (a vendor's signature, a
// tenant key): net/http would copy it there; the runtime drops it, as it
// drops credentials.
func TestCallHeadersStayHome(t *testing.T) {
	const secret = "sig-secret-Ew83"
	var leaked atomic.Value
	leaked.Store("")
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("X-Signature"), secret) {
			leaked.Store(r.Host)
		}
	}))
	t.Cleanup(other.Close)
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/landing", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(home.Close)
	svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(home.URL))
	if err := callOpts(context.Background(), svc, "1", runtime.CallHeader("X-Signature", secret)); err != nil {
		t.Fatal(err)
	}
	if h := leaked.Load().(string); h != "" {
		t.Errorf("the per-call header reached %s", h)
	}
}
