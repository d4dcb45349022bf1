package tpgenimpl_test

// Parameters on the wire, as a real server receives them: path parameters are
// data, never path structure; header and cookie values that HTTP cannot carry
// are refused before anything is sent, never altered or split.

import (
	"bytes"
	"context"
	"errors"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// stockServer routes /v2/items/{id}/stock and records what it got; any
// other path is a miss.
type stockServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits []stockHit
}

type stockHit struct {
	uri, id string
	routed  bool
	header  http.Header
}

func newStockServer(t *testing.T) *stockServer {
	s := &stockServer{}
	mux := http.NewServeMux()
	record := func(r *http.Request, routed bool) {
		s.mu.Lock()
		s.hits = append(s.hits, stockHit{uri: r.RequestURI, id: r.PathValue("id"), routed: routed, header: r.Header.Clone()})
		s.mu.Unlock()
	}
	mux.HandleFunc("/v2/items/{id}/stock", func(w http.ResponseWriter, r *http.Request) { record(r, true) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { record(r, false); http.NotFound(w, r) })
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *stockServer) take() []stockHit {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hits
	s.hits = nil
	return h
}

// TestPathParamsAreData: values that look like path structure (dot segments,
// slashes, query and fragment marks, escapes, nothing at all), in every path
// style, exploded or not, as a single value and as lists: each call reaches
// /v2/items/{id}/stock, with the parameter's serialisation as its one
// segment, and no raw "." or ".." segment in the request line. A parameter
// that would leave the segment empty is refused, and nothing is sent.
func TestPathParamsAreData(t *testing.T) {
	srv := newStockServer(t)
	svc := newService(t, runtime.ServiceConfig{Name: "inventory"}, runtime.WithBaseURL(srv.URL+"/v2"), runtime.WithRetry(runtime.NoRetry))
	// "/" is sent as %2F too (see the request lines below), but ServeMux
	// hands a segment that decodes to "/" alone to its catch-all pattern.
	values := []string{".", "..", "../x", "./..", "...", "%2e%2e", "%2E", "a/b", "?x", "#x", "a b", ""}
	styles := []struct {
		name  string
		style tpgenimpl.Style
		// prefix and separators of the serialisation (OpenAPI 3 §4.8.12.4)
		prefix, sep, explodeSep string
	}{
		{"simple", tpgenimpl.StyleSimple, "", ",", ","},
		{"label", tpgenimpl.StyleLabel, ".", ",", "."},
		{"matrix", tpgenimpl.StyleMatrix, ";id=", ",", ";id="},
	}
	shapes := []struct {
		name string
		n    int // 0: a single value; otherwise a list of n copies
	}{{"value", 0}, {"list of 1", 1}, {"list of 2", 2}}
	for _, st := range styles {
		for _, explode := range []bool{false, true} {
			for _, sh := range shapes {
				for _, v := range values {
					name := st.name + "/explode=" + map[bool]string{false: "false", true: "true"}[explode] + "/" + sh.name + "/" + v
					op := &tpgenimpl.Operation{ID: "getStock", Method: "GET", Path: "/items/{id}/stock",
						Params:    []tpgenimpl.Param{{Name: "id", In: tpgenimpl.InPath, Style: st.style, Explode: explode, Required: true}},
						Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true}}}
					path := []string{v}
					want := st.prefix + v // what the server's segment decodes to
					if sh.n > 0 {
						op.Params[0].Shape = tpgenimpl.ShapeList
						list := make([]string, sh.n)
						for i := range list {
							list[i] = v
						}
						var err error
						if path, err = tpgenimpl.PathValues(op, list); err != nil {
							t.Fatal(err)
						}
						sep := st.sep
						if explode {
							sep = st.explodeSep
						}
						want = st.prefix + strings.Join(list, sep)
					}
					err := tpgenimpl.Invoke(context.Background(), svc, op, nil, nil, nil, nil, path...)
					hits := srv.take()
					if want == "" {
						var pe *runtime.ParamError
						if !errors.As(err, &pe) || pe.Name != "id" || pe.In != "path" || len(hits) != 0 {
							t.Errorf("%s: an empty segment: %v, %d requests; want a *ParamError and none", name, err, len(hits))
						}
						continue
					}
					if err != nil || len(hits) != 1 {
						t.Errorf("%s: %v, %d requests", name, err, len(hits))
						continue
					}
					h := hits[0]
					segs := strings.Split(h.uri, "/")
					if !h.routed || h.id != want || len(segs) != 5 {
						t.Errorf("%s: the server got %q (routed %v, id %q); want id %q", name, h.uri, h.routed, h.id, want)
					}
					for _, s := range segs {
						if s == "." || s == ".." {
							t.Errorf("%s: %q has a dot segment", name, h.uri)
						}
					}
				}
			}
		}
	}
	// The request lines themselves, for the values of the issue.
	for v, want := range map[string]string{
		"..": "/v2/items/%2E%2E/stock", ".": "/v2/items/%2E/stock", "../x": "/v2/items/..%2Fx/stock",
		"%2e%2e": "/v2/items/%252e%252e/stock", "a/b": "/v2/items/a%2Fb/stock", "?x": "/v2/items/%3Fx/stock", "#x": "/v2/items/%23x/stock",
		"/": "/v2/items/%2F/stock",
	} {
		op := &tpgenimpl.Operation{ID: "getStock", Method: "GET", Path: "/items/{id}/stock",
			Params: []tpgenimpl.Param{{Name: "id", In: tpgenimpl.InPath, Required: true}}, Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true}}}
		if err := tpgenimpl.Invoke(context.Background(), svc, op, nil, nil, nil, nil, v); err != nil && v != "/" {
			t.Error(err)
		}
		if h := srv.take(); len(h) == 0 || h[0].uri != want {
			t.Errorf("%q: request line %+v, want %s", v, h, want)
		}
	}
}

