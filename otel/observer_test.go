package otel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	tpotel "github.com/tpgen/tpgen/otel"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// world is a token endpoint and a backend, both recording the traceparent
// of what they receive, and an Observer on the SDK's in-memory span recorder
// and manual metric reader.
type world struct {
	spans   *tracetest.SpanRecorder
	tp      *sdktrace.TracerProvider
	metrics *sdkmetric.ManualReader
	mp      *sdkmetric.MeterProvider
	obs     *tpotel.Observer
	idp     *httptest.Server
	api     *httptest.Server

	mu          sync.Mutex
	idpParents  []string // traceparent of each token request
	apiParents  []string // traceparent of each call
	apiStates   []string // tracestate of each call
	unavailable atomic.Int64
}

func newWorld(t *testing.T) *world {
	w := &world{spans: tracetest.NewSpanRecorder(), metrics: sdkmetric.NewManualReader()}
	w.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(w.spans))
	w.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(w.metrics))
	obs, err := tpotel.New(tpotel.Config{TracerProvider: w.tp, MeterProvider: w.mp})
	if err != nil {
		t.Fatal(err)
	}
	w.obs = obs
	w.idp = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.idpParents = append(w.idpParents, r.Header.Get("Traceparent"))
		w.mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		io.WriteString(rw, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
	}))
	t.Cleanup(w.idp.Close)
	w.api = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.apiParents = append(w.apiParents, r.Header.Get("Traceparent"))
		w.apiStates = append(w.apiStates, r.Header.Get("Tracestate"))
		w.mu.Unlock()
		switch {
		case strings.HasSuffix(r.URL.Path, "/missing"):
			http.Error(rw, `{"error":"no such order"}`, http.StatusNotFound)
			return
		case strings.HasSuffix(r.URL.Path, "/flaky") && w.unavailable.Add(1) == 1:
			http.Error(rw, "try again", http.StatusServiceUnavailable)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		json.NewEncoder(rw).Encode(map[string]string{"id": "1"})
	}))
	t.Cleanup(w.api.Close)
	return w
}

func (w *world) service(t *testing.T) *runtime.Service {
	return w.serviceWith(t, &http.Client{Transport: w.obs.Transport(nil)})
}

func (w *world) serviceWith(t *testing.T, hc *http.Client) *runtime.Service {
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "orders"}, runtime.WithLookupEnv(func(string) (string, bool) { return "", false }),
		runtime.WithBaseURL(w.api.URL), runtime.WithAuth(runtime.Auth{
			TokenURL:     w.idp.URL,
			Grant:        runtime.GrantClientCredentials,
			ClientID:     "client",
			ClientSecret: "secret",
		}), runtime.WithObserver(w.obs), runtime.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

var getOrder = tpgenimpl.Operation{ID: "getOrder", Method: "GET", Path: "/orders/{id}", Accept: "application/json",
	Params: []tpgenimpl.Param{{Name: "id"}}, Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true, Body: tpgenimpl.BodyJSON}}}

func call(ctx context.Context, svc *runtime.Service, id string) error {
	var out map[string]string
	return tpgenimpl.Invoke(ctx, svc, &getOrder, nil, nil, nil, &out, id)
}

func attrs(kv []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, a := range kv {
		m[string(a.Key)] = a.Value.Emit()
	}
	return m
}

// parentID returns the parent span id a traceparent header names.
func parentID(tp string) (traceID, spanID string) {
	parts := strings.Split(tp, "-")
	if len(parts) != 4 {
		return "", ""
	}
	return parts[1], parts[2]
}

func clientSpans(spans []sdktrace.ReadOnlySpan) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.SpanKind() == trace.SpanKindClient {
			out = append(out, s)
		}
	}
	return out
}

