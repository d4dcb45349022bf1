package runtime_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/runtime"
)

var generatedID = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

// TestMessageID: Middleware adopts the incoming message id or makes one; the
// call to the service and the token request carry it, the response and the
// errors name it.
func TestMessageID(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.handle = func(w http.ResponseWriter, r *http.Request, h apiHit) {
		if r.URL.Path == "/orders/fail" {
			http.Error(w, `{"title":"broken"}`, http.StatusInternalServerError)
			return
		}
		io.WriteString(w, `{}`)
	}
	tests := []struct {
		name      string
		incoming  string // "" sends none
		header    string // custom header name on both sides; "" for the default
		adopt     bool
		generated bool
	}{
		{name: "adopted", incoming: "order-flow-7f3a", adopt: true},
		{name: "none: generated", generated: true},
		{name: "with a space: replaced", incoming: "bad id", generated: true},
		{name: "non-ASCII: replaced", incoming: "flow-\u00fc", generated: true},
		{name: "too long: replaced", incoming: strings.Repeat("x", 129), generated: true},
		{name: "custom header", incoming: "flow-1", header: "Api-Flow-Id", adopt: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := tt.header
			var mwOpts []runtime.MiddlewareConfig
			svcOpts := []runtime.Option{runtime.WithRetry(runtime.NoRetry)}
			if header == "" {
				header = runtime.DefaultMessageIDHeader
			} else {
				mwOpts = append(mwOpts, runtime.MiddlewareConfig{MessageIDHeader: header})
				svcOpts = append(svcOpts, runtime.WithMessageIDHeader(header))
			}
			svc := ccService(t, auth, a, svcOpts...) // new: the first call needs a token
			var callErr error
			app := httptest.NewServer(runtime.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, err := getOrder(r.Context(), svc, "1"); err != nil {
					t.Error(err)
				}
				_, callErr = getOrder(r.Context(), svc, "fail")
				w.Write([]byte("done"))
			}), mwOpts...))
			defer app.Close()
			tokensBefore, hitsBefore := len(auth.TokenLog()), len(a.Hits())

			req, _ := http.NewRequest("GET", app.URL, nil)
			if tt.incoming != "" {
				req.Header[header] = []string{tt.incoming}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			mid := resp.Header.Get(header)
			switch {
			case tt.adopt && mid != tt.incoming:
				t.Fatalf("response message id %q, want %q", mid, tt.incoming)
			case tt.generated && !generatedID.MatchString(mid):
				t.Fatalf("response message id %q is not a generated one", mid)
			}
			hits, tokens := a.Hits()[hitsBefore:], auth.TokenLog()[tokensBefore:]
			if len(hits) != 2 || len(tokens) != 1 {
				t.Fatalf("%d calls, %d token requests", len(hits), len(tokens))
			}
			for _, h := range hits {
				if got := h.Header.Get(header); got != mid {
					t.Errorf("call to the service carried %s %q, want %q", header, got, mid)
				}
			}
			if got := tokens[0].Header.Get(header); got != mid {
				t.Errorf("token request carried %s %q, want %q", header, got, mid)
			}
			var re *runtime.ResponseError
			if !errors.As(callErr, &re) || re.MessageID != mid || re.StatusCode != 500 || !strings.Contains(callErr.Error(), mid) {
				t.Errorf("error %v does not carry message id %q", callErr, mid)
			}
		})
	}
}

// TestMessageIDWithoutMiddleware: a call without one in its context makes its
// own, used for its token request too; each call gets another.
func TestMessageIDWithoutMiddleware(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	obs := &observer{}
	svc := ccService(t, auth, a, runtime.WithObserver(obs))
	for range 2 {
		if _, err := getOrder(context.Background(), svc, "1"); err != nil {
			t.Fatal(err)
		}
	}
	recs, hits := obs.Records(), a.Hits()
	if !generatedID.MatchString(recs[0].MessageID) || recs[0].MessageID == recs[1].MessageID {
		t.Errorf("message ids %q %q", recs[0].MessageID, recs[1].MessageID)
	}
	for i := range 2 {
		if hits[i].MessageID != recs[i].MessageID {
			t.Errorf("call %d sent %q, recorded %q", i, hits[i].MessageID, recs[i].MessageID)
		}
	}
	if got := auth.TokenLog()[0].Header.Get(runtime.DefaultMessageIDHeader); got != recs[0].MessageID {
		t.Errorf("token request carried %q, want %q", got, recs[0].MessageID)
	}
}

