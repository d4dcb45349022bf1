package runtime_test

// Response bodies that the runtime reads for the caller are bounded, as
// received and as decoded: a gzip bomb, a huge body, an endless one and an
// endless gzip stream that decodes to nothing all end in a
// *ResponseTooLargeError with bounded memory; a body at the limit is read;
// a download handed over as a stream is not bounded.

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// gzipMember compresses b as one gzip member. Members concatenated are one
// gzip stream (RFC 1952 §2.2), decoded whole by Go and by browsers alike.
func gzipMember(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// bomb is a gzip stream of a JSON array of n MiB of zeros: about a
// thousandth of that on the wire.
func bomb(n int) []byte {
	zeros := []byte(strings.Repeat("0,", 1<<19)) // 1 MiB
	var out bytes.Buffer
	out.Write(gzipMember([]byte("[")))
	member := gzipMember(zeros)
	for range n {
		out.Write(member)
	}
	out.Write(gzipMember([]byte("0]")))
	return out.Bytes()
}

// bodyServer serves the bodies of the test. written counts what the endless
// handlers wrote; finished is set when they stop.
type bodyServer struct {
	*httptest.Server
	acceptEncoding atomic.Value // the last request's Accept-Encoding
	written        atomic.Int64
	finished       atomic.Bool
}

func newBodyServer(t *testing.T, limit int) *bodyServer {
	s := &bodyServer{}
	bomb128 := bomb(128)
	endless := func(w http.ResponseWriter, r *http.Request, chunk []byte) {
		defer s.finished.Store(true)
		for r.Context().Err() == nil {
			n, err := w.Write(chunk)
			s.written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
	atLimit := append(append([]byte(`"`), bytes.Repeat([]byte("a"), limit-2)...), '"') // limit bytes of JSON
	download := bytes.Repeat([]byte("0123456789abcdef"), 3*limit/16)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.acceptEncoding.Store(r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Type", "application/json")
		status := http.StatusOK
		if r.URL.Query().Get("status") != "" {
			status, _ = strconv.Atoi(r.URL.Query().Get("status"))
		}
		gz := func(b []byte) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			w.WriteHeader(status)
			w.Write(b)
		}
		switch r.URL.Path {
		case "/bomb":
			gz(bomb128)
		case "/huge": // 64 MiB, chunked
			w.WriteHeader(status)
			w.Write([]byte("["))
			chunk := []byte(strings.Repeat("0,", 1<<14))
			for range 64 << 20 / len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			w.Write([]byte("0]"))
		case "/huge-length": // says 1 GiB, sends little of it
			w.Header().Set("Content-Length", strconv.Itoa(1<<30))
			w.WriteHeader(status)
			w.Write([]byte("[0,0,0"))
		case "/endless": // a JSON string that never ends
			w.WriteHeader(status)
			w.Write([]byte(`"`))
			endless(w, r, bytes.Repeat([]byte("a"), 32<<10))
		case "/endless-gzip": // empty gzip members for ever: decodes to nothing
			w.Header().Set("Content-Encoding", "gzip")
			w.WriteHeader(status)
			endless(w, r, bytes.Repeat(gzipMember(nil), 1000))
		case "/at-limit":
			w.WriteHeader(status)
			w.Write(atLimit)
		case "/at-limit-gzip":
			gz(gzipMember(atLimit))
		case "/over-limit-gzip":
			gz(gzipMember(append(atLimit, ' ')))
		case "/download":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(download)
		case "/download-gzip":
			w.Header().Set("Content-Type", "application/octet-stream")
			gz(gzipMember(download))
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// opBody gets the body server's /{name}, with ?status= when bodyParams sets it.
var opBody = tpgenimpl.Operation{ID: "getBody", Method: "GET", Path: "/{name}",
	Params: []tpgenimpl.Param{{Name: "name"}, {Name: "status", In: tpgenimpl.InQuery, Style: tpgenimpl.StyleForm, Explode: true}},
	Responses: []tpgenimpl.ResponseSpec{
		{Code: 200, Success: true, Body: tpgenimpl.BodyJSON},
		{Code: 500, Body: tpgenimpl.BodyJSON, Model: func() any { return new(json.RawMessage) }},
	}}

type bodyParams struct{ Status *string }

// getBody calls opBody for a path such as /bomb or /bomb?status=500.
func getBody(ctx context.Context, svc *runtime.Service, path string, out *json.RawMessage) error {
	name, query, _ := strings.Cut(strings.TrimPrefix(path, "/"), "?")
	var p bodyParams
	if status, ok := strings.CutPrefix(query, "status="); ok {
		p.Status = &status
	}
	return tpgenimpl.Invoke(ctx, svc, &opBody, nil, &p, nil, out, name)
}

var opDownload = tpgenimpl.Operation{ID: "download", Method: "GET", Path: "/{name}", Params: []tpgenimpl.Param{{Name: "name"}},
	Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true, Body: tpgenimpl.BodyBinary}}}

// allocated returns the bytes f allocated (process-wide) and what it returned.
func allocated(f func() error) (uint64, error) {
	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	err := f()
	goruntime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, err
}

func TestResponseBodyBounded(t *testing.T) {
	const limit = 1 << 20
	srv := newBodyServer(t, limit)
	hc, tr := ownTransport(t)
	svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(srv.URL), runtime.WithHTTPClient(hc),
		runtime.WithMaxResponseBytes(limit))
	call := func(path string) (json.RawMessage, error) {
		var out json.RawMessage
		ctx := runtime.ContextWithMessageID(context.Background(), "mid-body")
		return out, getBody(ctx, svc, path, &out)
	}
	tests := []struct {
		path     string
		received bool // the limit was reached by the bytes received
	}{
		{"/bomb", false},            // 128 KiB that decode to 128 MiB
		{"/huge", true},             // 64 MiB of plain JSON
		{"/huge-length", true},      // a Content-Length of 1 GiB: not read at all
		{"/endless", true},          // a chunked body that never ends
		{"/endless-gzip", true},     // endless, and decoding to nothing
		{"/over-limit-gzip", false}, // one byte more than the limit, decoded
	}
	var figures []string
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			srv.finished.Store(false)
			start := time.Now()
			alloc, err := allocated(func() error { _, err := call(tt.path); return err })
			took := time.Since(start)
			var tl *runtime.ResponseTooLargeError
			if !errors.As(err, &tl) {
				t.Fatalf("error %v, want a *ResponseTooLargeError", err)
			}
			var ce *runtime.CallError
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *CallError", err)
			}
			if tl.Limit != limit || tl.Service != "orders" || tl.Operation != "getBody" || tl.MessageID != "mid-body" ||
				tl.StatusCode != 200 || tl.Received != tt.received {
				t.Errorf("%+v", tl)
			}
			if msg := err.Error(); !strings.Contains(msg, "1048576 bytes") || !strings.Contains(msg, "WithMaxResponseBytes") ||
				!strings.Contains(msg, "TPGEN_ORDERS_MAX_RESPONSE_BYTES") {
				t.Errorf("Error() = %q", msg)
			}
			// Memory: the read buffer and the decoder's, some MiB; without the
			// bound these bodies cost hundreds of MiB, or everything.
			if alloc > 16*limit {
				t.Errorf("the call allocated %.1f MiB", float64(alloc)/(1<<20))
			}
			if strings.HasPrefix(tt.path, "/endless") {
				tr.CloseIdleConnections()
				if !waitFor(30*time.Second, srv.finished.Load) {
					t.Error("the server is still writing: the client did not hang up")
				}
			}
			figures = append(figures, tt.path+": "+took.Round(time.Millisecond).String()+", "+strconv.FormatFloat(float64(alloc)/(1<<20), 'f', 1, 64)+" MiB allocated")
		})
	}
	if got := srv.acceptEncoding.Load(); got != "gzip" {
		t.Errorf("Accept-Encoding %q, want gzip", got)
	}
	t.Run("at the limit", func(t *testing.T) {
		for _, path := range []string{"/at-limit", "/at-limit-gzip"} {
			out, err := call(path)
			if err != nil || len(out) != limit {
				t.Errorf("%s: %d bytes, %v; want %d bytes", path, len(out), err, limit)
			}
		}
	})
	t.Run("error body", func(t *testing.T) {
		// An error body is read up to 1 MiB (or the limit) to decode it, as
		// received and decoded; the error is the status.
		alloc, err := allocated(func() error { _, err := call("/bomb?status=500"); return err })
		var re *runtime.ResponseError
		if !errors.As(err, &re) || re.StatusCode != 500 || len(re.Body) != runtime.MaxErrorBody {
			t.Errorf("error %v, want the 500 with the start of its body", err)
		}
		if alloc > 16*limit {
			t.Errorf("the call allocated %.1f MiB", float64(alloc)/(1<<20))
		}
	})
	t.Run("download", func(t *testing.T) {
		// A stream is the caller's to read: three times the limit, whole.
		want := sha256.Sum256(bytes.Repeat([]byte("0123456789abcdef"), 3*limit/16))
		for _, path := range []string{"/download", "/download-gzip"} {
			var rc io.ReadCloser
			if err := tpgenimpl.Invoke(context.Background(), svc, &opDownload, nil, nil, nil, &rc, strings.TrimPrefix(path, "/")); err != nil {
				t.Fatal(err)
			}
			h := sha256.New()
			n, err := io.Copy(h, rc)
			rc.Close()
			if err != nil || n != 3*limit || !bytes.Equal(h.Sum(nil), want[:]) {
				t.Errorf("%s: read %d bytes, %v; want %d bytes as sent", path, n, err, 3*limit)
			}
		}
	})
	t.Logf("limit %d bytes:\n  %s", limit, strings.Join(figures, "\n  "))
}