func TestSpans(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t)
	ctx := context.Background()
	for _, id := range []string{"1", "2", "flaky", "missing"} {
		err := call(ctx, svc, id)
		if (err != nil) != (id == "missing") {
			t.Fatalf("call %s: %v", id, err)
		}
	}
	spans := w.spans.Ended()
	calls := clientSpans(spans)
	if len(calls) != 4 {
		t.Fatalf("%d client spans for 4 calls: %v", len(calls), spans)
	}
	_, port, _ := net.SplitHostPort(w.api.Listener.Addr().String())
	for i, s := range calls {
		a := attrs(s.Attributes())
		want := map[string]string{
			"http.request.method": "GET", "url.template": "/orders/{id}", "server.address": "127.0.0.1", "server.port": port,
			"tpgen.service": "orders", "tpgen.operation": "getOrder", "tpgen.grant": "client_credentials",
			"http.response.status_code": "200", "tpgen.token.cache": "hit",
		}
		switch i {
		case 0:
			want["tpgen.token.cache"] = "miss"
		case 2:
			want["http.request.resend_count"] = "1"
		case 3:
			want["http.response.status_code"], want["error.type"] = "404", "404"
		}
		for k, v := range want {
			if a[k] != v {
				t.Errorf("span %d (%s): %s = %q, want %q", i, s.Name(), k, a[k], v)
			}
		}
		if s.Name() != "GET /orders/{id}" {
			t.Errorf("span %d is named %q", i, s.Name())
		}
		if (s.Status().Code == codes.Error) != (i == 3) {
			t.Errorf("span %d: status %v", i, s.Status())
		}
		if strings.Contains(fmt.Sprint(s.Attributes()), "tok") && !strings.Contains(fmt.Sprint(s.Attributes()), "token") {
			t.Errorf("span %d holds the token", i)
		}
	}
	// The token request: a child span of the first call, and its request carried the call's context.
	var tokenSpans []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == tpotel.SpanToken {
			tokenSpans = append(tokenSpans, s)
		}
	}
	if len(tokenSpans) != 1 {
		t.Fatalf("%d token spans, want 1", len(tokenSpans))
	}
	first := calls[0].SpanContext()
	if ts := tokenSpans[0]; ts.Parent().SpanID() != first.SpanID() || attrs(ts.Attributes())["tpgen.grant"] != "client_credentials" {
		t.Errorf("token span parent %s (want the first call's %s), attributes %v", ts.Parent().SpanID(), first.SpanID(), ts.Attributes())
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if tr, sp := parentID(w.idpParents[0]); tr != first.TraceID().String() || sp != first.SpanID().String() {
		t.Errorf("the token request carried traceparent %q, want the first call's span %s", w.idpParents[0], first.SpanID())
	}
	// Each attempt carried the span of its call.
	wantParents := []int{0, 1, 2, 2, 3}
	if len(w.apiParents) != len(wantParents) {
		t.Fatalf("%d requests reached the API, want %d", len(w.apiParents), len(wantParents))
	}
	for i, c := range wantParents {
		sc := calls[c].SpanContext()
		if tr, sp := parentID(w.apiParents[i]); tr != sc.TraceID().String() || sp != sc.SpanID().String() {
			t.Errorf("request %d carried traceparent %q, want call %d's span %s", i, w.apiParents[i], c, sc.SpanID())
		}
	}
}

