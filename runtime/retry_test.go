package runtime_test

// Retries: only what may be sent twice is, counted at the server; backoff with
// jitter; bounded by MaxAttempts, by the context's deadline and by the per-call
// timeout.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestRetryOnlyWhatIsSafe: against a service that always answers 503, and one
// that reads each request and hangs up without answering (the request reached
// the service, which may have acted on it), an idempotent method is sent
// MaxAttempts times; a POST or PATCH once, unless it carries an idempotency
// key (the caller's, or one AddIdempotencyKey adds: the same for every
// attempt) and its body can be sent again.
func TestRetryOnlyWhatIsSafe(t *testing.T) {
	const attempts = 3
	const body = `{"item":"valve","qty":3}`
	type variant struct {
		name    string
		method  string
		header  map[string]string
		policy  runtime.RetryPolicy
		stream  bool // a body that cannot be sent twice
		raw     bool // through HTTPClient
		want    int  // requests the service gets
		keyName string
	}
	variants := []variant{
		{name: "GET", method: "GET", want: attempts},
		{name: "HEAD", method: "HEAD", want: attempts},
		{name: "PUT", method: "PUT", want: attempts},
		{name: "DELETE", method: "DELETE", want: attempts},
		{name: "OPTIONS", method: "OPTIONS", want: attempts},
		{name: "POST", method: "POST", want: 1},
		{name: "PATCH", method: "PATCH", want: 1},
		{name: "POST with the caller's Idempotency-Key", method: "POST", header: map[string]string{"Idempotency-Key": "k-123"}, want: attempts, keyName: "Idempotency-Key"},
		{name: "POST with AddIdempotencyKey", method: "POST", policy: runtime.RetryPolicy{AddIdempotencyKey: true}, want: attempts, keyName: "Idempotency-Key"},
		{name: "PATCH with AddIdempotencyKey", method: "PATCH", policy: runtime.RetryPolicy{AddIdempotencyKey: true}, want: attempts, keyName: "Idempotency-Key"},
		{name: "POST with a custom key header", method: "POST", header: map[string]string{"X-Request-Key": "k-9"},
			policy: runtime.RetryPolicy{IdempotencyKeyHeader: "X-Request-Key"}, want: attempts, keyName: "X-Request-Key"},
		{name: "POST with another key header than the policy's", method: "POST", header: map[string]string{"X-Request-Key": "k-9"}, want: 1},
		{name: "POST stream with AddIdempotencyKey", method: "POST", stream: true, policy: runtime.RetryPolicy{AddIdempotencyKey: true}, want: 1},
		{name: "raw POST", method: "POST", raw: true, want: 1},
		{name: "raw POST with Idempotency-Key", method: "POST", raw: true, header: map[string]string{"Idempotency-Key": "k-raw"}, want: attempts, keyName: "Idempotency-Key"},
		{name: "raw POST with AddIdempotencyKey", method: "POST", raw: true, policy: runtime.RetryPolicy{AddIdempotencyKey: true}, want: attempts, keyName: "Idempotency-Key"},
		{name: "raw GET", method: "GET", raw: true, want: attempts},
	}
	for _, kind := range []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request)
	}{{"503", status(503)}, {"hang-up after reading", hangUp}} {
		for _, v := range variants {
			t.Run(kind.name+"/"+v.name, func(t *testing.T) {
				srv := newScripted(t, kind.answer)
				v.policy.MaxAttempts, v.policy.BaseDelay = attempts, time.Millisecond
				svc, obs := plainService(t, srv.URL, runtime.WithRetry(v.policy))
				status, err := send(t, svc, srv.URL, v.method, v.header, body, v.stream, v.raw)
				hits := srv.Hits()
				if len(hits) != v.want {
					t.Fatalf("the service got %d requests, want %d", len(hits), v.want)
				}
				switch {
				case kind.name == "503" && (err != nil || status != 503):
					t.Errorf("status %d, err %v; want the 503", status, err)
				case kind.name != "503" && err == nil:
					t.Errorf("no error after the service hung up")
				}
				if r := obs.Records(); !v.raw && (len(r) != 1 || r[0].Attempts != v.want) {
					t.Errorf("records %+v", r)
				}
				keys := map[string]bool{}
				for i, h := range hits {
					if h.Method != v.method || (v.method != "GET" && v.method != "HEAD" && v.method != "OPTIONS" && v.method != "DELETE" && h.Body != body) {
						t.Errorf("request %d: %s with body %q", i, h.Method, h.Body)
					}
					if v.keyName != "" {
						keys[h.Header.Get(v.keyName)] = true
					}
				}
				if v.keyName != "" {
					if len(keys) != 1 || keys[""] {
						t.Errorf("idempotency keys %v: want one, the same for every attempt", keys)
					}
					if v.policy.AddIdempotencyKey {
						for k := range keys {
							if !uuidV4.MatchString(k) {
								t.Errorf("added key %q is not a UUID", k)
							}
						}
						// Another call gets another key.
						before := len(srv.Hits())
						send(t, svc, srv.URL, v.method, v.header, body, v.stream, v.raw)
						if k := srv.Hits()[before].Header.Get(v.keyName); keys[k] {
							t.Errorf("two calls got the same key %q", k)
						}
					}
				}
			})
		}
	}
}

