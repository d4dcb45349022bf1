package otel

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/tpgen/tpgen/runtime"
)

// ScopeName is the instrumentation scope of the spans and metrics.
const ScopeName = "github.com/tpgen/tpgen/otel"

// Names of what the Observer emits.
const (
	// SpanToken is the span of a token request, a child of the call's span.
	SpanToken = "tpgen.token"
	// MetricCallDuration is the semantic conventions' HTTP client duration, one per call.
	MetricCallDuration = "http.client.request.duration"
	// MetricTokenDuration is the duration of token requests; its count is the number of token requests.
	MetricTokenDuration = "tpgen.token.request.duration"
	// MetricTokenCache counts the calls that needed a token, by whether the cache had it.
	MetricTokenCache = "tpgen.token.cache.lookups"
)

// Attributes beside the semantic conventions' HTTP client attributes.
const (
	AttrService         = attribute.Key("tpgen.service")
	AttrOperation       = attribute.Key("tpgen.operation")
	AttrGrant           = attribute.Key("tpgen.grant")
	AttrTokenCache      = attribute.Key("tpgen.token.cache") // "hit" or "miss"
	AttrTokenBackground = attribute.Key("tpgen.token.background")
	AttrMessageID       = attribute.Key("tpgen.message_id")
)

// Config says where spans and metrics go. The zero value uses OpenTelemetry's
// global providers and W3C trace context.
type Config struct {
	TracerProvider trace.TracerProvider // otel.GetTracerProvider() when nil
	MeterProvider  metric.MeterProvider // otel.GetMeterProvider() when nil
	// Propagator injects trace context into outgoing requests and extracts
	// it from incoming ones; W3C trace context (traceparent, tracestate)
	// when nil, not the global propagator, which does nothing until set.
	Propagator propagation.TextMapPropagator
	// PublicEndpoint, when set, says which incoming requests come from
	// callers outside the operator's trust (the internet): RequestContext
	// does not continue their trace, so that such a caller can neither
	// choose the trace the service's calls join nor force them to be
	// sampled; the calls start a trace of their own. otelhttp's
	// WithPublicEndpointFn decides the same for its server span.
	PublicEndpoint func(r *http.Request) bool
}

// Observer makes spans and metrics of the calls of tpgen clients. It is a
// runtime.Observer, runtime.CallStarter and runtime.TokenObserver: pass it
// with runtime.WithObserver, and its Transport with runtime.WithHTTPClient
// so that calls and token requests carry the trace context.
type Observer struct {
	tracer trace.Tracer
	meter  metric.Meter
	prop   propagation.TextMapPropagator
	public func(*http.Request) bool // nil: every caller is trusted

	callDuration  metric.Float64Histogram
	tokenDuration metric.Float64Histogram
	tokenCache    metric.Int64Counter
}

var (
	_ runtime.Observer      = (*Observer)(nil)
	_ runtime.CallStarter   = (*Observer)(nil)
	_ runtime.TokenObserver = (*Observer)(nil)
)

// Duration buckets, in seconds, as the semantic conventions advise for HTTP.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// New returns an Observer as c says.
func New(c Config) (*Observer, error) {
	tp, mp := c.TracerProvider, c.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	o := &Observer{prop: c.Propagator, public: c.PublicEndpoint}
	if o.prop == nil {
		o.prop = propagation.TraceContext{}
	}
	o.tracer = tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL))
	m := mp.Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL))
	o.meter = m
	var err error
	if o.callDuration, err = m.Float64Histogram(MetricCallDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of HTTP client requests."), metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, fmt.Errorf("tpgen otel: %w", err)
	}
	if o.tokenDuration, err = m.Float64Histogram(MetricTokenDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of OAuth2 token requests, by grant."), metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, fmt.Errorf("tpgen otel: %w", err)
	}
	if o.tokenCache, err = m.Int64Counter(MetricTokenCache, metric.WithUnit("{call}"),
		metric.WithDescription("Calls that needed a token, by whether the token cache had it.")); err != nil {
		return nil, fmt.Errorf("tpgen otel: %w", err)
	}
	return o, nil
}

// spanName is the semantic conventions' "{method} {url.template}", or the
// method alone when there is no template (a call through HTTPClient).
func spanName(r *runtime.Record) string {
	if hasTemplate(r) {
		return method(r.Method) + " " + r.Path
	}
	return method(r.Method)
}

// hasTemplate says whether r.Path is a path template: every call but those
// made through Service.HTTPClient (operation "http"), whose path is the
// request's own.
func hasTemplate(r *runtime.Record) bool { return r.Operation != "http" && r.Path != "" }

// method is the method as the semantic conventions name it: a known one, or _OTHER.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch,
		http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodConnect, "QUERY":
		return m
	}
	return "_OTHER"
}

// callAttrs are the attributes a call has from its start.
func callAttrs(r *runtime.Record) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, semconv.HTTPRequestMethodKey.String(method(r.Method)))
	if m := method(r.Method); m == "_OTHER" {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginalKey.String(r.Method))
	}
	if hasTemplate(r) {
		attrs = append(attrs, semconv.URLTemplateKey.String(r.Path))
	}
	if host, port, err := net.SplitHostPort(r.Host); err == nil {
		attrs = append(attrs, semconv.ServerAddressKey.String(host))
		if p, err := strconv.Atoi(port); err == nil {
			attrs = append(attrs, semconv.ServerPortKey.Int(p))
		}
	} else if r.Host != "" {
		attrs = append(attrs, semconv.ServerAddressKey.String(r.Host))
	}
	return append(attrs, AttrService.String(r.Service), AttrOperation.String(r.Operation))
}