func TestMetrics(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t)
	for _, id := range []string{"1", "2", "3", "missing"} {
		call(context.Background(), svc, id)
	}
	var rm metricdata.ResourceMetrics
	if err := w.metrics.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != tpotel.ScopeName {
			continue
		}
		for _, m := range sm.Metrics {
			got[m.Name] = m.Data
		}
	}
	calls, ok := got[tpotel.MetricCallDuration].(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("no %s histogram: %v", tpotel.MetricCallDuration, got)
	}
	byStatus := map[string]uint64{}
	for _, dp := range calls.DataPoints {
		st, _ := dp.Attributes.Value("http.response.status_code")
		tmpl, _ := dp.Attributes.Value("url.template")
		if tmpl.AsString() != "/orders/{id}" {
			t.Errorf("data point without url.template: %v", dp.Attributes)
		}
		byStatus[st.Emit()] += dp.Count
	}
	if byStatus["200"] != 3 || byStatus["404"] != 1 {
		t.Errorf("%s counts by status %v, want 3 of 200 and 1 of 404", tpotel.MetricCallDuration, byStatus)
	}
	tokens, ok := got[tpotel.MetricTokenDuration].(metricdata.Histogram[float64])
	if !ok || len(tokens.DataPoints) != 1 || tokens.DataPoints[0].Count != 1 {
		t.Fatalf("%s = %+v, want one token request", tpotel.MetricTokenDuration, got[tpotel.MetricTokenDuration])
	}
	if g, _ := tokens.DataPoints[0].Attributes.Value("tpgen.grant"); g.AsString() != "client_credentials" {
		t.Errorf("token request grant %v", g)
	}
	lookups, ok := got[tpotel.MetricTokenCache].(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("no %s counter", tpotel.MetricTokenCache)
	}
	byHit := map[string]int64{}
	for _, dp := range lookups.DataPoints {
		h, _ := dp.Attributes.Value("tpgen.token.cache")
		byHit[h.AsString()] += dp.Value
	}
	if byHit["hit"] != 3 || byHit["miss"] != 1 {
		t.Errorf("token cache lookups %v, want 3 hits and 1 miss", byHit)
	}
}

// incoming is a service that handles a request by calling the API.
func (w *world) incoming(t *testing.T, wrap func(http.Handler) http.Handler) *httptest.Server {
	svc := w.service(t)
	h := runtime.Middleware(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if err := call(r.Context(), svc, "1"); err != nil {
			t.Error(err)
		}
	}), runtime.MiddlewareConfig{RequestContext: w.obs.RequestContext})
	srv := httptest.NewServer(wrap(h))
	t.Cleanup(srv.Close)
	return srv
}

const callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
const callerSpan = "00f067aa0ba902b7"
const callerState = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"

