package runtime_test

// What the runtime adds to a call: a GET of a generated method's table
// through tpgenimpl.Invoke with a cached client credentials token, decoding a
// small JSON body, against the same GET made with net/http directly (same client and transport, same token in
// Authorization, same decoding) to the same loopback server.
//
//	go test -run '^$' -bench . -benchmem ./runtime/
//
// BenchmarkCall/runtime and BenchmarkCall/net_http give ns/op and allocs/op of
// each. BenchmarkCall/interleaved alternates batches of both, so that both
// see the same machine state, and reports the ratio of their times
// (runtime/net_http) and the allocations the runtime adds per call
// (added-allocs/op). Allocation counts are process-wide, so they include the
// test server's work on each request (the same for both, except for parsing
// the message id header the runtime adds). Both calls carry a deadline: the
// runtime's default per-call timeout, and the same made by hand.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	goruntime "runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

type benchOrder struct {
	ID     string   `json:"id"`
	Status string   `json:"status"`
	Total  float64  `json:"total"`
	Items  []string `json:"items"`
}

const benchBody = `{"id":"42","status":"shipped","total":129.5,"items":["valve","gasket","pump"]}`

// staticFetcher hands out one long-lived token of a realistic JWT size.
type staticFetcher struct{ tok string }

func (f staticFetcher) FetchToken(context.Context, *token.Request) (*token.Token, error) {
	return &token.Token{AccessToken: f.tok, TokenType: "Bearer", Expiry: time.Now().Add(24 * time.Hour)}, nil
}

type benchEnv struct {
	srv   *httptest.Server
	hc    *http.Client
	svc   *runtime.Service
	token string
}

func newBenchEnv(b *testing.B) *benchEnv {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, benchBody)
	}))
	b.Cleanup(srv.Close)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	b.Cleanup(hc.CloseIdleConnections)
	tok := "eyJhbGciOiJSUzI1NiJ9." + strings.Repeat("x", 700) + ".sig"
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "orders"}, runtime.WithLookupEnv(noEnv),
		runtime.WithBaseURL(srv.URL), runtime.WithAuth(runtime.Auth{Grant: runtime.GrantClientCredentials, Tokens: token.Config{Fetcher: staticFetcher{tok}}}), runtime.WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	e := &benchEnv{srv: srv, hc: hc, svc: svc, token: tok}
	e.viaRuntime(b) // the token is cached from here on
	e.viaNetHTTP(b)
	return e
}

// benchOp is the smallest table of a generated method: one path parameter
// and a JSON result.
var benchOp = tpgenimpl.Operation{ID: "getOrder", Method: "GET", Path: "/orders/{id}", Accept: "application/json",
	Params: []tpgenimpl.Param{{Name: "id"}}, Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true, Body: tpgenimpl.BodyJSON}}}

func (e *benchEnv) viaRuntime(b *testing.B) {
	var o benchOrder
	if err := tpgenimpl.Invoke(context.Background(), e.svc, &benchOp, nil, nil, nil, &o, "42"); err != nil || o.ID != "42" {
		b.Fatal(err)
	}
}

// invokeOp is benchOp with two query parameters in a params struct.
var invokeOp = tpgenimpl.Operation{ID: "getOrder", Method: "GET", Path: "/orders/{id}", Accept: "application/json",
	Params: []tpgenimpl.Param{{Name: "id"}, {Name: "fields", In: tpgenimpl.InQuery, Style: tpgenimpl.StyleForm, Shape: tpgenimpl.ShapeList},
		{Name: "verbose", In: tpgenimpl.InQuery, Style: tpgenimpl.StyleForm, Explode: true}},
	Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true, Body: tpgenimpl.BodyJSON}}}

type invokeParams struct {
	Fields  []string
	Verbose *bool
}

// viaInvoke is what a generated method does (with params it does not set).
func (e *benchEnv) viaInvoke(b *testing.B) {
	var o *benchOrder
	if err := tpgenimpl.Invoke(context.Background(), e.svc, &invokeOp, nil, (*invokeParams)(nil), nil, &o, "42"); err != nil || o.ID != "42" {
		b.Fatal(err)
	}
}