// TestResponseBodyDefaultLimit: without WithMaxResponseBytes, the limit is
// DefaultMaxResponseBytes, or TPGEN_<SERVICE>_MAX_RESPONSE_BYTES.
func TestResponseBodyDefaultLimit(t *testing.T) {
	srv := newBodyServer(t, 1<<20)
	for _, tt := range []struct {
		env   map[string]string
		limit int64
	}{
		{nil, runtime.DefaultMaxResponseBytes},
		{map[string]string{"TPGEN_ORDERS_MAX_RESPONSE_BYTES": "2097152"}, 2 << 20},
	} {
		svc, err := runtime.NewService(runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(srv.URL), envMap(tt.env))
		if err != nil {
			t.Fatal(err)
		}
		var out json.RawMessage
		alloc, err := allocated(func() error { return getBody(context.Background(), svc, "/bomb", &out) })
		var tl *runtime.ResponseTooLargeError
		if !errors.As(err, &tl) || tl.Limit != tt.limit {
			t.Fatalf("error %v, want a *ResponseTooLargeError at %d bytes", err, tt.limit)
		}
		// 128 MiB decoded would cost several times that; stopped at the limit,
		// the call costs a few times the limit (the decoder's buffer doubles).
		if alloc > uint64(5*tt.limit+(8<<20)) {
			t.Errorf("limit %d: the call allocated %.1f MiB", tt.limit, float64(alloc)/(1<<20))
		}
		t.Logf("gzip bomb (%d KiB, 128 MiB decoded), limit %d: %.1f MiB allocated", len(bomb(128))>>10, tt.limit, float64(alloc)/(1<<20))
	}
	if _, err := runtime.NewService(runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(srv.URL),
		envMap(map[string]string{"TPGEN_ORDERS_MAX_RESPONSE_BYTES": "32MiB"})); err == nil || !strings.Contains(err.Error(), "TPGEN_ORDERS_MAX_RESPONSE_BYTES") {
		t.Errorf("a malformed TPGEN_ORDERS_MAX_RESPONSE_BYTES: %v", err)
	}
}