func send(t *testing.T, url string) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	req.Header.Set("Tracestate", callerState)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// TestTraceCrossesService: the caller's traceparent reaches the calls made
// while handling its request, and from them the next service.
func TestTraceCrossesService(t *testing.T) {
	w := newWorld(t)
	srv := w.incoming(t, func(h http.Handler) http.Handler { return h })
	send(t, srv.URL)
	calls := clientSpans(w.spans.Ended())
	if len(calls) != 1 {
		t.Fatalf("%d client spans, want 1", len(calls))
	}
	c := calls[0]
	if c.SpanContext().TraceID().String() != callerTrace || c.Parent().SpanID().String() != callerSpan || !c.Parent().IsRemote() {
		t.Errorf("the call's span is in trace %s under %s, want the caller's %s under %s", c.SpanContext().TraceID(), c.Parent().SpanID(), callerTrace, callerSpan)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if tr, sp := parentID(w.apiParents[0]); tr != callerTrace || sp != c.SpanContext().SpanID().String() {
		t.Errorf("the API received traceparent %q, want trace %s under the call's span %s", w.apiParents[0], callerTrace, c.SpanContext().SpanID())
	}
	if w.apiStates[0] != callerState {
		t.Errorf("the API received tracestate %q, want the caller's %q", w.apiStates[0], callerState)
	}
	if tr, sp := parentID(w.idpParents[0]); tr != callerTrace || sp != c.SpanContext().SpanID().String() {
		t.Errorf("the token request carried traceparent %q, want trace %s under the call's span %s", w.idpParents[0], callerTrace, c.SpanContext().SpanID())
	}
}

// TestBesideOtelhttp: with otelhttp's handler outside Middleware, its server
// span parents the call's span; no span is made twice.
func TestBesideOtelhttp(t *testing.T) {
	w := newWorld(t)
	srv := w.incoming(t, func(h http.Handler) http.Handler {
		return otelhttp.NewHandler(h, "incoming", otelhttp.WithTracerProvider(w.tp), otelhttp.WithPropagators(propagation.TraceContext{}))
	})
	send(t, srv.URL)
	spans := w.spans.Ended()
	var servers, clients []sdktrace.ReadOnlySpan
	for _, s := range spans {
		switch s.SpanKind() {
		case trace.SpanKindServer:
			servers = append(servers, s)
		case trace.SpanKindClient:
			clients = append(clients, s)
		}
	}
	if len(servers) != 1 || len(clients) != 1 {
		t.Fatalf("%d server and %d client spans, want 1 and 1: %v", len(servers), len(clients), spans)
	}
	s, c := servers[0], clients[0]
	if s.Parent().SpanID().String() != callerSpan || c.Parent().SpanID() != s.SpanContext().SpanID() || c.SpanContext().TraceID().String() != callerTrace {
		t.Errorf("server span under %s, client span under %s (server span %s), trace %s", s.Parent().SpanID(), c.Parent().SpanID(), s.SpanContext().SpanID(), c.SpanContext().TraceID())
	}
}

// TestObserveCallEndsOnlyItsSpan: a call ended without a span of its own
// (an ObserveCall without StartCall) does not end the span its context holds.
func TestObserveCallEndsOnlyItsSpan(t *testing.T) {
	w := newWorld(t)
	ctx, outer := w.tp.Tracer("test").Start(context.Background(), "handler")
	w.obs.ObserveCall(ctx, &runtime.Record{Service: "orders", Operation: "getOrder", Method: "GET", Status: 200})
	if len(w.spans.Ended()) != 0 {
		t.Fatal("ObserveCall ended a span it did not start")
	}
	outer.End()
}

// TestBesideOtelhttpTransport: a client whose transport otelhttp wraps too
// (in either order) gets one client span and one http.client.request.duration
// per call with obs.Filter, the backend sees the call's span as the parent,
// and otelhttp still traces the other requests of the client. Without the
// filter, otelhttp adds a second client span per attempt: the duplicate that
// Filter is for.
func TestBesideOtelhttpTransport(t *testing.T) {
	cases := []struct {
		name   string
		filter bool
		wrap   func(w *world, opts ...otelhttp.Option) http.RoundTripper
	}{
		{"otelhttp outside", true, func(w *world, opts ...otelhttp.Option) http.RoundTripper {
			return otelhttp.NewTransport(w.obs.Transport(nil), opts...)
		}},
		{"otelhttp inside", true, func(w *world, opts ...otelhttp.Option) http.RoundTripper {
			return w.obs.Transport(otelhttp.NewTransport(nil, opts...))
		}},
		{"no filter", false, func(w *world, opts ...otelhttp.Option) http.RoundTripper {
			return otelhttp.NewTransport(w.obs.Transport(nil), opts...)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			opts := []otelhttp.Option{otelhttp.WithTracerProvider(w.tp), otelhttp.WithMeterProvider(w.mp),
				otelhttp.WithPropagators(propagation.TraceContext{})}
			if c.filter {
				opts = append(opts, otelhttp.WithFilter(w.obs.Filter))
			}
			hc := &http.Client{Transport: c.wrap(w, opts...)}
			svc := w.serviceWith(t, hc)
			for _, id := range []string{"1", "flaky"} { // the second call makes two attempts
				if err := call(context.Background(), svc, id); err != nil {
					t.Fatal(err)
				}
			}
			// A request of the application's own through the same client.
			resp, err := hc.Get(w.api.URL + "/health")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()

			byScope := map[string]int{}
			var ours []sdktrace.ReadOnlySpan
			for _, s := range clientSpans(w.spans.Ended()) {
				byScope[s.InstrumentationScope().Name]++
				if s.InstrumentationScope().Name == tpotel.ScopeName {
					ours = append(ours, s)
				}
			}
			wantOtelhttp := 1 // the application's request
			if !c.filter {
				wantOtelhttp = 1 + 1 + 2 + 1 // and the token request, the attempts of both calls
			}
			if byScope[tpotel.ScopeName] != 2 || byScope[otelhttpScope] != wantOtelhttp {
				t.Fatalf("client spans by scope %v, want 2 of %s and %d of otelhttp", byScope, tpotel.ScopeName, wantOtelhttp)
			}
			if !c.filter {
				return
			}
			w.mu.Lock()
			for i, call := range []int{0, 1, 1} {
				sc := ours[call].SpanContext()
				if tr, sp := parentID(w.apiParents[i]); tr != sc.TraceID().String() || sp != sc.SpanID().String() {
					t.Errorf("request %d carried traceparent %q, want call %d's span %s", i, w.apiParents[i], call, sc.SpanID())
				}
			}
			w.mu.Unlock()
			durations := map[string]uint64{}
			var rm metricdata.ResourceMetrics
			if err := w.metrics.Collect(context.Background(), &rm); err != nil {
				t.Fatal(err)
			}
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					if h, ok := m.Data.(metricdata.Histogram[float64]); ok && m.Name == tpotel.MetricCallDuration {
						for _, dp := range h.DataPoints {
							durations[sm.Scope.Name] += dp.Count
						}
					}
				}
			}
			if durations[tpotel.ScopeName] != 2 || durations[otelhttpScope] != 1 {
				t.Errorf("%s counts by scope %v, want 2 of %s and 1 of otelhttp", tpotel.MetricCallDuration, durations, tpotel.ScopeName)
			}
		})
	}
}