// send makes one call of method with body as a generated method does, or
// through HTTPClient, and returns the status (0 on error).
func send(t *testing.T, svc *runtime.Service, base, method string, header map[string]string, body string, stream, raw bool) (int, error) {
	t.Helper()
	if method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "DELETE" {
		body = ""
	}
	if raw {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body) // NewRequest sets GetBody
		}
		req, _ := http.NewRequest(method, base+"/orders", rd)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := svc.HTTPClient().Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	// What a generated method with these header parameters sends.
	var p sendHeaders
	for k, v := range header {
		switch k {
		case "Idempotency-Key":
			p.IdempotencyKey = &v
		case "X-Request-Key":
			p.RequestKey = &v
		case "X-Trace":
			p.Trace = &v
		default:
			t.Fatalf("send: no header parameter %s", k)
		}
	}
	op := &tpgenimpl.Operation{ID: "op", Method: method, Path: "/orders", Params: sendParams,
		Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true}}}
	var b any
	switch {
	case body == "":
	case stream:
		op.RequestBody, b = tpgenimpl.BodyBinary, strings.NewReader(body)
	default:
		op.RequestBody, b = tpgenimpl.BodyJSON, json.RawMessage(body)
	}
	err := tpgenimpl.Invoke(context.Background(), svc, op, nil, &p, b, nil)
	var re *runtime.ResponseError
	switch {
	case err == nil:
		return 200, nil
	case errors.As(err, &re):
		return re.StatusCode, nil
	}
	return 0, err
}

// sendParams are the header parameters send can set, in sendHeaders.
var sendParams = []tpgenimpl.Param{{Name: "Idempotency-Key", In: tpgenimpl.InHeader},
	{Name: "X-Request-Key", In: tpgenimpl.InHeader}, {Name: "X-Trace", In: tpgenimpl.InHeader}}

type sendHeaders struct{ IdempotencyKey, RequestKey, Trace *string }

// TestRetryOnReusedConnection: a request on a kept-alive connection that the
// service reads and then drops. A POST without a key is still sent once:
// neither the runtime nor net/http sends it again. A replayable request (a GET,
// or a POST with Idempotency-Key, which net/http also takes as replayable) may
// be sent once more by net/http itself, which replays such a request once when
// a reused connection turns out to be dead; MaxAttempts counts the runtime's
// attempts, so the service sees at most MaxAttempts+1.
func TestRetryOnReusedConnection(t *testing.T) {
	const attempts = 3
	for _, c := range []struct {
		name     string
		method   string
		key      bool
		min, max int
	}{
		{"POST", "POST", false, 1, 1},
		{"POST with Idempotency-Key", "POST", true, attempts, attempts + 1},
		{"GET", "GET", false, attempts, attempts + 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newScripted(t, status(200), hangUp) // the first request opens the connection
			svc, obs := plainService(t, srv.URL, runtime.WithRetry(runtime.RetryPolicy{MaxAttempts: attempts, BaseDelay: time.Millisecond}))
			if st, err := send(t, svc, srv.URL, "GET", nil, "", false, false); err != nil || st != 200 {
				t.Fatalf("first call: %d %v", st, err)
			}
			var header map[string]string
			if c.key {
				header = map[string]string{"Idempotency-Key": "k-1"}
			}
			_, err := send(t, svc, srv.URL, c.method, header, `{"a":1}`, false, false)
			if err == nil {
				t.Fatal("no error")
			}
			n := len(srv.Hits()) - 1
			if n < c.min || n > c.max {
				t.Errorf("the service got %d requests, want %d to %d", n, c.min, c.max)
			}
			r := obs.Records()
			t.Logf("%s: the service got %d requests for %d runtime attempts", c.name, n, r[len(r)-1].Attempts)
		})
	}
}

