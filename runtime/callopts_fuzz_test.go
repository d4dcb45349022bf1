package runtime_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/runtime"
)

// headerRecorder is a server that keeps the headers of the last request.
type headerRecorder struct {
	*httptest.Server
	mu   sync.Mutex
	last http.Header
	n    int
}

func newHeaderRecorder(t testing.TB) *headerRecorder {
	h := &headerRecorder{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.last, h.n = r.Header.Clone(), h.n+1
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *headerRecorder) get() (http.Header, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last, h.n
}

// FuzzCallHeader: whatever name and value a per-call header is given, the
// call either fails before anything is sent, or the service receives that
// value under that name and no header the call did not mean (no line
// breaks smuggled into another header, nothing in place of Authorization
// or the message id).
func FuzzCallHeader(f *testing.F) {
	for _, s := range [][2]string{{"X-Trace", "a"}, {"x-trace", "a\r\nX-Evil: 1"}, {"Authorization", "Bearer x"}, {"X-Message-Id", "m"},
		{"Host", "evil"}, {"X\x00", "v"}, {"X-Ok", "\u00e9t\u00e9"}, {"X-Empty", ""}, {"Cookie", "a=b"}, {"Content-Type", "text/plain"}} {
		f.Add(s[0], s[1])
	}
	srv := newHeaderRecorder(f)
	svc := newService(f, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(srv.URL), runtime.WithRetry(runtime.NoRetry),
		runtime.WithHTTPClient(&http.Client{}))
	f.Fuzz(func(t *testing.T, name, value string) {
		_, before := srv.get()
		err := callOpts(context.Background(), svc, "1", runtime.CallHeader(name, value))
		h, after := srv.get()
		if err != nil {
			var ce *runtime.CallError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v is not a *runtime.CallError", err, err)
			}
			// Refused by the runtime: nothing sent. (net/http refusing a
			// value, which it does for bytes the runtime lets through, is
			// also a failure before anything is sent.)
			if after != before {
				t.Fatalf("CallHeader(%q, %q) failed (%v) yet a request was sent", name, value, err)
			}
			return
		}
		canon := http.CanonicalHeaderKey(name)
		if got := h.Values(canon); !slices.Equal(got, []string{strings.TrimSpace(value)}) && !slices.Equal(got, []string{value}) {
			t.Fatalf("CallHeader(%q, %q): the service got %q", name, value, got)
		}
		for k := range h {
			switch k {
			case canon, "Accept-Encoding", "User-Agent", runtime.DefaultMessageIDHeader:
			default:
				t.Fatalf("CallHeader(%q, %q): the service got header %q", name, value, k)
			}
		}
		if canon == "Authorization" || canon == runtime.DefaultMessageIDHeader {
			t.Fatalf("CallHeader(%q) was sent", name)
		}
	})
}
