package runtime

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tpgen/tpgen/runtime/internal/httpbody"
	"github.com/tpgen/tpgen/runtime/internal/link"
	"github.com/tpgen/tpgen/runtime/internal/retry"
	"github.com/tpgen/tpgen/runtime/token"
)

// do sends one call of op and returns its response, whatever its status, or an
// error when no response was received (*CallError, *token.Error). The caller
// must close the response.
func (s *Service) do(ctx context.Context, op *link.Op, r *link.Request) (*response, error) {
	// The response is allocated up front: it holds the call's Record too.
	out := &response{s: s}
	rec := &out.record
	*rec = Record{Service: s.name, Operation: op.ID, Method: op.Method, Path: op.Path, Host: s.baseHost, start: time.Now()}
	mid := MessageIDFrom(ctx)
	if mid == "" {
		mid = NewMessageID()
	}
	rec.MessageID = mid
	if s.starter != nil {
		ctx = s.starter.StartCall(ctx, rec)
	}
	co := callOptionsFrom(ctx) // looked up once: send and authorize read rec.co
	rec.co = co
	timeout := s.timeout
	if co != nil && co.timeoutSet {
		timeout = co.timeout
	}
	cancel := context.CancelFunc(nil)
	if timeout > 0 {
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > timeout {
			ctx, cancel = context.WithTimeout(ctx, timeout)
		}
	}
	var req *http.Request
	fail := func(err error) (*response, error) {
		if cancel != nil {
			cancel()
		}
		if c, ok := r.Stream.(io.Closer); ok && !streamRead(req) {
			c.Close() // never sent: release whatever feeds it (a multipart writer)
		}
		rec.Err = err
		s.finish(ctx, rec)
		return nil, err
	}
	if co != nil {
		if err := co.check(s); err != nil {
			return fail(s.callError(op.ID, mid, err))
		}
	}
	u := s.baseURL + r.Path
	if r.RawQuery != "" {
		u += "?" + r.RawQuery
	}
	req, err := http.NewRequestWithContext(ctx, op.Method, u, nil)
	if err != nil {
		req = nil
		return fail(s.callError(op.ID, mid, fmt.Errorf("building request: %w", err)))
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	switch body := r.Body; {
	case body != nil:
		req.ContentLength = int64(len(body))
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	case r.Stream != nil:
		req.Body = &uploadBody{r: r.Stream}
		req.ContentLength = -1
	}
	// Canonical keys, assigned directly: what Header.Set does, without the checks.
	if r.ContentType != "" {
		req.Header["Content-Type"] = []string{r.ContentType}
	}
	if r.Accept != "" {
		req.Header["Accept"] = []string{r.Accept}
	}
	if co != nil {
		co.apply(req)
	}
	gzipAsked := httpbody.AskGzip(req, s.base)
	resp, err := s.send(ctx, s.plan(op), rec, req, s.hc.Do)
	if err != nil {
		return fail(err)
	}
	out.resp, out.rec, out.ctx, out.cancel = resp, rec, ctx, cancel
	out.body.Open(resp, gzipAsked)
	out.sent = sentCredential(req)
	return out, nil
}

// fail reports an error that a call hits before anything is sent (a body or
// parameter that cannot be encoded) as a *CallError, and records the call.
func (s *Service) fail(ctx context.Context, op *link.Op, err error) error {
	mid := MessageIDFrom(ctx)
	if mid == "" {
		mid = NewMessageID() // as for calls that were sent: every error and log line names one
	}
	ce := &CallError{Service: s.name, Operation: op.ID, MessageID: mid, Err: err}
	rec := &Record{Service: s.name, Operation: op.ID, Method: op.Method, Path: op.Path, Host: s.baseHost, MessageID: mid, start: time.Now()}
	if s.starter != nil {
		ctx = s.starter.StartCall(ctx, rec)
	}
	rec.Err = ce
	s.finish(ctx, rec)
	return ce
}

func (s *Service) callError(op, mid string, err error) error {
	return &CallError{Service: s.name, Operation: op, MessageID: mid, Err: err}
}

// send runs the attempts of one call: message id, authentication, retries.
// req is owned by send and may be reused between attempts.
func (s *Service) send(ctx context.Context, p *plan, rec *Record, req *http.Request, roundTrip func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	req.Header[s.midHeader] = []string{rec.MessageID} // midHeader is canonical
	pol := &s.retry
	if rec.co != nil && rec.co.retry != nil {
		pol = rec.co.retry // CallRetry
	}
	if pol.AddIdempotencyKey && (req.Method == http.MethodPost || req.Method == http.MethodPatch) &&
		req.Header.Get(pol.IdempotencyKeyHeader) == "" {
		// One key for every attempt of the call: that is what makes a retry safe.
		req.Header.Set(pol.IdempotencyKeyHeader, newIdempotencyKey())
	}
	own := s.ownRequest(req)
	retried401 := false
	cookie := req.Header["Cookie"] // before any API key was added
	queried := false
	for attempt := 1; ; attempt++ {
		rec.Attempts = attempt
		var tok *token.Token
		var key string
		// Phases are timed as offsets from rec.start: time.Since reads only the
		// monotonic clock, which is cheaper than time.Now.
		var t1 time.Duration
		if own {
			t0 := time.Since(rec.start)
			// rec.start+t0 is the time now, without reading the clock again.
			auth, alt, t, k, err := s.authorize(ctx, p, rec, rec.MessageID, rec.start.Add(t0))
			t1 = time.Since(rec.start)
			rec.Token += t1 - t0
			if err != nil {
				// Nothing is sent: the body is closed here, as a RoundTripper must.
				if req.Body != nil {
					req.Body.Close()
				}
				var te *token.Error
				if errors.As(err, &te) {
					return nil, err
				}
				return nil, s.callError(p.op.ID, rec.MessageID, err)
			}
			tok, key = t, k
			if auth != "" {
				req.Header["Authorization"] = []string{auth}
			} else {
				req.Header.Del("Authorization")
			}
			if alt != nil {
				alt.apply(req, cookie)
				if alt.query != "" && !queried {
					queried = true
					if req.URL.RawQuery != "" {
						req.URL.RawQuery += "&"
					}
					req.URL.RawQuery += alt.query
				}
				rec.red = alt.red
			}
		} else {
			req.Header.Del("Authorization")
			rec.Grant = GrantNone
			t1 = time.Since(rec.start)
		}
		resp, err := roundTrip(req)
		rec.RoundTrip += time.Since(rec.start) - t1
		if resp != nil {
			rec.Status = resp.StatusCode
		}
		// A rejected token is forgotten, and the call tried once more with a
		// fresh one (see token.Cache.Refused for how often).
		if err == nil && resp.StatusCode == http.StatusUnauthorized && tok != nil && key != "" && !retried401 &&
			s.tokens.Refused(key, tok) && rewind(req) {
			retried401 = true
			discard(resp)
			continue
		}
		if err != nil && len(rec.red) > 0 {
			// The error names the URL, which may carry an API key.
			err = rec.red.Error(err)
		}
		delay, again := pol.next(ctx, req, resp, err, attempt)
		if !again || !rewind(req) {
			if err != nil {
				return nil, s.callError(p.op.ID, rec.MessageID, err)
			}
			return resp, nil
		}
		if resp != nil {
			discard(resp)
		}
		if !retry.Sleep(ctx, delay) {
			if err == nil {
				err = ctx.Err()
			}
			return nil, s.callError(p.op.ID, rec.MessageID, err)
		}
	}
}

// uploadBody is a request body that can be sent once (link.Request.Stream).
// The transport closes it after sending or on failure; it closes the stream
// only when the stream was not read to its end, so that a writer feeding it (a
// multipart pipe) is released rather than blocked for ever, and a stream that
// was sent whole stays the caller's to close.
type uploadBody struct {
	r    io.Reader
	done atomic.Bool // read to EOF
}

func (u *uploadBody) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if err == io.EOF {
		u.done.Store(true)
	}
	return n, err
}

