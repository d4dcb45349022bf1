// Package otel makes OpenTelemetry traces and metrics of the calls that
// tpgen clients make.
//
//	obs, err := otel.New(otel.Config{}) // the global providers, W3C trace context
//	orders, err := ordersclient.New(runtime.WithObserver(obs),
//		runtime.WithHTTPClient(&http.Client{Transport: obs.Transport(nil)}))
//	http.ListenAndServe(":8080", runtime.Middleware(mux, runtime.MiddlewareConfig{RequestContext: obs.RequestContext}))
//
// What it emits:
//
//   - a client span per call, named "{method} {url.template}" ("GET
//     /orders/{id}"), from its start (before its token is obtained) to its
//     end, with the semantic conventions' HTTP client attributes
//     (http.request.method, url.template, server.address, server.port,
//     http.response.status_code, error.type, http.request.resend_count) and
//     tpgen's (tpgen.service, tpgen.operation, tpgen.grant, tpgen.token.cache
//     "hit" or "miss", tpgen.message_id). url.full is left out on purpose:
//     paths and queries carry ids and sometimes secrets, the template does not;
//   - a child span "tpgen.token" per token request (tpgen.grant,
//     tpgen.token.background for a refresh ahead of expiry);
//   - the metrics http.client.request.duration (per call),
//     tpgen.token.request.duration (per token request, by grant: its count
//     is the number of token requests) and tpgen.token.cache.lookups (calls
//     that needed a token, by hit or miss); with ObserveStore, those of a
//     shared token store (tpgen.token.store.available, .claims by outcome,
//     .outages, .errors), where a fallback to per-process fetching shows.
//
// Trace context (W3C traceparent and tracestate) goes out with every call and
// token request through Transport, and comes in through Middleware with
// RequestContext, so that a trace crosses the service. Config.PublicEndpoint
// names the callers whose trace context is not continued.
//
// Beside otelhttp: wrap the server in otelhttp.NewHandler as usual (its server
// span then parents the calls; RequestContext extracts nothing more). When the
// clients' HTTP client is wrapped in otelhttp.NewTransport as well, give it
// otelhttp.WithFilter(obs.Filter): the span this package makes is the call's
// client span, and otelhttp would otherwise add a second client span and
// measurement per attempt. Other requests of that client are traced by
// otelhttp as before.
//
// This package is a module of its own, so that importing tpgen's runtime
// pulls no OpenTelemetry into a build.
package otel
