package tpgenimpl

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/runtime"
)

// FuzzExpandPath: whatever a path parameter holds, in whatever style, the
// expanded path keeps the template's segments: the parameter's one segment
// is neither "." nor "..", holds no '/', and decodes to the parameter's
// serialisation; or the parameter is refused because the segment would be
// empty.
//
//	go test -run '^$' -fuzz FuzzExpandPath ./runtime/tpgenimpl
func FuzzExpandPath(f *testing.F) {
	for _, v := range []string{".", "..", "../x", "%2e%2e", "a/b", "?x", "#x", "", "\x00", "é", "..;", ".%2E"} {
		for style := range 3 {
			f.Add(v, uint8(style))
		}
	}
	f.Fuzz(func(t *testing.T, v string, style uint8) {
		st := []Style{StyleSimple, StyleLabel, StyleMatrix}[style%3]
		p := []Param{{Name: "id", In: InPath, Style: st}}
		got, err := expandPath("/items/{id}/stock", p, []string{v})
		want := []string{"", ".", ";id="}[style%3] + v
		if err != nil {
			var pe *runtime.ParamError
			if !errors.As(err, &pe) || want != "" {
				t.Fatalf("%q: %v", v, err)
			}
			return
		}
		segs := strings.Split(got, "/")
		if len(segs) != 4 || segs[1] != "items" || segs[3] != "stock" || segs[2] == "." || segs[2] == ".." {
			t.Fatalf("%q: %q", v, got)
		}
		if dec, err := url.PathUnescape(segs[2]); err != nil || dec != want {
			t.Fatalf("%q: segment %q decodes to %q, %v; want %q", v, segs[2], dec, err, want)
		}
	})
}

// FuzzHeaderParams: a header or cookie parameter is sent unchanged or
// refused, never altered: a header value holds no CR, LF or NUL; a cookie
// reads back, as a server parses it, as the value given, and as the only
// cookie.
//
//	go test -run '^$' -fuzz FuzzHeaderParams ./runtime/tpgenimpl
func FuzzHeaderParams(f *testing.F) {
	for _, v := range []string{"plain", "a;b", "a b", "a,b", `"q"`, `a\b`, "süß", "x\r\nInjected: 1", "\x00", "\t", ""} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if err := checkHeader("X-Trace", v); err == nil && strings.ContainsAny(v, "\r\n\x00") {
			t.Fatalf("header value %q accepted", v)
		}
		h := http.Header{}
		if err := addCookie(h, "session", v); err != nil {
			var pe *runtime.ParamError
			if !errors.As(err, &pe) || pe.In != "cookie" {
				t.Fatalf("%q: %v", v, err)
			}
			return
		}
		r := &http.Request{Header: h}
		cookies := r.Cookies()
		if len(cookies) != 1 || cookies[0].Name != "session" || cookies[0].Value != v {
			t.Fatalf("cookie value %q sent as %q, read back as %v", v, h.Get("Cookie"), cookies)
		}
	})
}