var timingEntry = regexp.MustCompile(`^([A-Za-z0-9!#$%&'*+\-.^_` + "`" + `|~]+);dur=(\d+\.\d)$`)

// allowAll lets every caller see Server-Timing: for tests.
func allowAll(*http.Request) bool { return true }

// TestServerTiming: Middleware writes an entry per outgoing call and token
// request, and the handler's own time, only when the operator turned it on
// and allows the caller: a request that asks with Tp-Diag gets nothing by
// default, and nothing when the operator's predicate refuses it.
func TestServerTiming(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	operator := func(r *http.Request) bool { return r.Header.Get("X-Test-Operator") == "yes" }
	allowed := runtime.MiddlewareConfig{ServerTiming: operator}
	tests := []struct {
		name     string
		opts     []runtime.MiddlewareConfig
		diag     string // Tp-Diag request header
		operator bool   // the request is one the operator's predicate accepts
		write    bool   // the handler writes a body
		want     bool
	}{
		{name: "default, asked for", diag: "1", operator: true, write: true},
		{name: "allowed, asked for", opts: []runtime.MiddlewareConfig{allowed}, diag: "Time", operator: true, write: true, want: true},
		{name: "allowed, asked for, handler writes nothing", opts: []runtime.MiddlewareConfig{allowed}, diag: "1", operator: true, want: true},
		{name: "refused, asked for", opts: []runtime.MiddlewareConfig{allowed}, diag: "1", write: true},
		{name: "allowed, not asked for", opts: []runtime.MiddlewareConfig{allowed}, operator: true, write: true},
		{name: "nil predicate", opts: []runtime.MiddlewareConfig{{ServerTiming: nil}}, diag: "1", operator: true, write: true},
		{name: "allowed, asked for with another header", opts: []runtime.MiddlewareConfig{allowed, {DiagnosticsHeader: "X-Diag"}},
			diag: "1", operator: true, write: true},
		{name: "allowed, no header needed", opts: []runtime.MiddlewareConfig{allowed, {ServerTimingUnasked: true}},
			operator: true, write: true, want: true},
		{name: "refused, no header needed", opts: []runtime.MiddlewareConfig{allowed, {ServerTimingUnasked: true}},
			diag: "1", write: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := ccService(t, auth, a) // cold: the first call obtains a token
			app := httptest.NewServer(runtime.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for range 2 {
					if _, err := getOrder(r.Context(), svc, "1"); err != nil {
						t.Error(err)
					}
				}
				if tt.write {
					w.Write([]byte("ok"))
				}
			}), tt.opts...))
			defer app.Close()
			req, _ := http.NewRequest("GET", app.URL, nil)
			if tt.diag != "" {
				req.Header.Set(runtime.DefaultDiagnosticsHeader, tt.diag)
			}
			if tt.operator {
				req.Header.Set("X-Test-Operator", "yes")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			st := resp.Header.Get("Server-Timing")
			if !tt.want {
				if st != "" {
					t.Errorf("Server-Timing %q, want none", st)
				}
				return
			}
			var names []string
			for _, e := range strings.Split(st, ", ") {
				m := timingEntry.FindStringSubmatch(e)
				if m == nil {
					t.Fatalf("entry %q of %q is malformed", e, st)
				}
				names = append(names, m[1])
			}
			// The first call waited for a token; the second used the cache.
			want := "auth-cc orders.getOrder orders.getOrder app"
			if strings.Join(names, " ") != want {
				t.Errorf("Server-Timing %q, want entries %s", st, want)
			}
			t.Logf("Server-Timing: %s", st)
		})
	}
}
