package runtime

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// HTTPClient returns an *http.Client for calls the spec does not describe. Its
// requests get the service's grant, message ids, retries and diagnostics, as
// operation "http". Relative URLs are not resolved: build them with BaseURL.
// Authorization goes only to the service's own origin, also across
// redirects: a request whose URL scheme and host, and Host (when set), are the
// base URL's. Per call, ContextWithCallOptions with CallWithoutAuth or CallToken on the
// request's context skip authentication or supply the token. The service's
// timeout bounds each request, body included, unless the client given with
// WithHTTPClient has a Timeout of its own.
func (s *Service) HTTPClient() *http.Client {
	c := *s.hc
	c.Transport = &transport{s: s}
	if c.Timeout == 0 {
		c.Timeout = s.timeout
	}
	return &c
}

type transport struct{ s *Service }

func (t *transport) RoundTrip(in *http.Request) (*http.Response, error) {
	s := t.s
	ctx := in.Context()
	rec := &Record{Service: s.name, Operation: rawOp.ID, Method: in.Method, Path: in.URL.Path, Host: in.URL.Host, start: time.Now()}
	rec.MessageID = MessageIDFrom(ctx)
	if rec.MessageID == "" {
		rec.MessageID = NewMessageID()
	}
	if s.starter != nil {
		ctx = s.starter.StartCall(ctx, rec)
	}
	req := in.Clone(ctx)
	if in.Body != nil && in.Body != http.NoBody && in.GetBody == nil {
		// The body cannot be sent twice; it is handed through unchanged.
		req.Body = in.Body
	}
	if co := callOptionsFrom(ctx); co != nil {
		rec.co = co
		if err := co.check(s); err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			err = s.callError(rawOp.ID, rec.MessageID, err)
			rec.Err = err
			s.finish(ctx, rec)
			return nil, err
		}
		co.apply(req)
	}
	resp, err := s.send(ctx, s.plan(&rawOp), rec, req, s.base.RoundTrip)
	if err != nil {
		rec.Err = err
		s.finish(ctx, rec)
		return nil, err
	}
	if resp.StatusCode >= 400 {
		rec.Err = &ResponseError{Service: s.name, Operation: rec.Operation, Method: rec.Method, StatusCode: resp.StatusCode, MessageID: rec.MessageID}
	}
	resp.Body = &recordedBody{ReadCloser: resp.Body, done: func() { s.finish(ctx, rec) }}
	// The request sent carries what the runtime added (a query API key among
	// it); the application gets back the one it made, which it may log.
	resp.Request = in
	return resp, nil
}

// recordedBody ends a raw call's record when its body is closed.
type recordedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *recordedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}
