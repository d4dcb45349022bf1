package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/tpgen/tpgen/runtime/internal/httpbody"
	"github.com/tpgen/tpgen/runtime/internal/redact"
	"github.com/tpgen/tpgen/runtime/internal/retry"
)

// response is a service's answer to one call, as the engine hands it to the
// code that decodes it (link.Response). Closing it ends the call's record.
//
// DecodeJSON, Text and Error read at most the service's response limit
// (WithMaxResponseBytes), received and decoded; beyond it they fail with a
// *ResponseTooLargeError. Stream is not bounded. A gzip body is decoded, as
// net/http would decode it.
type response struct {
	resp     *http.Response
	s        *Service
	rec      *Record
	ctx      context.Context
	cancel   context.CancelFunc
	streamed bool
	ended    atomic.Bool
	record   Record        // what rec points to
	body     httpbody.Body // what resp.Body reads through; here to save an allocation
	sent     string        // the token sent with the call, kept out of errors
}

func (r *response) StatusCode() int     { return r.resp.StatusCode }
func (r *response) Header() http.Header { return r.resp.Header }

// DecodeJSON decodes the body into v.
func (r *response) DecodeJSON(v any) error {
	if r.body.Bound(r.s.maxBody) {
		return r.Fail(fmt.Errorf("decoding %d response: %w", r.resp.StatusCode, r.tooLarge()))
	}
	t := time.Since(r.rec.start)
	err := json.NewDecoder(r.resp.Body).Decode(v)
	r.rec.Decode += time.Since(r.rec.start) - t
	if over, _ := r.body.Over(); over {
		err = r.tooLarge()
	}
	if err != nil {
		return r.Fail(fmt.Errorf("decoding %d response: %w", r.resp.StatusCode, err))
	}
	return nil
}

// Text reads the whole body.
func (r *response) Text() (string, error) {
	if r.body.Bound(r.s.maxBody) {
		return "", r.Fail(fmt.Errorf("reading %d response: %w", r.resp.StatusCode, r.tooLarge()))
	}
	t := time.Since(r.rec.start)
	b, err := io.ReadAll(r.resp.Body)
	r.rec.Decode += time.Since(r.rec.start) - t
	if over, _ := r.body.Over(); over {
		err = r.tooLarge()
	}
	if err != nil {
		return "", r.Fail(fmt.Errorf("reading %d response: %w", r.resp.StatusCode, err))
	}
	return string(b), nil
}

// tooLarge is the error of a body read that reached the limit.
func (r *response) tooLarge() error {
	_, received := r.body.Over()
	return &ResponseTooLargeError{Service: r.s.name, Operation: r.rec.Operation, MessageID: r.rec.MessageID,
		StatusCode: r.resp.StatusCode, Limit: r.body.Limit(), Received: received}
}

// Stream hands the body to the caller, who must close it; closing it ends the
// call. Close does nothing after Stream. The stream is not bounded: how much
// to read is the caller's choice.
func (r *response) Stream() io.ReadCloser {
	r.streamed = true
	r.body.Bound(0)
	return &streamBody{ReadCloser: r.resp.Body, r: r}
}

// maxErrorRead caps how much of an error body is read to decode it (received
// and decoded), unless the service's response limit is lower.
const maxErrorRead = 1 << 20

// Error returns the *ResponseError of the answer, with the body decoded into
// model when it can be (ResponseError.Model), or kept in part otherwise.
func (r *response) Error(model any) error {
	var raw []byte
	if !r.body.Bound(min(maxErrorRead, r.s.maxBody)) {
		// What was read before the limit is kept: the error is the status.
		raw, _ = io.ReadAll(r.resp.Body)
	}
	// A service that echoes the request (a debugging proxy, a verbose
	// framework) would put the token into the error, and from there into logs.
	red := r.redactor()
	if len(red) > 0 && len(raw) > 0 {
		raw = redactBody(raw, red)
	}
	e := &ResponseError{
		Service: r.s.name, Operation: r.rec.Operation, Method: r.rec.Method,
		StatusCode: r.resp.StatusCode, MessageID: r.rec.MessageID,
	}
	if ra := r.resp.Header.Get("Retry-After"); ra != "" {
		e.RetryAfter = retry.After(ra, time.Now())
	}
	if model != nil && len(raw) > 0 && json.Unmarshal(raw, model) == nil {
		e.Model = model
	} else if len(raw) > 0 {
		e.Body = bytes.Clone(raw[:min(len(raw), MaxErrorBody)])
	}
	e.Summary = summarize(raw, red)
	r.rec.Err = e
	return e
}

// redactor returns the forms of what the call sent that error bodies must not show.
func (r *response) redactor() redact.Redactor {
	if len(r.sent) < redact.MinLen {
		return r.rec.red
	}
	red := slices.Clone(r.rec.red)
	red.AddSecret(r.sent)
	return red.Sorted()
}

// redactBody returns raw without what red finds in it: as written, and for a
// JSON body as decoded too, since JSON may spell a secret in escapes
// (\u0065yJ... for eyJ...) that only decoding reveals; such a body is
// returned decoded and encoded again, compact, with the secret replaced, so
// that the model decoded from it holds the mark instead.
func redactBody(raw []byte, red redact.Redactor) []byte {
	out := []byte(red.Replace(string(raw)))
	trimmed := bytes.TrimSpace(out)
	if len(trimmed) == 0 || (trimmed[0] != '{' && trimmed[0] != '[') || !bytes.Contains(trimmed, []byte(`\`)) {
		return out // no escapes: nothing hidden
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	var v any
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if dec.Decode(&v) != nil || enc.Encode(v) != nil || !red.Found(b.String()) {
		return out
	}
	return bytes.TrimSpace([]byte(red.Replace(b.String())))
}

// Fail records err as the call's error and returns it as a *CallError.
// err may quote the answer (a cursor, a next link, a value the schema
// refuses), which may echo what the call sent: such text is redacted.
func (r *response) Fail(err error) error {
	err = r.redactor().Error(err)
	ce := &CallError{Service: r.s.name, Operation: r.rec.Operation, MessageID: r.rec.MessageID, Err: err}
	r.rec.Err = ce
	return ce
}

// Close releases the response and ends the call's record.
func (r *response) Close() error {
	if r.streamed {
		return nil
	}
	return r.end(true)
}

func (r *response) end(drain bool) error {
	if !r.ended.CompareAndSwap(false, true) {
		return nil
	}
	if drain {
		r.body.Drain()
	}
	err := r.resp.Body.Close()
	if r.cancel != nil {
		r.cancel()
	}
	r.s.finish(r.ctx, r.rec)
	return err
}

type streamBody struct {
	io.ReadCloser
	r *response
}

func (b *streamBody) Close() error { return b.r.end(false) }