func (u *uploadBody) Close() error {
	if c, ok := u.r.(io.Closer); ok && !u.done.Load() {
		return c.Close()
	}
	return nil
}

// streamRead reports whether req's stream body was read to its end.
func streamRead(req *http.Request) bool {
	if req == nil {
		return false
	}
	u, ok := req.Body.(*uploadBody)
	return ok && u.done.Load()
}

// sentCredential returns the credential of req's Authorization header: the
// token the runtime sent, which error bodies must not show.
func sentCredential(req *http.Request) string {
	v := req.Header.Get("Authorization")
	if i := strings.IndexByte(v, ' '); i >= 0 {
		v = v[i+1:]
	}
	return v
}

// newIdempotencyKey returns a random UUID (version 4) for RetryPolicy.AddIdempotencyKey.
func newIdempotencyKey() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[:8], b[:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// rewind prepares req's body for another attempt; false when it cannot be sent again.
func rewind(req *http.Request) bool {
	if req.Body == nil || req.Body == http.NoBody {
		return true
	}
	if req.GetBody == nil {
		return false
	}
	b, err := req.GetBody()
	if err != nil {
		return false
	}
	req.Body = b
	return true
}

// discard reads a little of a response that is dropped, so that its connection
// can be reused, and closes it.
func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 4096)
	resp.Body.Close()
}
