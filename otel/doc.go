// Package otel makes OpenTelemetry traces and metrics of the calls that
// tpgen clients make: a client span per call with the semantic conventions'
// HTTP client attributes (http.request.method, url.template, server.address,
// server.port, http.response.status_code, error.type,
// http.request.resend_count) and tpgen's (tpgen.service, tpgen.operation,
// tpgen.grant, tpgen.token.cache), a child span per token request
// (tpgen.token), and the metrics http.client.request.duration,
// tpgen.token.request.duration (count and duration of token requests per
// grant) and tpgen.token.cache.lookups (hits and misses).
//
//	obs, err := otel.New(otel.Config{})
//	orders, err := ordersclient.New(runtime.WithObserver(obs),
//		runtime.WithHTTPClient(&http.Client{Transport: obs.Transport(nil)}))
//	http.ListenAndServe(":8080", runtime.Middleware(mux, runtime.MiddlewareConfig{RequestContext: obs.RequestContext}))
//
// Trace context (W3C traceparent and tracestate) goes out with every call and
// token request through Transport, and comes in through Middleware with
// RequestContext, so that a trace crosses the service.
//
// Beside otelhttp: wrap the server in otelhttp.NewHandler as usual (its server
// span then parents the calls; RequestContext extracts nothing more), but do
// not wrap the clients' transport in otelhttp.NewTransport: the span this
// package makes is the call's client span, and otelhttp would add a second
// client span under it for each attempt.
//
// This package is a module of its own, so that importing tpgen's runtime
// pulls no OpenTelemetry into a build.
package otel