// TestRetryBackoff: exponential backoff with equal jitter: the k-th wait is
// between half and all of BaseDelay·2^(k-1) (capped at MaxDelay), and the
// waits of different calls differ.
func TestRetryBackoff(t *testing.T) {
	for _, c := range []struct {
		name           string
		base, maxDelay time.Duration
		attempts       int
	}{
		{"doubling", 20 * time.Millisecond, time.Second, 5},
		// Uncapped, the sixth wait would be 1.28 s (at least 640 ms with jitter).
		{"capped at MaxDelay", 40 * time.Millisecond, 60 * time.Millisecond, 7},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newScripted(t, status(503))
			svc, _ := plainService(t, srv.URL, runtime.WithRetry(runtime.RetryPolicy{MaxAttempts: c.attempts, BaseDelay: c.base, MaxDelay: c.maxDelay}))
			const calls = 6
			gaps := make([][]time.Duration, c.attempts-1)
			for range calls {
				before := len(srv.Hits())
				if st, err := send(t, svc, srv.URL, "GET", nil, "", false, false); err != nil || st != 503 {
					t.Fatalf("%d %v", st, err)
				}
				hits := srv.Hits()[before:]
				if len(hits) != c.attempts {
					t.Fatalf("%d requests, want %d", len(hits), c.attempts)
				}
				for k := 1; k < len(hits); k++ {
					gaps[k-1] = append(gaps[k-1], hits[k].At.Sub(hits[k-1].At))
				}
			}
			for k, gs := range gaps {
				d := min(c.base<<k, c.maxDelay)
				// A wait is never shorter than half the backoff: exact. It is
				// longer than the backoff only by scheduling, which on a busy
				// machine can add hundreds of milliseconds to any one wait; the
				// shortest of the calls' waits shows the backoff itself, within a
				// slack that still tells doubling and the cap apart.
				for _, g := range gs {
					if g < d/2 {
						t.Errorf("wait %d: %s, want at least %s", k+1, g, d/2)
					}
				}
				if g := slices.Min(gs); g > d+400*time.Millisecond {
					t.Errorf("wait %d: the shortest of %d calls' waits is %s, want %s to %s", k+1, calls, g, d/2, d)
				}
				if spread := slices.Max(gs) - slices.Min(gs); k == len(gaps)-1 && spread < 2*time.Millisecond {
					t.Errorf("wait %d of %d calls: %v: no jitter", k+1, calls, gs)
				}
				t.Logf("wait %d (backoff %s, jitter %s to %s): %v", k+1, d, d/2, d, roundAll(gs))
			}
		})
	}
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

// TestRetryBounds: retries stop at MaxAttempts, and at the context's deadline
// or the per-call timeout, whichever comes first: a wait that would end past
// it is not begun.
func TestRetryBounds(t *testing.T) {
	srv := newScripted(t, status(503))
	t.Run("MaxAttempts", func(t *testing.T) {
		before := len(srv.Hits())
		svc, _ := plainService(t, srv.URL, runtime.WithRetry(runtime.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond}))
		send(t, svc, srv.URL, "GET", nil, "", false, false)
		if n := len(srv.Hits()) - before; n != 4 {
			t.Errorf("%d requests, want 4", n)
		}
	})
	const limit = 600 * time.Millisecond
	policy := runtime.WithRetry(runtime.RetryPolicy{MaxAttempts: 1000, BaseDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond})
	for _, c := range []struct {
		name string
		ctx  bool // the context's deadline, else the service's timeout
	}{{"context deadline", true}, {"service timeout", false}} {
		t.Run(c.name, func(t *testing.T) {
			before := len(srv.Hits())
			opts := []runtime.Option{policy}
			ctx := context.Background()
			if c.ctx {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, limit)
				defer cancel()
			} else {
				opts = append(opts, runtime.WithTimeout(limit))
			}
			svc, obs := plainService(t, srv.URL, opts...)
			start := time.Now()
			status, _, err := callStatus(ctx, svc, "/orders/1")
			took := time.Since(start)
			switch {
			case err == nil && status == 503:
			case err != nil && errors.Is(err, context.DeadlineExceeded):
				// The last attempt's round trip crossed the deadline.
			default:
				t.Fatalf("%v", err)
			}
			n := len(srv.Hits()) - before
			// Without the bound, 1,000 attempts at 20-100 ms apart would
			// take over a minute; with it the call returns at the deadline.
			// The slack is for a loaded machine (-race at load 12), which
			// also leaves room for fewer attempts than a quiet one makes.
			if took > limit+5*time.Second || n < 2 {
				t.Errorf("%d attempts in %s with a bound of %s", n, took, limit)
			}
			// An attempt started as the deadline passed may never reach the
			// server: the record counts it, the server does not.
			crossed := err != nil && errors.Is(err, context.DeadlineExceeded)
			if r := obs.Records(); len(r) != 1 || r[0].Attempts != n && !(crossed && r[0].Attempts == n+1) {
				t.Errorf("records %+v (%d requests reached the server)", r, n)
			}
			t.Logf("%d attempts, returned after %s (bound %s)", n, took.Round(time.Millisecond), limit)
		})
	}
}

