package runtime

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// DefaultMaxResponseBytes bounds each response body that the runtime reads
// for the caller (decoded JSON, text, an error body), unless
// WithMaxResponseBytes or TPGEN_<SERVICE>_MAX_RESPONSE_BYTES says otherwise:
// 32 MiB, counted both as received and, for a gzip body, as decoded. It is
// far above what JSON APIs answer (a page of a list is kilobytes, a large
// document a few megabytes), so that no sane answer fails, and a call that a
// hostile or broken service makes read up to it allocates about four times
// the limit (the JSON decoder's buffer doubles), not the gigabytes that a
// small gzip body can inflate to. Bodies handed over as a stream (binary
// downloads, Response.Stream, the raw HTTPClient) are not bounded: their
// reader decides.
const DefaultMaxResponseBytes = 32 << 20

// ResponseTooLargeError is a response body that the runtime stopped reading at
// its limit (see WithMaxResponseBytes). Calls return it inside a *CallError.
type ResponseTooLargeError struct {
	Service    string
	Operation  string
	MessageID  string
	StatusCode int
	// Limit is the limit in bytes.
	Limit int64
	// Received says the limit was reached by the bytes received (a gzip body
	// that decodes to less, or a Content-Length above the limit) rather than
	// by the bytes decoded.
	Received bool
}

func (e *ResponseTooLargeError) Error() string {
	what := "decodes to more"
	if e.Received {
		what = "is larger"
	}
	return fmt.Sprintf("the %d response body %s than the limit of %d bytes (runtime.WithMaxResponseBytes, %sMAX_RESPONSE_BYTES)",
		e.StatusCode, what, e.Limit, EnvPrefix(e.Service))
}

// errBodyLimit is what a bounded body read returns past its limit.
var errBodyLimit = errors.New("response body limit reached")

// acceptGzip is the Accept-Encoding the runtime sends. Asked for by the
// runtime rather than by net/http's transport, a gzip body arrives as
// received and is decoded here, so that the bytes received are counted as
// well as the bytes decoded: net/http's transparent decoding hides the first.
var acceptGzip = []string{"gzip"}

// askGzip sets Accept-Encoding: gzip on req when nobody chose an encoding
// and net/http would have asked for gzip itself, and reports whether it did.
func askGzip(req *http.Request, base http.RoundTripper) bool {
	if t, ok := base.(*http.Transport); ok && t.DisableCompression {
		return false
	}
	if _, set := req.Header["Accept-Encoding"]; set || req.Method == http.MethodHead || req.Header.Get("Range") != "" {
		return false
	}
	req.Header["Accept-Encoding"] = acceptGzip
	return true
}

// body is a response body as the runtime hands it on: decoded from gzip when
// the runtime asked for gzip and got it, and, while the runtime reads it for
// the caller, cut at limit bytes received and limit bytes decoded.
type body struct {
	wire     io.ReadCloser // as received
	length   int64         // the Content-Length received; -1 when unknown
	gzipped  bool
	gz       *gzip.Reader
	received int64
	decoded  int64 // counted for gzip bodies only: otherwise received
	limit    int64 // 0: none
}

// open makes resp's Body read through b: gzip decoded when asked is true and
// the service sent gzip, as net/http would have decoded it.
func (b *body) open(resp *http.Response, asked bool) {
	*b = body{wire: resp.Body, length: resp.ContentLength}
	if asked && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		b.gzipped = true
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	resp.Body = b
}

// bound sets the limit of what is read from now on (0: none) and reports
// whether the body is known to be larger already (its Content-Length).
func (b *body) bound(limit int64) bool {
	b.limit = limit
	return limit > 0 && b.length > limit
}

// over reports whether a read stopped at the limit; received says it was the
// bytes received that reached it.
func (b *body) over() (over, received bool) {
	if b.limit <= 0 {
		return false, false
	}
	if b.received > b.limit || b.length > b.limit {
		return true, true
	}
	return b.decoded > b.limit, false
}

func (b *body) Read(p []byte) (int, error) {
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

func (b *body) Close() error { return b.wire.Close() }

// drain reads a little of what is left as received, so that the connection
// can be reused, however much that would decode to.
func (b *body) drain() { _, _ = io.CopyN(io.Discard, b.wire, 4096) }

// received reads a gzip body as received, for the gzip reader.
type received body

func (r *received) Read(p []byte) (int, error) {
	return readCounted(r.wire, p, &r.received, r.limit)
}

// readCounted reads from r into p, adding what it read to *n, and fails with
// errBodyLimit once *n would pass limit (no limit when 0).
func readCounted(r io.Reader, p []byte, n *int64, limit int64) (int, error) {
	if limit > 0 {
		if *n > limit {
			return 0, errBodyLimit
		}
		if room := limit + 1 - *n; int64(len(p)) > room {
			p = p[:room] // one byte more than allowed tells a body at the limit from one past it
		}
	}
	k, err := r.Read(p)
	*n += int64(k)
	if limit > 0 && *n > limit {
		return k - int(*n-limit), errBodyLimit
	}
	return k, err
}

// readBounded reads all of resp's body, at most limit bytes received and
// decoded (asked says the request asked for gzip: see askGzip), and reports
// whether the body was larger.
func readBounded(resp *http.Response, asked bool, limit int64) (raw []byte, tooLarge bool, err error) {
	var b body
	b.open(resp, asked)
	if b.bound(limit) {
		return nil, true, nil
	}
	raw, err = io.ReadAll(&b)
	if over, _ := b.over(); over {
		return raw, true, nil
	}
	return raw, false, err
}
