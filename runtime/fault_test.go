package runtime_test

// Faults of the token endpoint and of the service: every failure ends promptly
// in an error that says what failed, leaves no goroutine behind, and does not
// stick once the fault is gone.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	goruntime "runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// checkGoroutines waits for the number of goroutines to come back to
// baseline (with a little slack for the runtime's own), and fails with a dump
// of them if it does not within a few seconds.
func checkGoroutines(t *testing.T, baseline int) int {
	t.Helper()
	const slack = 2
	if waitFor(30*time.Second, func() bool { return goruntime.NumGoroutine() <= baseline+slack }) {
		return goruntime.NumGoroutine()
	}
	var b strings.Builder
	_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
	t.Errorf("%d goroutines, baseline %d: leaked\n%s", goruntime.NumGoroutine(), baseline, b.String())
	return goruntime.NumGoroutine()
}

// ownTransport returns a client with a transport of its own, whose idle
// connections (and their goroutines) are closed when the test ends or by the
// returned function.
func ownTransport(t *testing.T) (*http.Client, *http.Transport) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}, tr
}

// countingTransport counts the response body bytes that its client reads.
type countingTransport struct {
	base http.RoundTripper
	read atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if resp != nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.read}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// closedAddr returns a loopback address that nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// frontDoor is a reverse proxy in front of the provider on an address of its
// own, which can be down (nothing listens) or up. It adds Retry-After to the
// provider's 429 answers, which the provider's faults cannot.
type frontDoor struct {
	addr       string
	retryAfter string
	proxy      *httputil.ReverseProxy
	tr         *http.Transport
	srv        *http.Server
}

func newFrontDoor(t *testing.T, auth *authserver.Server) *frontDoor {
	target, _ := url.Parse(auth.Issuer())
	f := &frontDoor{addr: closedAddr(t), retryAfter: "7"}
	f.tr = http.DefaultTransport.(*http.Transport).Clone()
	f.proxy = httputil.NewSingleHostReverseProxy(target)
	f.proxy.Transport = f.tr
	f.proxy.ModifyResponse = func(r *http.Response) error {
		if r.StatusCode == http.StatusTooManyRequests {
			r.Header.Set("Retry-After", f.retryAfter)
		}
		return nil
	}
	t.Cleanup(f.down)
	return f
}

func (f *frontDoor) TokenURL() string { return "http://" + f.addr + authserver.TokenPath }

func (f *frontDoor) up(t *testing.T) {
	l, err := net.Listen("tcp", f.addr)
	if err != nil {
		t.Fatalf("front door: %v", err)
	}
	f.srv = &http.Server{Handler: f.proxy}
	go f.srv.Serve(l)
}

func (f *frontDoor) down() {
	if f.srv != nil {
		f.srv.Close()
		f.srv = nil
	}
	f.tr.CloseIdleConnections()
}