// spanKey finds the span StartCall started in a call's context: only that
// one is ended by ObserveCall, never another span the context holds.
type spanKey struct{}

// StartCall implements runtime.CallStarter: it starts the call's client span.
func (o *Observer) StartCall(ctx context.Context, r *runtime.Record) context.Context {
	ctx, span := o.tracer.Start(ctx, spanName(r), trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(callAttrs(r)...),
		trace.WithAttributes(AttrMessageID.String(r.MessageID)))
	return context.WithValue(ctx, spanKey{}, span)
}

// ObserveCall implements runtime.Observer: it ends the call's span and
// records its duration and whether its token came from the cache.
func (o *Observer) ObserveCall(ctx context.Context, r *runtime.Record) {
	var outcome []attribute.KeyValue
	if r.Status > 0 {
		outcome = append(outcome, semconv.HTTPResponseStatusCodeKey.Int(r.Status))
	}
	if et := errorType(r); et != "" {
		outcome = append(outcome, semconv.ErrorTypeKey.String(et))
	}
	o.callDuration.Record(ctx, r.Total.Seconds(), metric.WithAttributes(append(callAttrs(r), outcome...)...))

	outcome = append(outcome, AttrGrant.String(r.Grant.String()))
	if r.Grant == runtime.GrantClientCredentials || r.Grant == runtime.GrantTokenExchange {
		hit := "miss"
		if r.TokenCache {
			hit = "hit"
		}
		o.tokenCache.Add(ctx, 1, metric.WithAttributes(AttrService.String(r.Service), AttrGrant.String(r.Grant.String()), AttrTokenCache.String(hit)))
		outcome = append(outcome, AttrTokenCache.String(hit))
	}
	span, _ := ctx.Value(spanKey{}).(trace.Span)
	if span == nil {
		return // not started by StartCall: no span of ours to end
	}
	if r.Attempts > 1 {
		outcome = append(outcome, semconv.HTTPRequestResendCountKey.Int(r.Attempts-1))
	}
	span.SetAttributes(outcome...)
	if r.Err != nil {
		span.SetStatus(codes.Error, r.Err.Error())
	}
	span.End()
}

// errorType is the semantic conventions' error.type of a call: the status
// code of an answer that failed it, otherwise the Go type of its error.
func errorType(r *runtime.Record) string {
	switch {
	case r.Err == nil && r.Status < 400:
		return ""
	case r.Status >= 400:
		return strconv.Itoa(r.Status)
	}
	return fmt.Sprintf("%T", r.Err)
}

// ObserveToken implements runtime.TokenObserver: a child span of the call
// that made the token request (for a refresh ahead of expiry, of the call
// that started it), and the token request's duration by grant.
func (o *Observer) ObserveToken(ctx context.Context, e *runtime.TokenEvent) {
	attrs := []attribute.KeyValue{AttrService.String(e.Service), AttrGrant.String(e.Grant.String()), AttrTokenBackground.Bool(e.Background)}
	if e.Err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(fmt.Sprintf("%T", e.Err)))
	}
	o.tokenDuration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(attrs...))
	end := time.Now()
	_, span := o.tracer.Start(ctx, SpanToken, trace.WithSpanKind(trace.SpanKindInternal), trace.WithTimestamp(end.Add(-e.Duration)),
		trace.WithAttributes(attrs...), trace.WithAttributes(AttrOperation.String(e.Operation)))
	if e.Err != nil {
		span.SetStatus(codes.Error, e.Err.Error())
	}
	span.End(trace.WithTimestamp(end))
}

// Transport returns a RoundTripper that injects the trace context of each
// request's context (the call's span) into its headers and sends it with
// base (http.DefaultTransport when nil). Give the clients an http.Client
// with it (runtime.WithHTTPClient): calls and token requests then carry the
// trace, with the call's span as the parent. It makes no span of its own.
func (o *Observer) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{prop: o.prop, base: base}
}

type transport struct {
	prop propagation.TextMapPropagator
	base http.RoundTripper
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !trace.SpanContextFromContext(r.Context()).IsValid() {
		return t.base.RoundTrip(r)
	}
	// A RoundTripper must not change the request it is given.
	out := *r
	out.Header = r.Header.Clone()
	t.prop.Inject(r.Context(), propagation.HeaderCarrier(out.Header))
	return t.base.RoundTrip(&out)
}

// RequestContext is for runtime.MiddlewareConfig.RequestContext: the context
// of an incoming request with the caller's trace context (traceparent,
// tracestate) as the remote parent of the calls made while handling it.
// When the context already holds a span (otelhttp.NewHandler outside
// Middleware made the server span), it is kept as it is. A request that
// Config.PublicEndpoint names keeps the context it has: its trace context
// is not continued.
func (o *Observer) RequestContext(r *http.Request) context.Context {
	ctx := r.Context()
	if trace.SpanContextFromContext(ctx).IsValid() || (o.public != nil && o.public(r)) {
		return ctx
	}
	return o.prop.Extract(ctx, propagation.HeaderCarrier(r.Header))
}

// Filter is for otelhttp.WithFilter, when the clients' HTTP client is
// wrapped in otelhttp.NewTransport too: it returns false for the requests of
// the calls this Observer traces (their attempts and token requests), which
// already have their span and their http.client.request.duration from the
// Observer, so that otelhttp makes no second client span or measurement of
// them; true for every other request, which otelhttp traces as usual.
//
//	hc := &http.Client{Transport: otelhttp.NewTransport(obs.Transport(nil), otelhttp.WithFilter(obs.Filter))}
func (o *Observer) Filter(r *http.Request) bool {
	_, ours := r.Context().Value(spanKey{}).(trace.Span)
	return !ours
}