func (e *benchEnv) viaNetHTTP(b *testing.B) {
	// A production call bounds its time, as the runtime does by default
	// (runtime.DefaultTimeout): the bare call gets the same deadline.
	ctx, cancel := context.WithTimeout(context.Background(), runtime.DefaultTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/orders/42", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var o benchOrder
	if err := json.NewDecoder(resp.Body).Decode(&o); err != nil || o.ID != "42" {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func BenchmarkCall(b *testing.B) {
	e := newBenchEnv(b)
	b.Run("runtime", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.viaRuntime(b)
		}
	})
	b.Run("invoke", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.viaInvoke(b)
		}
	})
	b.Run("net_http", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.viaNetHTTP(b)
		}
	})
	b.Run("interleaved", func(b *testing.B) { compare(b, e) })
}

// compare runs small batches of runtime and net/http calls in alternating
// order and reports, per call: wall time of each (runtime-ns/call,
// net_http-ns/call); runtime/net_http, the median over pairs of batches of
// their wall-time ratio, which a busy machine disturbs least; cpu-ratio, the
// ratio of the process CPU time (user+system, all goroutines, the test server's
// included) spent in each; and added-allocs/call.
func compare(b *testing.B, e *benchEnv) {
	const batch = 4
	var ms goruntime.MemStats
	var tRuntime, tBare, cRuntime, cBare time.Duration
	var aRuntime, aBare uint64
	var ratios []float64
	measure := func(f func(*testing.B)) (wall, cpu time.Duration, allocs uint64) {
		goruntime.ReadMemStats(&ms)
		m0, c0, t0 := ms.Mallocs, cpuTime(), time.Now()
		for range batch {
			f(b)
		}
		wall, cpu = time.Since(t0), cpuTime()-c0
		goruntime.ReadMemStats(&ms)
		return wall, cpu, ms.Mallocs - m0
	}
	for b.Loop() {
		var dr, db, cr, cb time.Duration
		var ar, ab uint64
		if len(ratios)%2 == 0 {
			dr, cr, ar = measure(e.viaRuntime)
			db, cb, ab = measure(e.viaNetHTTP)
		} else {
			db, cb, ab = measure(e.viaNetHTTP)
			dr, cr, ar = measure(e.viaRuntime)
		}
		tRuntime, tBare, cRuntime, cBare, aRuntime, aBare = tRuntime+dr, tBare+db, cRuntime+cr, cBare+cb, aRuntime+ar, aBare+ab
		ratios = append(ratios, float64(dr)/float64(db))
	}
	slices.Sort(ratios)
	n := float64(len(ratios) * batch)
	b.ReportMetric(float64(tRuntime.Nanoseconds())/n, "runtime-ns/call")
	b.ReportMetric(float64(tBare.Nanoseconds())/n, "net_http-ns/call")
	b.ReportMetric(ratios[len(ratios)/2], "runtime/net_http")
	if cBare > 0 {
		b.ReportMetric(float64(cRuntime)/float64(cBare), "cpu-ratio")
	}
	b.ReportMetric((float64(aRuntime)-float64(aBare))/n, "added-allocs/call")
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// memTransport answers every request from memory: the call path without the
// network, so that the runtime's own cost stands out.
type memTransport struct{}

func (memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(benchBody)),
		ContentLength: int64(len(benchBody)), Request: r}, nil
}

// BenchmarkCallNoNetwork is BenchmarkCall over memTransport: the difference
// between its two results is what the runtime adds, in ns and allocations.
func BenchmarkCallNoNetwork(b *testing.B) {
	e := newBenchEnv(b)
	e.hc = &http.Client{Transport: memTransport{}}
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "orders"}, runtime.WithLookupEnv(noEnv),
		runtime.WithBaseURL(e.srv.URL), runtime.WithAuth(runtime.Auth{Grant: runtime.GrantClientCredentials, Tokens: token.Config{Fetcher: staticFetcher{e.token}}}), runtime.WithHTTPClient(e.hc))
	if err != nil {
		b.Fatal(err)
	}
	e.svc = svc
	b.Run("runtime", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.viaRuntime(b)
		}
	})
	b.Run("invoke", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.viaInvoke(b)
		}
	})
	b.Run("net_http", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.viaNetHTTP(b)
		}
	})
	b.Run("interleaved", func(b *testing.B) { compare(b, e) })
}