// TestTokenEndpointFaults: down, slow, failing, rate limiting, garbage, huge
// and mislabelled token endpoints. Each call fails promptly with a
// *token.Error naming service, operation, grant, endpoint and message id, with
// the status when there was one; no response reads more than the 1 MiB cap;
// no goroutine is left behind; failures that may pass (no connection, 503,
// 500) are tried tokenAttempts times, others once; and once the fault is
// cleared and the failure no longer remembered, the next call succeeds.
func TestTokenEndpointFaults(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.anyActor = true
	alice := user(t, auth, "alice", nil)
	door := newFrontDoor(t, auth)
	// One call before the baseline, so that what stays for the whole test (the
	// resource server's JWKS client) is counted in it.
	warm, warmTr := ownTransport(t)
	if _, err := getOrder(context.Background(), ccService(t, auth, a, runtime.WithHTTPClient(warm)), "1"); err != nil {
		t.Fatal(err)
	}
	warmTr.CloseIdleConnections()
	baseline := goruntime.NumGoroutine()

	const (
		tokenTimeout = 300 * time.Millisecond
		ctxTimeout   = 300 * time.Millisecond
	)
	huge := strings.Repeat("x", 4<<20) // 4 MiB, four times the cap
	tests := []struct {
		name     string
		fault    authserver.Fault
		viaDoor  bool // through the front door: down until cleared, Retry-After on 429
		doorDown bool
		opts     []runtime.Option
		ctxLimit time.Duration
		status   int
		code     string
		errIs    error
		errText  string
		within   time.Duration // the call must fail within this
		retry    time.Duration // token.Error.RetryAfter
		attempts int           // token requests made for the call; 0: not counted (still in flight)
	}{
		{name: "down: closed port", viaDoor: true, doorDown: true, errIs: syscall.ECONNREFUSED, errText: "connection refused", within: 2 * time.Second, attempts: 3},
		{name: "slow: beyond token.Config.Timeout", fault: authserver.Fault{Delay: 5 * time.Second},
			opts: []runtime.Option{runtime.WithAuth(runtime.Auth{Tokens: token.Config{Timeout: tokenTimeout}})}, errIs: context.DeadlineExceeded, within: tokenTimeout + time.Second, attempts: 1},
		{name: "slow: beyond the context deadline", fault: authserver.Fault{Hang: true}, ctxLimit: ctxTimeout,
			errIs: context.DeadlineExceeded, within: ctxTimeout + time.Second},
		{name: "503", fault: authserver.Fault{Status: 503, Body: `{"error":"temporarily_unavailable","error_description":"maintenance"}`},
			status: 503, code: "temporarily_unavailable", errText: "503 Service Unavailable: temporarily_unavailable (maintenance)", within: 2 * time.Second, attempts: 3},
		{name: "429 with Retry-After", viaDoor: true, fault: authserver.Fault{Status: 429, Body: `{"error":"slow_down"}`},
			status: 429, code: "slow_down", errText: "429 Too Many Requests", within: time.Second, retry: 7 * time.Second, attempts: 1},
		{name: "garbage body", fault: authserver.Fault{Status: 200, Body: "\x00\xff{{{ not a token", ContentType: "application/json"},
			status: 200, errText: "is not a JSON token response", within: time.Second, attempts: 1},
		{name: "huge body", fault: authserver.Fault{Status: 200, Body: huge},
			status: 200, errText: "token response larger than 1048576 bytes", within: 2 * time.Second, attempts: 1},
		{name: "huge error body", fault: authserver.Fault{Status: 500, Body: huge},
			status: 500, errText: "token response larger than 1048576 bytes", within: 3 * time.Second, attempts: 3},
		{name: "wrong content type", fault: authserver.Fault{Status: 200, ContentType: "text/html", Body: "<html><body>Sign in to the proxy</body></html>"},
			status: 200, errText: `content type "text/html"`, within: time.Second, attempts: 1},
	}
	var figures []string
	for _, tt := range tests {
		for _, grant := range []runtime.Grant{runtime.GrantClientCredentials, runtime.GrantTokenExchange} {
			t.Run(tt.name+"/"+grant.String(), func(t *testing.T) {
				tokenURL := auth.TokenURL()
				if tt.viaDoor {
					tokenURL = door.TokenURL()
					if !tt.doorDown {
						door.up(t)
					}
				}
				auth.SetFault(tt.fault)
				defer auth.Reset()
				hc, tr := ownTransport(t)
				counter := &countingTransport{base: tr}
				clock := &fakeClock{t: time.Now()}
				obs := &observer{}
				opts := append([]runtime.Option{runtime.WithAuth(runtime.Auth{TokenURL: tokenURL}), runtime.WithHTTPClient(hc),
					runtime.WithAuth(runtime.Auth{Tokens: token.Config{HTTPClient: &http.Client{Transport: counter}}}), runtime.WithAuth(runtime.Auth{Tokens: token.Config{Now: clock.Now}}), runtime.WithObserver(obs)}, tt.opts...)
				svc := txService(t, auth, a, grant, opts...)
				ctx := runtime.ContextWithMessageID(runtime.ContextWithCallerToken(context.Background(), alice), "mid-fault-1")
				if tt.ctxLimit > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.ctxLimit)
					defer cancel()
				}
				apiBefore := len(a.Hits())

				start := time.Now()
				_, err := getOrder(ctx, svc, "1")
				took := time.Since(start)

				te := asTokenError(t, err)
				if te.Service != "orders" || te.Operation != "getOrder" || te.Grant.String() != grant.String() || te.TokenURL != tokenURL ||
					te.MessageID != "mid-fault-1" || te.StatusCode != tt.status || te.Code != tt.code || te.RetryAfter != tt.retry {
					t.Errorf("token.Error %+v", te)
				}
				if tt.errIs != nil && !errors.Is(err, tt.errIs) {
					t.Errorf("errors.Is(err, %v) is false: %v", tt.errIs, err)
				}
				msg := err.Error()
				for _, want := range []string{tt.errText, "orders.getOrder", "mid-fault-1", grant.String()} {
					if !strings.Contains(msg, want) {
						t.Errorf("Error() = %q, want it to say %q", msg, want)
					}
				}
				if took > tt.within {
					t.Errorf("the call took %s, want at most %s", took, tt.within)
				}
				requests := len(obs.Events())
				if tt.attempts != 0 && requests != tt.attempts {
					t.Errorf("%d token requests, want %d", requests, tt.attempts)
				}
				if got := counter.read.Load(); got > int64(max(requests, 1))*(1<<20+1) {
					t.Errorf("read %d bytes of %d token responses, more than the 1 MiB cap each", got, requests)
				}
				if len(a.Hits()) != apiBefore {
					t.Error("the call reached the service without a token")
				}

				// Cleared, and no longer remembered: the next call succeeds.
				auth.Reset()
				clock.Advance(time.Minute)
				if tt.doorDown {
					door.up(t)
				}
				if _, err := getOrder(runtime.ContextWithCallerToken(context.Background(), alice), svc, "1"); err != nil {
					t.Errorf("after the fault was cleared: %v", err)
				}
				door.down()
				tr.CloseIdleConnections()
				n := checkGoroutines(t, baseline)
				if grant == runtime.GrantClientCredentials {
					figures = append(figures, fmt.Sprintf("%s: %s (status %d, %d requests, read %d B, goroutines %d/%d)",
						tt.name, took.Round(time.Millisecond), te.StatusCode, requests, counter.read.Load(), n, baseline))
				}
			})
		}
	}
	t.Logf("time to fail, client credentials:\n  %s", strings.Join(figures, "\n  "))
}

