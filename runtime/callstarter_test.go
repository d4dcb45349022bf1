package runtime_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

type spanKey struct{}

// startObserver marks the context of every call it starts with the call's
// number, and checks that the same call ends with that context.
type startObserver struct {
	mu      sync.Mutex
	started []runtime.Record // as seen at the start
	ended   []int            // the number each ended call's context carried
	tokens  []int            // the number each token request's context carried
	same    []bool           // ObserveCall got the Record StartCall got
	recs    map[*runtime.Record]int
}

func (o *startObserver) StartCall(ctx context.Context, r *runtime.Record) context.Context {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.started = append(o.started, *r)
	if o.recs == nil {
		o.recs = map[*runtime.Record]int{}
	}
	n := len(o.started)
	o.recs[r] = n
	return context.WithValue(ctx, spanKey{}, n)
}

func (o *startObserver) ObserveCall(ctx context.Context, r *runtime.Record) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n, _ := ctx.Value(spanKey{}).(int)
	o.ended = append(o.ended, n)
	o.same = append(o.same, o.recs[r] == n && n != 0)
}

func (o *startObserver) ObserveToken(ctx context.Context, _ *runtime.TokenEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n, _ := ctx.Value(spanKey{}).(int)
	o.tokens = append(o.tokens, n)
}

// seenTransport records the call number of the context each request it sends carries.
type seenTransport struct {
	mu   sync.Mutex
	seen []int
	base http.RoundTripper
}

func (t *seenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n, _ := r.Context().Value(spanKey{}).(int)
	t.mu.Lock()
	t.seen = append(t.seen, n)
	t.mu.Unlock()
	return t.base.RoundTrip(r)
}

// ctxFetcher hands out a token and records the call number of its context.
type ctxFetcher struct {
	mu   sync.Mutex
	seen []int
}

func (f *ctxFetcher) FetchToken(ctx context.Context, _ *token.Request) (*token.Token, error) {
	n, _ := ctx.Value(spanKey{}).(int)
	f.mu.Lock()
	f.seen = append(f.seen, n)
	f.mu.Unlock()
	return &token.Token{AccessToken: "t", Expiry: time.Now().Add(time.Hour)}, nil
}

func TestCallStarter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"1"}`)
	}))
	defer srv.Close()
	obs := &startObserver{}
	tr := &seenTransport{base: http.DefaultTransport}
	fetcher := &ctxFetcher{}
	svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(srv.URL),
		runtime.WithAuth(runtime.Auth{Grant: runtime.GrantClientCredentials}), runtime.WithObserver(obs),
		runtime.WithHTTPClient(&http.Client{Transport: tr}), runtime.WithAuth(runtime.Auth{Tokens: token.Config{Fetcher: fetcher}}))
	ctx := runtime.ContextWithMessageID(context.Background(), "mid-1")

	// 1: a generated method (tpgenimpl.Invoke); it fetches the token.
	if _, err := getOrder(ctx, svc, "1"); err != nil {
		t.Fatal(err)
	}
	// 2: a call through HTTPClient.
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/raw", nil)
	resp, err := svc.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// 3: a call that fails before anything is sent (a parameter that cannot be encoded).
	bad := tpgenimpl.Operation{ID: "putOrder", Method: "PUT", Path: "/orders/{id}", Params: []tpgenimpl.Param{{Name: "id"}},
		RequestBody: tpgenimpl.BodyJSON, ContentType: "application/json", Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true}}}
	if err := tpgenimpl.Invoke(ctx, svc, &bad, nil, nil, func() {}, nil, "1"); err == nil {
		t.Fatal("a body that cannot be encoded was sent")
	}

	obs.mu.Lock()
	defer obs.mu.Unlock()
	if len(obs.started) != 3 || len(obs.ended) != 3 {
		t.Fatalf("%d calls started, %d ended; want 3 and 3", len(obs.started), len(obs.ended))
	}
	host := srv.Listener.Addr().String()
	for i, want := range []runtime.Record{
		{Service: "orders", Operation: "getOrder", Method: "GET", Path: "/orders/{id}", Host: host, MessageID: "mid-1"},
		{Service: "orders", Operation: "http", Method: "GET", Path: "/raw", Host: host, MessageID: "mid-1"},
		{Service: "orders", Operation: "putOrder", Method: "PUT", Path: "/orders/{id}", Host: host, MessageID: "mid-1"},
	} {
		got := obs.started[i]
		if got.Service != want.Service || got.Operation != want.Operation || got.Method != want.Method ||
			got.Path != want.Path || got.Host != want.Host || got.MessageID != want.MessageID || got.Status != 0 || got.Err != nil {
			t.Errorf("call %d started as %+v, want %+v", i+1, got, want)
		}
		if obs.ended[i] != i+1 || !obs.same[i] {
			t.Errorf("call %d ended with the context of call %d (same record: %v)", i+1, obs.ended[i], obs.same[i])
		}
	}
	// The request of each call that was sent, and the token request, carry its context.
	if len(tr.seen) != 2 || tr.seen[0] != 1 || tr.seen[1] != 2 {
		t.Errorf("the requests sent carried the contexts of calls %v, want [1 2]", tr.seen)
	}
	if len(fetcher.seen) != 1 || fetcher.seen[0] != 1 || len(obs.tokens) != 1 || obs.tokens[0] != 1 {
		t.Errorf("the token request carried the contexts %v (observed %v), want that of call 1", fetcher.seen, obs.tokens)
	}
}

func TestMiddlewareRequestContext(t *testing.T) {
	type traceKey struct{}
	var got any
	h := runtime.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Context().Value(traceKey{})
		if runtime.CallerTokenFrom(r.Context()) != "caller" {
			t.Error("the caller's token was lost")
		}
	}), runtime.MiddlewareConfig{RequestContext: func(r *http.Request) context.Context {
		return context.WithValue(r.Context(), traceKey{}, r.Header.Get("Traceparent"))
	}})
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	req.Header.Set("Authorization", "Bearer caller")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got != "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" {
		t.Errorf("the handler's context carries %v, not what RequestContext derived", got)
	}
}
