// Package httpbody reads the bodies of HTTP responses as the runtime hands
// them on: decoded from gzip when the runtime asked for gzip itself, and,
// while the runtime reads a body for the caller, cut at a limit counted both
// as received and as decoded, so that a small gzip body cannot inflate to
// gigabytes in memory.
package httpbody

import (
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"
)

// ErrLimit is what a bounded body read returns past its limit.
var ErrLimit = errors.New("response body limit reached")

// acceptGzip is the Accept-Encoding the runtime sends. Asked for by the
// runtime rather than by net/http's transport, a gzip body arrives as
// received and is decoded here, so that the bytes received are counted as
// well as the bytes decoded: net/http's transparent decoding hides the first.
var acceptGzip = []string{"gzip"}

// AskGzip sets Accept-Encoding: gzip on req when nobody chose an encoding
// and net/http would have asked for gzip itself, and reports whether it did.
func AskGzip(req *http.Request, base http.RoundTripper) bool {
	if t, ok := base.(*http.Transport); ok && t.DisableCompression {
		return false
	}
	if _, set := req.Header["Accept-Encoding"]; set || req.Method == http.MethodHead || req.Header.Get("Range") != "" {
		return false
	}
	req.Header["Accept-Encoding"] = acceptGzip
	return true
}

// Body is a response body as the runtime hands it on: decoded from gzip when
// the runtime asked for gzip and got it, and, while the runtime reads it for
// the caller, cut at limit bytes received and limit bytes decoded.
type Body struct {
	wire     io.ReadCloser // as received
	length   int64         // the Content-Length received; -1 when unknown
	gzipped  bool
	gz       *gzip.Reader
	received int64
	decoded  int64 // counted for gzip bodies only: otherwise received
	limit    int64 // 0: none
}

// Open makes resp's Body read through b: gzip decoded when asked is true and
// the service sent gzip, as net/http would have decoded it.
func (b *Body) Open(resp *http.Response, asked bool) {
	*b = Body{wire: resp.Body, length: resp.ContentLength}
	if asked && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		b.gzipped = true
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	resp.Body = b
}

// Bound sets the limit of what is read from now on (0: none) and reports
// whether the body is known to be larger already (its Content-Length).
func (b *Body) Bound(limit int64) bool {
	b.limit = limit
	return limit > 0 && b.length > limit
}

// Over reports whether a read stopped at the limit; received says it was the
// bytes received that reached it.
func (b *Body) Over() (over, received bool) {
	if b.limit <= 0 {
		return false, false
	}
	if b.received > b.limit || b.length > b.limit {
		return true, true
	}
	return b.decoded > b.limit, false
}

// Limit returns the limit in force (0: none).
func (b *Body) Limit() int64 { return b.limit }

func (b *Body) Read(p []byte) (int, error) {
	if !b.gzipped {
		return readCounted(b.wire, p, &b.received, b.limit)
	}
	if b.gz == nil {
		zr, err := gzip.NewReader((*received)(b))
		if err != nil {
			return 0, err
		}
		b.gz = zr
	}
	return readCounted(b.gz, p, &b.decoded, b.limit)
}

func (b *Body) Close() error { return b.wire.Close() }

// Drain reads a little of what is left as received, so that the connection
// can be reused, however much that would decode to.
func (b *Body) Drain() { _, _ = io.CopyN(io.Discard, b.wire, 4096) }

// received reads a gzip body as received, for the gzip reader.
type received Body

func (r *received) Read(p []byte) (int, error) {
	return readCounted(r.wire, p, &r.received, r.limit)
}

// readCounted reads from r into p, adding what it read to *n, and fails with
// ErrLimit once *n would pass limit (no limit when 0).
func readCounted(r io.Reader, p []byte, n *int64, limit int64) (int, error) {
	if limit > 0 {
		if *n > limit {
			return 0, ErrLimit
		}
		if room := limit + 1 - *n; int64(len(p)) > room {
			p = p[:room] // one byte more than allowed tells a body at the limit from one past it
		}
	}
	k, err := r.Read(p)
	*n += int64(k)
	if limit > 0 && *n > limit {
		return k - int(*n-limit), ErrLimit
	}
	return k, err
}

// ReadBounded reads all of resp's body, at most limit bytes received and
// decoded (asked says the request asked for gzip: see AskGzip), and reports
// whether the body was larger.
func ReadBounded(resp *http.Response, asked bool, limit int64) (raw []byte, tooLarge bool, err error) {
	var b Body
	b.Open(resp, asked)
	if b.Bound(limit) {
		return nil, true, nil
	}
	raw, err = io.ReadAll(&b)
	if over, _ := b.Over(); over {
		return raw, true, nil
	}
	return raw, false, err
}