// TestTokenResponseBounded: a token endpoint that answers with an endless
// body costs the client a bounded read, bounded memory and little time: the
// body is read up to the cap and the connection dropped.
func TestTokenResponseBounded(t *testing.T) {
	const endless = 1 << 30 // what the endpoint would send: 1 GiB
	var written atomic.Int64
	var finished atomic.Bool
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer finished.Store(true)
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(strings.Repeat(`{"access_token":"aaaa",`, 1400)) // ~32 KiB
		for written.Load() < endless {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer idp.Close()
	api := echoServer(t)
	_, tr := ownTransport(t)
	counter := &countingTransport{base: tr}
	svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(api.URL), runtime.WithAuth(runtime.Auth{
		TokenURL:     idp.URL,
		Grant:        runtime.GrantClientCredentials,
		ClientID:     "id",
		ClientSecret: "secret-secret",
		Tokens:       token.Config{HTTPClient: &http.Client{Transport: counter}},
	}))
	baseline := goruntime.NumGoroutine()

	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	start := time.Now()
	_, err := getOrder(context.Background(), svc, "1")
	took := time.Since(start)
	goruntime.ReadMemStats(&after)

	te := asTokenError(t, err)
	if te.StatusCode != 200 || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
		t.Errorf("error %v", err)
	}
	read, alloc := counter.read.Load(), after.TotalAlloc-before.TotalAlloc
	if read > 1<<20+1 {
		t.Errorf("read %d bytes of the token response, more than the cap", read)
	}
	if alloc > 16<<20 {
		t.Errorf("the call allocated %d MiB", alloc>>20)
	}
	if took > 2*time.Second {
		t.Errorf("the call took %s", took)
	}
	tr.CloseIdleConnections()
	if !waitFor(30*time.Second, finished.Load) {
		t.Error("the endpoint is still writing")
	}
	if w := written.Load(); w >= endless/4 {
		t.Errorf("the endpoint wrote %d MiB: the client kept reading", w>>20)
	}
	checkGoroutines(t, baseline)
	t.Logf("endless token response: failed in %s, read %d bytes (cap %d), allocated %.1f MiB, endpoint wrote %.1f MiB before the hang-up",
		took.Round(time.Millisecond), read, 1<<20, float64(alloc)/(1<<20), float64(written.Load())/(1<<20))
}