const otelhttpScope = "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

// stats is a shared store's figures as a test sets them.
type stats struct{ st token.SharedStats }

func (s *stats) SharedStats() token.SharedStats { return s.st }

func TestStoreMetrics(t *testing.T) {
	w := newWorld(t)
	st := &stats{token.SharedStats{Available: false, Outages: 2, Fallbacks: 7, Leases: 3, Shared: 11, Waited: 4, Errors: 9}}
	reg, err := w.obs.ObserveStore("fleet", st)
	if err != nil {
		t.Fatal(err)
	}
	collect := func() map[string]map[string]int64 {
		var rm metricdata.ResourceMetrics
		if err := w.metrics.Collect(context.Background(), &rm); err != nil {
			t.Fatal(err)
		}
		got := map[string]map[string]int64{}
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				var points []metricdata.DataPoint[int64]
				switch d := m.Data.(type) {
				case metricdata.Sum[int64]:
					points = d.DataPoints
				case metricdata.Gauge[int64]:
					points = d.DataPoints
				}
				for _, dp := range points {
					if s, _ := dp.Attributes.Value(tpotel.AttrStore); s.AsString() != "fleet" {
						t.Errorf("%s without the store's name: %v", m.Name, dp.Attributes)
					}
					o, _ := dp.Attributes.Value(tpotel.AttrStoreOutcome)
					if got[m.Name] == nil {
						got[m.Name] = map[string]int64{}
					}
					got[m.Name][o.AsString()] = dp.Value
				}
			}
		}
		return got
	}
	got := collect()
	want := map[string]map[string]int64{
		tpotel.MetricStoreAvailable: {"": 0},
		tpotel.MetricStoreClaims:    {"lease": 3, "shared": 7, "waited": 4, "fallback": 7},
		tpotel.MetricStoreOutages:   {"": 2},
		tpotel.MetricStoreErrors:    {"": 9},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("store metrics\n got %v\nwant %v", got, want)
	}
	st.st.Available = true
	if got := collect(); got[tpotel.MetricStoreAvailable][""] != 1 {
		t.Errorf("%s = %v once the store is back", tpotel.MetricStoreAvailable, got[tpotel.MetricStoreAvailable])
	}
	if err := reg.Unregister(); err != nil {
		t.Fatal(err)
	}
	if got := collect(); len(got) != 0 {
		t.Errorf("metrics after Unregister: %v", got)
	}
}