// TestCallTimeout: the per-call timeout (ServiceConfig.Timeout, WithTimeout,
// TPGEN_<SERVICE>_TIMEOUT, DefaultTimeout when none is set) ends a call that
// hangs, through a generated method and through HTTPClient alike; WithTimeout(0) turns it off.
func TestCallTimeout(t *testing.T) {
	srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	const limit = 300 * time.Millisecond
	for _, c := range []struct {
		name string
		cfg  runtime.ServiceConfig
		opts []runtime.Option
		raw  bool
	}{
		{name: "ServiceConfig.Timeout", cfg: runtime.ServiceConfig{Timeout: limit}},
		{name: "WithTimeout", opts: []runtime.Option{runtime.WithTimeout(limit)}},
		{name: "environment", opts: []runtime.Option{envMap(map[string]string{"TPGEN_ORDERS_TIMEOUT": "300ms"})}},
		{name: "HTTPClient", cfg: runtime.ServiceConfig{Timeout: limit}, raw: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(srv.Hits())
			c.cfg.Name = "orders"
			hc, _ := ownTransport(t)
			svc, err := runtime.NewService(c.cfg, append([]runtime.Option{runtime.WithLookupEnv(noEnv), runtime.WithBaseURL(srv.URL), runtime.WithHTTPClient(hc)}, c.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			// A backstop, so that a missing timeout fails the test instead of hanging it.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			if c.raw {
				req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/orders/1", nil)
				_, err = svc.HTTPClient().Do(req)
			} else {
				_, _, err = callStatus(ctx, svc, "/orders/1")
			}
			took := time.Since(start)
			if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(fmtErr(err), "Client.Timeout") {
				t.Errorf("error %v, want a deadline", err)
			}
			if took < limit || took > limit+500*time.Millisecond {
				t.Errorf("took %s, want about %s", took, limit)
			}
			if n := len(srv.Hits()) - before; n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}

	// DefaultTimeout (30 s) bounds a call that sets none: a Retry-After of 31 s
	// (within MaxDelay) would end past it and is not waited for; one of 29 s is.
	// Without a bound (WithTimeout(0)), 31 s is waited for too. Waits are cut
	// short by cancelling the context.
	if runtime.DefaultTimeout != 30*time.Second {
		t.Fatalf("DefaultTimeout is %s; the cases below assume 30s", runtime.DefaultTimeout)
	}
	for _, c := range []struct {
		name       string
		retryAfter string
		opts       []runtime.Option
		raw        bool
		waits      bool
	}{
		{"default, Retry-After 31", "31", nil, false, false},
		{"default, Retry-After 29", "29", nil, false, true},
		{"default, HTTPClient, Retry-After 31", "31", nil, true, false},
		{"default, HTTPClient, Retry-After 29", "29", nil, true, true},
		{"WithTimeout(0), Retry-After 31", "31", []runtime.Option{runtime.WithTimeout(0)}, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newScripted(t, status(503, "Retry-After", c.retryAfter))
			svc, _ := plainService(t, srv.URL, append([]runtime.Option{runtime.WithRetry(runtime.RetryPolicy{MaxDelay: time.Minute})}, c.opts...)...)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			const patience = 300 * time.Millisecond
			time.AfterFunc(patience, cancel)
			start := time.Now()
			var st int
			var err error
			if c.raw {
				req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/orders/1", nil)
				var resp *http.Response
				if resp, err = svc.HTTPClient().Do(req); err == nil {
					st = resp.StatusCode
					resp.Body.Close()
				}
			} else {
				st, _, err = callStatus(ctx, svc, "/orders/1")
			}
			took := time.Since(start)
			if c.waits {
				if !errors.Is(err, context.Canceled) || took < patience {
					t.Errorf("returned after %s with %d %v: want it waiting for the Retry-After until cancelled", took, st, err)
				}
			} else if err != nil || st != 503 || took > patience/2 {
				t.Errorf("returned after %s with %d %v: want the 503 at once", took, st, err)
			}
			if n := len(srv.Hits()); n != 1 {
				t.Errorf("%d requests", n)
			}
		})
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestRetryKeepsToken: retries of a call reuse its token; a 503 does not make
// the runtime fetch another.
func TestRetryKeepsToken(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	var n atomic.Int64
	a.handle = func(w http.ResponseWriter, r *http.Request, h apiHit) {
		if n.Add(1) <= 2 {
			status(503)(w, r)
			return
		}
		status(200)(w, r)
	}
	svc := ccService(t, auth, a, runtime.WithAuth(runtime.Auth{TokenURL: auth.TokenURL()}), runtime.WithRetry(runtime.RetryPolicy{BaseDelay: time.Millisecond}))
	if _, err := getOrder(context.Background(), svc, "1"); err != nil {
		t.Fatal(err)
	}
	hits := a.Hits()
	if len(hits) != 3 || hits[0].Auth != hits[2].Auth || auth.TokenRequestsFor(authserver.GrantClientCredentials) != 1 {
		t.Errorf("%d requests, %d token requests", len(hits), auth.TokenRequests())
	}
}

// TestRetryOnlyConnectionFailures: an error that would come back on every
// attempt is not retried: a header value net/http refuses before sending
// (through HTTPClient; a generated method refuses it before the runtime sends
// anything), a server whose certificate is not trusted. A request that never reached the service (its
// connection was refused) is sent again, even a POST.
func TestRetryOnlyConnectionFailures(t *testing.T) {
	const attempts = 3
	policy := runtime.WithRetry(runtime.RetryPolicy{MaxAttempts: attempts, BaseDelay: time.Millisecond})
	plain := newScripted(t, status(200))
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("a request reached the TLS server") }))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes it refuses
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	closed := "http://" + closedAddr(t)
	for _, tt := range []struct {
		name     string
		base     string
		method   string
		header   map[string]string
		raw      bool
		attempts int
		errText  string
	}{
		{name: "invalid header value", base: plain.URL, method: "GET", header: map[string]string{"X-Trace": "a\nb"}, attempts: 0, errText: "which a header value cannot carry"},
		{name: "invalid header value, raw", base: plain.URL, method: "GET", header: map[string]string{"X-Trace": "a\nb"}, raw: true, attempts: 1, errText: "invalid header field value"},
		{name: "untrusted certificate", base: tlsSrv.URL, method: "GET", attempts: 1, errText: "certificate"},
		{name: "connection refused, GET", base: closed, method: "GET", attempts: attempts, errText: "connection refused"},
		{name: "connection refused, POST", base: closed, method: "POST", attempts: attempts, errText: "connection refused"},
		{name: "connection refused, raw POST", base: closed, method: "POST", raw: true, attempts: attempts, errText: "connection refused"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			svc, obs := plainService(t, tt.base, policy)
			before := len(plain.Hits())
			_, err := send(t, svc, tt.base, tt.method, tt.header, `{"a":1}`, false, tt.raw)
			if err == nil || !strings.Contains(err.Error(), tt.errText) {
				t.Fatalf("error %v, want one that says %q", err, tt.errText)
			}
			recs := obs.Records()
			if len(recs) != 1 || recs[0].Attempts != tt.attempts {
				t.Errorf("records %+v, want one with %d attempts", recs, tt.attempts)
			}
			if n := len(plain.Hits()) - before; n != 0 {
				t.Errorf("%d requests reached the service", n)
			}
		})
	}
}