// scripted is a service whose answers follow a script: each request gets the
// next entry (the last one repeats). It records when each request arrived.
type scripted struct {
	*httptest.Server
	mu     sync.Mutex
	script []func(w http.ResponseWriter, r *http.Request)
	hits   []scriptedHit
}

type scriptedHit struct {
	At     time.Time
	Method string
	Header http.Header
	Body   string
}

func newScripted(t *testing.T, script ...func(w http.ResponseWriter, r *http.Request)) *scripted {
	s := &scripted{script: script}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		i := len(s.hits)
		s.hits = append(s.hits, scriptedHit{At: time.Now(), Method: r.Method, Header: r.Header.Clone(), Body: string(body)})
		f := s.script[min(i, len(s.script)-1)]
		s.mu.Unlock()
		f(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *scripted) Hits() []scriptedHit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]scriptedHit(nil), s.hits...)
}

func status(code int, header ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"status":%d}`, code)
	}
}

// hangUp reads the request and closes the connection without answering: the
// request reached the service, which may have acted on it.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

// plainService is a service without authentication (retries do not depend on
// it) with a transport of its own.
func plainService(t *testing.T, url string, opts ...runtime.Option) (*runtime.Service, *observer) {
	hc, _ := ownTransport(t)
	obs := &observer{}
	return newService(t, runtime.ServiceConfig{Name: "orders"}, append([]runtime.Option{runtime.WithBaseURL(url),
		runtime.WithHTTPClient(hc), runtime.WithObserver(obs)}, opts...)...), obs
}

// TestServiceRetryAfter: 429 and 503 with Retry-After in seconds and as an
// HTTP date are waited for as asked, up to RetryPolicy.MaxDelay and never past
// the context's deadline; beyond either, the answer comes back at once with
// ResponseError.RetryAfter set.
func TestServiceRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		first      func() (func(w http.ResponseWriter, r *http.Request), time.Time) // the first answer; when the retry may come
		policy     runtime.RetryPolicy
		ctxLimit   time.Duration
		wantHits   int
		wantStatus int
		retryAfter time.Duration // of the ResponseError, when the answer is returned
		within     time.Duration
	}{
		{name: "503, seconds", first: func() (func(http.ResponseWriter, *http.Request), time.Time) {
			return status(503, "Retry-After", "1"), time.Now().Add(time.Second)
		}, wantHits: 2, wantStatus: 200, within: 2500 * time.Millisecond},
		{name: "429, HTTP date", first: func() (func(http.ResponseWriter, *http.Request), time.Time) {
			at := time.Now().Add(2 * time.Second).Truncate(time.Second) // HTTP dates have whole seconds
			return status(429, "Retry-After", at.UTC().Format(http.TimeFormat)), at
		}, wantHits: 2, wantStatus: 200, within: 3500 * time.Millisecond},
		{name: "503, beyond MaxDelay", first: func() (func(http.ResponseWriter, *http.Request), time.Time) {
			return status(503, "Retry-After", "3"), time.Time{}
		}, policy: runtime.RetryPolicy{MaxDelay: time.Second}, wantHits: 1, wantStatus: 503, retryAfter: 3 * time.Second, within: 500 * time.Millisecond},
		{name: "429, HTTP date beyond MaxDelay", first: func() (func(http.ResponseWriter, *http.Request), time.Time) {
			return status(429, "Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)), time.Time{}
		}, wantHits: 1, wantStatus: 429, retryAfter: time.Hour, within: 500 * time.Millisecond},
		{name: "429, beyond the context deadline", first: func() (func(http.ResponseWriter, *http.Request), time.Time) {
			return status(429, "Retry-After", "2"), time.Time{}
		}, ctxLimit: time.Second, wantHits: 1, wantStatus: 429, retryAfter: 2 * time.Second, within: 500 * time.Millisecond},
		{name: "503, larger than a Duration", first: func() (func(http.ResponseWriter, *http.Request), time.Time) {
			return status(503, "Retry-After", "10000000000"), time.Time{} // 317 years: overflowed into "retry now" before
		}, wantHits: 1, wantStatus: 503, retryAfter: time.Duration(1<<63 - 1), within: 500 * time.Millisecond},
		{name: "503, HTTP date in the past: backoff", first: func() (func(http.ResponseWriter, *http.Request), time.Time) {
			return status(503, "Retry-After", time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)), time.Now().Add(25 * time.Millisecond)
		}, policy: runtime.RetryPolicy{BaseDelay: 50 * time.Millisecond}, wantHits: 2, wantStatus: 200, within: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, notBefore := tt.first()
			srv := newScripted(t, first, status(200))
			svc, obs := plainService(t, srv.URL, runtime.WithRetry(tt.policy))
			ctx := context.Background()
			if tt.ctxLimit > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxLimit)
				defer cancel()
			}
			start := time.Now()
			status, re, err := callStatus(ctx, svc, "/orders/1")
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d", status, tt.wantStatus)
			}
			if status != 200 {
				if re == nil || re.RetryAfter != tt.retryAfter && !(tt.retryAfter == time.Hour && re.RetryAfter > 59*time.Minute) {
					t.Errorf("ResponseError %+v, want RetryAfter %s", re, tt.retryAfter)
				}
			}
			hits := srv.Hits()
			if len(hits) != tt.wantHits {
				t.Fatalf("%d requests, want %d", len(hits), tt.wantHits)
			}
			if len(hits) == 2 && hits[1].At.Before(notBefore) {
				t.Errorf("retried %s before the time asked for", notBefore.Sub(hits[1].At))
			}
			if took > tt.within {
				t.Errorf("took %s, want at most %s", took, tt.within)
			}
			if r := obs.Records(); len(r) != 1 || r[0].Attempts != tt.wantHits {
				t.Errorf("records %+v", r)
			}
			gap := time.Duration(0)
			if len(hits) == 2 {
				gap = hits[1].At.Sub(hits[0].At)
			}
			t.Logf("%d requests, %s apart; call took %s", len(hits), gap.Round(time.Millisecond), took.Round(time.Millisecond))
		})
	}
}

// TestResetMidBody: a service that sends its headers and half a JSON body,
// then drops the connection. The call fails with a *CallError that wraps
// io.ErrUnexpectedEOF and names the message id; it is not sent again (the
// service answered); nothing is left behind.
func TestResetMidBody(t *testing.T) {
	half := func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		body := `{"path":"/orders/1","sub":"alice","scopes":["orders.read"]}`
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:len(body)/2])
		buf.Flush()
		conn.Close()
	}
	srv := newScripted(t, half)
	baseline := goruntime.NumGoroutine()
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			before := len(srv.Hits())
			svc, obs := plainService(t, srv.URL)
			op := tpgenimpl.Operation{ID: "getOrder", Method: method, Path: "/orders/{id}", Params: []tpgenimpl.Param{{Name: "id"}},
				RequestBody: tpgenimpl.BodyJSON, Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true, Body: tpgenimpl.BodyJSON}}}
			var out echo
			err := tpgenimpl.Invoke(runtime.ContextWithMessageID(context.Background(), "mid-reset"), svc, &op, nil, nil, struct{}{}, &out, "1")
			var ce *runtime.CallError
			if !errors.As(err, &ce) || !errors.Is(err, io.ErrUnexpectedEOF) || ce.MessageID != "mid-reset" || ce.Operation != "getOrder" {
				t.Fatalf("error %T %v", err, err)
			}
			if n := len(srv.Hits()) - before; n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			if r := obs.Records(); len(r) != 1 || r[0].Err == nil || r[0].Status != 200 {
				t.Errorf("records %+v", r)
			}
			t.Logf("%s: %v", method, err)
		})
	}
	// And through HTTPClient.
	svc, _ := plainService(t, srv.URL)
	resp, err := svc.HTTPClient().Get(srv.URL + "/orders/1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("raw client: %v", err)
	}
	checkGoroutines(t, baseline)
}

// TestCancelMidCall: a call whose context is cancelled while the service is
// working returns at once with a *CallError wrapping context.Canceled, is not
// sent again, and the service sees the request abandoned.
func TestCancelMidCall(t *testing.T) {
	abandoned := make(chan time.Time, 4)
	srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		abandoned <- time.Now()
	})
	baseline := goruntime.NumGoroutine()
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			before := len(srv.Hits())
			svc, _ := plainService(t, srv.URL, runtime.WithRetry(runtime.RetryPolicy{AddIdempotencyKey: true}))
			ctx, cancel := context.WithCancel(runtime.ContextWithMessageID(context.Background(), "mid-cancel"))
			const after = 150 * time.Millisecond
			time.AfterFunc(after, cancel)
			start := time.Now()
			op := &tpgenimpl.Operation{ID: "op", Method: method, Path: "/x", RequestBody: tpgenimpl.BodyJSON,
				Responses: []tpgenimpl.ResponseSpec{{Success: true}}}
			err := tpgenimpl.Invoke(ctx, svc, op, nil, nil, struct{}{}, nil)
			took := time.Since(start)
			var ce *runtime.CallError
			if !errors.As(err, &ce) || !errors.Is(err, context.Canceled) || ce.MessageID != "mid-cancel" {
				t.Fatalf("error %T %v", err, err)
			}
			if took > after+300*time.Millisecond {
				t.Errorf("returned %s after the cancel", took-after)
			}
			select {
			case at := <-abandoned:
				t.Logf("returned %s after the cancel; the service saw the request abandoned %s after it", (took - after).Round(time.Millisecond), at.Sub(start.Add(after)).Round(time.Millisecond))
			case <-time.After(2 * time.Second):
				t.Error("the service never saw the request abandoned")
			}
			if n := len(srv.Hits()) - before; n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
	checkGoroutines(t, baseline)
}

// TestCancelMidTokenFetch: the caller whose call started a token request
// cancels; it returns at once with a *token.Error wrapping context.Canceled,
// while the token request goes on and serves the caller that joined it. One
// token request in all, and the token is cached.
func TestCancelMidTokenFetch(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	const idpDelay = 800 * time.Millisecond
	auth.SetFault(authserver.Fault{Delay: idpDelay})
	obs := &observer{}
	hc, tr := ownTransport(t)
	svc := ccService(t, auth, a, runtime.WithAuth(runtime.Auth{TokenURL: auth.TokenURL()}), runtime.WithObserver(obs), runtime.WithHTTPClient(hc))
	// The resource server's verifier keeps a connection for the JWKS: open it
	// before the baseline.
	if _, err := auth.Verify(context.Background(), user(t, auth, "warm", nil)); err != nil {
		t.Fatal(err)
	}
	baseline := goruntime.NumGoroutine()

	ctx, cancel := context.WithCancel(runtime.ContextWithMessageID(context.Background(), "mid-first"))
	var first error
	var firstTook time.Duration
	const cancelAt = 150 * time.Millisecond
	var wg sync.WaitGroup
	start := time.Now()
	wg.Go(func() {
		_, first = getOrder(ctx, svc, "1")
		firstTook = time.Since(start)
	})
	time.Sleep(50 * time.Millisecond) // the first caller's token request is under way
	var second error
	wg.Go(func() { _, second = getOrder(context.Background(), svc, "2") })
	time.Sleep(cancelAt - 50*time.Millisecond)
	cancel()
	wg.Wait()
	secondTook := time.Since(start)

	te := asTokenError(t, first)
	if !errors.Is(first, context.Canceled) || te.StatusCode != 0 || te.MessageID != "mid-first" || te.Operation != "getOrder" {
		t.Errorf("cancelled caller: %+v", te)
	}
	if firstTook > cancelAt+300*time.Millisecond {
		t.Errorf("the cancelled caller returned %s after the cancel", firstTook-cancelAt)
	}
	if second != nil {
		t.Errorf("the caller that joined the token request: %v", second)
	}
	if secondTook < idpDelay {
		t.Errorf("the second caller got a token after %s, before the endpoint answered", secondTook)
	}
	auth.Reset()
	if _, err := getOrder(context.Background(), svc, "3"); err != nil {
		t.Fatal(err)
	}
	if got := auth.TokenRequests(); got != 1 {
		t.Errorf("%d token requests, want 1", got)
	}
	if ev := obs.Events(); len(ev) != 1 || ev[0].Err != nil {
		t.Errorf("token events %+v: the token request must have completed", ev)
	}
	if hits := a.Hits(); len(hits) != 2 {
		t.Errorf("the service got %d calls, want 2", len(hits))
	}
	tr.CloseIdleConnections()
	checkGoroutines(t, baseline)
	t.Logf("cancelled caller returned %s after the cancel; the other got its token after %s (endpoint delay %s)",
		(firstTook - cancelAt).Round(time.Millisecond), secondTook.Round(time.Millisecond), idpDelay)
}

// TestUploadReleasedOnFailure: a streamed upload (a Multipart pipe, as
// generated code builds for multipart bodies) whose call fails before or
// while it is sent does not leave the goroutine that writes it blocked.
func TestUploadReleasedOnFailure(t *testing.T) {
	down := "http://" + closedAddr(t)
	svcDown := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(down))
	// Hangs up at once, without reading the body: the upload fails while it is sent.
	rude := httptest.NewServer(http.HandlerFunc(hangUp))
	defer rude.Close()
	tokenDown := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(rude.URL), runtime.WithAuth(runtime.Auth{
		TokenURL:     down + "/token",
		Grant:        runtime.GrantClientCredentials,
		ClientID:     "id",
		ClientSecret: "secret-secret",
	}))
	hangsUp, _ := plainService(t, rude.URL)
	op := tpgenimpl.Operation{ID: "upload", Method: "POST", Path: "/files", RequestBody: tpgenimpl.BodyMultipart,
		Responses: []tpgenimpl.ResponseSpec{{Success: true}}}
	type uploadBody struct {
		File runtime.File `json:"file"`
	}
	baseline := goruntime.NumGoroutine()
	for name, svc := range map[string]*runtime.Service{"token endpoint down": tokenDown, "service down": svcDown, "service hangs up": hangsUp} {
		for range 3 {
			body := &uploadBody{File: runtime.File{Content: strings.NewReader(strings.Repeat("z", 4<<20))}}
			if err := tpgenimpl.Invoke(context.Background(), svc, &op, nil, nil, body, nil); err == nil {
				t.Fatalf("%s: no error", name)
			}
		}
	}
	checkGoroutines(t, baseline)
}
