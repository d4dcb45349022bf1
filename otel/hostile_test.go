package otel_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	tpotel "github.com/tpgen/tpgen/otel"
	"github.com/tpgen/tpgen/runtime"
)

// TestSecretsStayOutOfTelemetry: a token endpoint that echoes the client
// secret back (raw, form-encoded and as the Basic credentials) in its error
// fails the call; no span name, attribute, status or event and no metric
// attribute holds the secret in any of those forms.
func TestSecretsStayOutOfTelemetry(t *testing.T) {
	const secret = "s3cr3t+Zq81/xV=="
	basic := base64.StdEncoding.EncodeToString([]byte("client:" + url.QueryEscape(secret)))
	forms := []string{secret, url.QueryEscape(secret), basic}
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":"invalid_client","error_description":"secret %s (%s) from %s is wrong"}`,
			secret, url.QueryEscape(secret), r.Header.Get("Authorization"))
	}))
	defer idp.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") }))
	defer api.Close()

	spans := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	obs, err := tpotel.New(tpotel.Config{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)),
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "orders"}, runtime.WithLookupEnv(func(string) (string, bool) { return "", false }),
		runtime.WithBaseURL(api.URL), runtime.WithAuth(runtime.Auth{
			TokenURL:     idp.URL,
			Grant:        runtime.GrantClientCredentials,
			ClientID:     "client",
			ClientSecret: secret,
		}), runtime.WithObserver(obs),
		runtime.WithHTTPClient(&http.Client{Transport: obs.Transport(nil)}))
	if err != nil {
		t.Fatal(err)
	}
	if err := call(context.Background(), svc, "1"); err == nil {
		t.Fatal("the call succeeded without a token")
	}
	var seen strings.Builder
	ended := spans.Ended()
	if len(ended) < 2 {
		t.Fatalf("%d spans, want the call's and its token request's", len(ended))
	}
	for _, s := range ended {
		fmt.Fprintln(&seen, s.Name(), s.Attributes(), s.Status().Description)
		for _, e := range s.Events() {
			fmt.Fprintln(&seen, e.Name, e.Attributes)
		}
	}
	if !strings.Contains(seen.String(), "invalid_client") {
		t.Errorf("the spans do not say why the token request failed:\n%s", seen.String())
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			fmt.Fprintf(&seen, "%s %+v\n", m.Name, m.Data)
		}
	}
	for _, f := range forms {
		if strings.Contains(seen.String(), f) {
			t.Errorf("telemetry holds the secret as %q:\n%s", f, seen.String())
		}
	}
}

var validTraceparent = regexp.MustCompile(`^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$`)

// TestHostileTraceContext: trace context from an incoming request is
// someone else's text. Malformed headers are not continued (the call starts
// a trace of its own), nothing of them reaches the next service but what the
// W3C format allows, and a caller that Config.PublicEndpoint names cannot
// choose the trace at all, even with a well-formed, sampled traceparent.
func TestHostileTraceContext(t *testing.T) {
	const good = "00-" + callerTrace + "-" + callerSpan + "-01"
	cases := []struct {
		name        string
		traceparent string
		tracestate  string
		public      bool
		continued   bool
	}{
		{"well-formed", good, "a=1", false, true},
		{"public endpoint", good, "a=1", true, false},
		{"version ff", "ff-" + callerTrace + "-" + callerSpan + "-01", "", false, false},
		{"zero trace id", "00-00000000000000000000000000000000-" + callerSpan + "-01", "", false, false},
		{"zero span id", "00-" + callerTrace + "-0000000000000000-01", "", false, false},
		{"upper case", "00-" + strings.ToUpper(callerTrace) + "-" + callerSpan + "-01", "", false, false},
		{"short", "00-4bf92f35-" + callerSpan + "-01", "", false, false},
		{"trailing data", good + "-extra", "", false, false},
		{"huge", "00-" + strings.Repeat("a", 100000), "", false, false},
		{"hostile tracestate", good, "a=1,UPPER=1,=x,\u00fc=1,b=x y z," + strings.Repeat("k=v,", 100), false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			cfg := tpotel.Config{TracerProvider: w.tp, MeterProvider: w.mp}
			if c.public {
				cfg.PublicEndpoint = func(*http.Request) bool { return true }
			}
			obs, err := tpotel.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			w.obs = obs
			srv := w.incoming(t, func(h http.Handler) http.Handler { return h })
			req, _ := http.NewRequest("GET", srv.URL, nil)
			req.Header["Traceparent"] = []string{c.traceparent}
			if c.tracestate != "" {
				req.Header["Tracestate"] = []string{c.tracestate}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			calls := clientSpans(w.spans.Ended())
			if len(calls) != 1 {
				t.Fatalf("%d client spans, want 1", len(calls))
			}
			sc := calls[0]
			continued := sc.Parent().IsRemote() && sc.SpanContext().TraceID().String() == callerTrace
			if continued != c.continued {
				t.Errorf("the caller's trace continued: %v, want %v (trace %s, parent %s)", continued, c.continued, sc.SpanContext().TraceID(), sc.Parent().SpanID())
			}
			if !c.continued && sc.Parent().IsValid() {
				t.Errorf("the call's span has parent %s, want none", sc.Parent().SpanID())
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			if tp := w.apiParents[0]; !validTraceparent.MatchString(tp) || !strings.Contains(tp, sc.SpanContext().SpanID().String()) {
				t.Errorf("the API received traceparent %q, want a valid one naming the call's span %s", tp, sc.SpanContext().SpanID())
			}
			if ts := w.apiStates[0]; len(ts) > 512 || strings.ContainsFunc(ts, func(r rune) bool { return r < 0x20 || r >= 0x7f }) {
				t.Errorf("the API received tracestate %q", ts)
			}
		})
	}
}

// FuzzRequestContext: whatever trace headers a caller sends, RequestContext
// does not panic, and what goes out is a valid traceparent (or none) and a
// tracestate of at most 512 characters without control characters.
func FuzzRequestContext(f *testing.F) {
	f.Add("00-"+callerTrace+"-"+callerSpan+"-01", callerState)
	f.Add("00-"+callerTrace+"-"+callerSpan+"-00", "")
	f.Add("01-"+callerTrace+"-"+callerSpan+"-01-future", "a=b")
	f.Add("garbage", "x=\x00")
	obs, err := tpotel.New(tpotel.Config{TracerProvider: sdktrace.NewTracerProvider()})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, traceparent, tracestate string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Traceparent"] = []string{traceparent}
		r.Header["Tracestate"] = []string{tracestate}
		ctx := obs.RequestContext(r)
		ctx, span := trace.SpanFromContext(ctx).TracerProvider().Tracer("fuzz").Start(ctx, "call")
		defer span.End()
		out := http.Header{}
		propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(out))
		if tp := out.Get("Traceparent"); tp != "" && !validTraceparent.MatchString(tp) {
			t.Errorf("traceparent %q goes out", tp)
		}
		if ts := out.Get("Tracestate"); len(ts) > 512 || strings.ContainsFunc(ts, func(r rune) bool { return r < 0x20 || r >= 0x7f }) {
			t.Errorf("tracestate %q goes out", ts)
		}
	})
}