// TestHeaderAndCookieParamsRefused: a header parameter with CR, LF or NUL (a
// header split, were it sent), a cookie value with ';' (another cookie), a
// quote, a backslash or a non-ASCII character: each call fails with a
// *ParamError before anything is sent, and nothing is written to the global
// log. Values HTTP can carry are sent unchanged.
func TestHeaderAndCookieParamsRefused(t *testing.T) {
	srv := newStockServer(t)
	svc := newService(t, runtime.ServiceConfig{Name: "inventory"}, runtime.WithBaseURL(srv.URL+"/v2"))
	var logged bytes.Buffer
	log.SetOutput(&logged)
	defer log.SetOutput(log.Default().Writer())
	type params struct {
		Trace   *string
		Session *string
	}
	op := &tpgenimpl.Operation{ID: "getStock", Method: "GET", Path: "/items/{id}/stock",
		Params:    []tpgenimpl.Param{{Name: "id", In: tpgenimpl.InPath, Required: true}, {Name: "X-Trace", In: tpgenimpl.InHeader}, {Name: "session", In: tpgenimpl.InCookie}},
		Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true}}}
	str := func(s string) *string { return &s }
	for _, tt := range []struct {
		name  string
		p     params
		in    tpgenimpl.ParamIn // where the refused one is; 0 and ok: sent
		ok    bool
		check func(h http.Header) bool
	}{
		{name: "CRLF in a header", p: params{Trace: str("t-1\r\nX-Injected: 1")}, in: tpgenimpl.InHeader},
		{name: "LF in a header", p: params{Trace: str("t-1\nX-Injected: 1")}, in: tpgenimpl.InHeader},
		{name: "NUL in a header", p: params{Trace: str("t-1\x00")}, in: tpgenimpl.InHeader},
		{name: "; in a cookie", p: params{Session: str("s-1; admin=1")}, in: tpgenimpl.InCookie},
		{name: "quote in a cookie", p: params{Session: str(`s-"1"`)}, in: tpgenimpl.InCookie},
		{name: "backslash in a cookie", p: params{Session: str(`s\1`)}, in: tpgenimpl.InCookie},
		{name: "non-ASCII in a cookie", p: params{Session: str("süß")}, in: tpgenimpl.InCookie},
		{name: "CRLF in a cookie", p: params{Session: str("s\r\nX-Injected: 1")}, in: tpgenimpl.InCookie},
		{name: "tab and UTF-8 in a header", p: params{Trace: str("t\t1 ü")}, ok: true,
			check: func(h http.Header) bool { return h.Get("X-Trace") == "t\t1 ü" }},
		{name: "a plain cookie", p: params{Session: str("s-1.abc_DEF~")}, ok: true,
			check: func(h http.Header) bool { return h.Get("Cookie") == "session=s-1.abc_DEF~" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tpgenimpl.Invoke(context.Background(), svc, op, nil, &tt.p, nil, nil, "1")
			hits := srv.take()
			if tt.ok {
				if err != nil || len(hits) != 1 || !tt.check(hits[0].header) || hits[0].header.Get("X-Injected") != "" {
					t.Errorf("%v, %+v", err, hits)
				}
				return
			}
			var pe *runtime.ParamError
			var ce *runtime.CallError
			if !errors.As(err, &pe) || pe.In != tt.in.String() || !errors.As(err, &ce) || len(hits) != 0 {
				t.Errorf("%v, %d requests; want a *ParamError in a *CallError, and none", err, len(hits))
			}
			if strings.Contains(err.Error(), "X-Injected") || strings.Contains(err.Error(), "admin") {
				t.Errorf("the error quotes the value: %v", err)
			}
		})
	}
	if logged.Len() > 0 {
		t.Errorf("written to the global log: %s", logged.String())
	}
}
