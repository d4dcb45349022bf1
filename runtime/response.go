package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Response is a service's answer to one call. Generated code decodes it and
// closes it; Close ends the call's diagnostics record.
//
// DecodeJSON, Bytes, Text and the error methods read at most the service's
// response limit (WithMaxResponseBytes), received and decoded; beyond it
// they fail with a *ResponseTooLargeError. Stream, and Body read directly,
// are not bounded. A gzip body is decoded, as net/http would decode it.
type Response struct {
	*http.Response
	s        *Service
	rec      *Record
	ctx      context.Context
	cancel   context.CancelFunc
	streamed bool
	ended    atomic.Bool
	record   Record // what rec points to for calls made with Do
	body     body   // what Body reads through; here to save an allocation
	sent     string // the token sent with the call, kept out of errors
}

// DecodeJSON decodes the body into v.
//
//go:noinline
func (r *Response) DecodeJSON(v any) error {
	if r.body.bound(r.s.maxBody) {
		return r.fail(fmt.Errorf("decoding %d response: %w", r.StatusCode, r.tooLarge()))
	}
	t := time.Since(r.rec.start)
	err := json.NewDecoder(r.Body).Decode(v)
	r.rec.Decode += time.Since(r.rec.start) - t
	if over, _ := r.body.over(); over {
		err = r.tooLarge()
	}
	if err != nil {
		return r.fail(fmt.Errorf("decoding %d response: %w", r.StatusCode, err))
	}
	return nil
}

// Bytes reads the whole body.
func (r *Response) Bytes() ([]byte, error) {
	if r.body.bound(r.s.maxBody) {
		return nil, r.fail(fmt.Errorf("reading %d response: %w", r.StatusCode, r.tooLarge()))
	}
	t := time.Since(r.rec.start)
	b, err := io.ReadAll(r.Body)
	r.rec.Decode += time.Since(r.rec.start) - t
	if over, _ := r.body.over(); over {
		err = r.tooLarge()
	}
	if err != nil {
		return nil, r.fail(fmt.Errorf("reading %d response: %w", r.StatusCode, err))
	}
	return b, nil
}

// tooLarge is the error of a body read that reached the limit.
func (r *Response) tooLarge() error {
	_, received := r.body.over()
	return &ResponseTooLargeError{Service: r.s.name, Operation: r.rec.Operation, MessageID: r.rec.MessageID,
		StatusCode: r.StatusCode, Limit: r.body.limit, Received: received}
}

// Text reads the whole body as a string.
func (r *Response) Text() (string, error) {
	b, err := r.Bytes()
	return string(b), err
}

// Stream hands the body to the caller, who must close it; closing it ends the
// call. Close on the Response does nothing after Stream. The stream is not
// bounded: how much to read is the caller's choice.
//
//go:noinline
func (r *Response) Stream() io.ReadCloser {
	r.streamed = true
	r.body.bound(0)
	return &streamBody{ReadCloser: r.Body, r: r}
}

// Error returns the *ResponseError for an answer whose status the operation
// does not declare, keeping the start of the body.
func (r *Response) Error() error { return r.ErrorJSON(nil) }

// maxErrorRead caps how much of an error body is read to decode it (received
// and decoded), unless the service's response limit is lower.
const maxErrorRead = 1 << 20

// ErrorJSON returns the *ResponseError for a declared error status, with the
// body decoded into model when it can be (ResponseError.Model), or kept in
// part otherwise.
func (r *Response) ErrorJSON(model any) error {
	var raw []byte
	if !r.body.bound(min(maxErrorRead, r.s.maxBody)) {
		// What was read before the limit is kept: the error is the status.
		raw, _ = io.ReadAll(r.Body)
	}
	if len(r.sent) >= minRedacted && len(raw) > 0 {
		// A service that echoes the request (a debugging proxy, a verbose
		// framework) would put the token into the error, and from there into logs.
		var red redactor
		red.addSecret(r.sent)
		raw = []byte(red.sorted().replace(string(raw)))
	}
	e := &ResponseError{
		Service: r.s.name, Operation: r.rec.Operation, Method: r.rec.Method,
		StatusCode: r.StatusCode, MessageID: r.rec.MessageID,
	}
	if ra := r.Header.Get("Retry-After"); ra != "" {
		e.RetryAfter = parseRetryAfter(ra, time.Now())
	}
	if model != nil && len(raw) > 0 && json.Unmarshal(raw, model) == nil {
		e.Model = model
	} else if len(raw) > 0 {
		e.Body = bytes.Clone(raw[:min(len(raw), MaxErrorBody)])
	}
	r.rec.Err = e
	return e
}

// Fail records err as the call's error and returns it; generated code uses it
// for failures of its own, such as an unparsable response header.
//
//go:noinline
func (r *Response) Fail(err error) error { return r.fail(err) }

func (r *Response) fail(err error) error {
	ce := &CallError{Service: r.s.name, Operation: r.rec.Operation, MessageID: r.rec.MessageID, Err: err}
	r.rec.Err = ce
	return ce
}

// Close releases the response and ends the call's diagnostics record.
//
//go:noinline
func (r *Response) Close() error {
	if r.streamed {
		return nil
	}
	return r.end(true)
}

func (r *Response) end(drain bool) error {
	if !r.ended.CompareAndSwap(false, true) {
		return nil
	}
	if drain {
		r.body.drain()
	}
	err := r.Body.Close()
	if r.cancel != nil {
		r.cancel()
	}
	r.s.finish(r.ctx, r.rec)
	return err
}

type streamBody struct {
	io.ReadCloser
	r *Response
}

func (b *streamBody) Close() error { return b.r.end(false) }

// maxRetryAfter is what a Retry-After too large for a Duration is read as.
const maxRetryAfter = time.Duration(math.MaxInt64)

func parseRetryAfter(v string, now time.Time) time.Duration {
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter // not a negative Duration that would mean "retry now"
		}
		return time.Duration(secs) * time.Second
	}
	if digits(v) {
		return maxRetryAfter // more digits than an int64 holds
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func digits(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return v != ""
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
