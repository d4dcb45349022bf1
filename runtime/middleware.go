package runtime

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultDiagnosticsHeader is the request header that asks for Server-Timing
// (the original's tp-diag).
const DefaultDiagnosticsHeader = "Tp-Diag"

// MiddlewareOption configures Middleware.
type MiddlewareOption func(*middleware)

// WithTokenHeader sets the request header the caller's token is read from
// (the original's AuthorizationHeader); Authorization by default, where only a
// Bearer token is taken.
func WithTokenHeader(name string) MiddlewareOption {
	return func(m *middleware) { m.tokenHeader = http.CanonicalHeaderKey(name) }
}

// WithIncomingMessageIDHeader sets the header the message id is read from and
// written to the response in; DefaultMessageIDHeader by default.
func WithIncomingMessageIDHeader(name string) MiddlewareOption {
	return func(m *middleware) { m.midHeader = http.CanonicalHeaderKey(name) }
}

// WithServerTiming turns Server-Timing on, for the requests that ask for it
// with the diagnostics header (Tp-Diag: 1, see WithDiagnosticsHeader) and
// that allow accepts. Server-Timing tells a caller which services a request
// called, how long each took and whether a token was just fetched: allow
// decides who may know, for example callers from the operator's network or
// with a verified operator identity. It is off by default, and when allow is
// nil; a request header alone never turns it on.
func WithServerTiming(allow func(*http.Request) bool) MiddlewareOption {
	return func(m *middleware) { m.allowTiming = allow }
}

// WithDiagnosticsHeader sets the request header that asks for Server-Timing;
// DefaultDiagnosticsHeader by default. With "", every request that
// WithServerTiming's allow accepts gets it, asked for or not.
func WithDiagnosticsHeader(name string) MiddlewareOption {
	return func(m *middleware) { m.diagHeader = http.CanonicalHeaderKey(name) }
}

// WithCallerVerifier makes Middleware verify the caller of every request with
// verify, which is given the request and its bearer token ("" when it has
// none) and returns who the caller is: for example after checking the token's
// signature, issuer and audience, or the client certificate. The Caller it
// returns is put into the request context (see WithCaller): a System caller's
// calls under GrantAuto are made with the service's own identity. A request
// that verify refuses (an error) is answered 401 and not handled; the error is
// not shown to the caller.
func WithCallerVerifier(verify func(r *http.Request, token string) (Caller, error)) MiddlewareOption {
	return func(m *middleware) { m.verify = verify }
}

type middleware struct {
	next        http.Handler
	tokenHeader string
	midHeader   string
	diagHeader  string
	allowTiming func(*http.Request) bool // nil: no Server-Timing
	verify      func(r *http.Request, token string) (Caller, error)
}

// Middleware prepares incoming requests for the outgoing calls made while
// handling them: it puts the caller's bearer token (for token exchange and
// passthrough) and the message id into the request context, taking the id from
// the request or making one, and sets the id on the response. The context is
// marked as work for a caller: a request without a token is an anonymous
// caller, whose calls under GrantAuto fail with ErrAnonymous unless
// WithAnonymous says otherwise (see Caller for who a call is made as). When
// WithServerTiming allows it, it writes a Server-Timing header with an entry per
// outgoing call and token request, for example
// "orders.getOrder;dur=12.4, auth-cc;dur=40.1, app;dur=55.0".
func Middleware(next http.Handler, opts ...MiddlewareOption) http.Handler {
	m := &middleware{next: next, tokenHeader: "Authorization", midHeader: DefaultMessageIDHeader, diagHeader: DefaultDiagnosticsHeader}
	for _, o := range opts {
		o(m)
	}
	return m
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx := r.Context()
	tok := m.callerToken(r)
	// Set even when empty: the calls made for this request are a caller's, an
	// anonymous one's when there is no token.
	ctx = context.WithValue(ctx, subjectTokenKey, tok)
	mid := r.Header.Get(m.midHeader)
	if !validMessageID(mid) {
		mid = NewMessageID()
	}
	ctx = WithMessageID(ctx, mid)
	w.Header().Set(m.midHeader, mid)
	if m.verify != nil {
		c, err := m.verify(r, tok)
		if err != nil {
			challenge := "Bearer"
			if tok != "" {
				challenge = `Bearer error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		ctx = WithCaller(ctx, c)
	}

	if m.wantsTiming(r) {
		t := &timing{}
		ctx = withTiming(ctx, t)
		tw := &timingWriter{ResponseWriter: w, t: t, start: start}
		m.next.ServeHTTP(tw, r.WithContext(ctx))
		tw.writeHeader() // a handler that wrote nothing still gets the header
		return
	}
	m.next.ServeHTTP(w, r.WithContext(ctx))
}

// wantsTiming reports whether r gets Server-Timing: asked for (unless no
// header is needed) and allowed.
func (m *middleware) wantsTiming(r *http.Request) bool {
	if m.allowTiming == nil || (m.diagHeader != "" && r.Header.Get(m.diagHeader) == "") {
		return false
	}
	return m.allowTiming(r)
}

func (m *middleware) callerToken(r *http.Request) string {
	v := strings.TrimSpace(r.Header.Get(m.tokenHeader))
	if v == "" {
		return ""
	}
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	if m.tokenHeader == "Authorization" {
		return "" // Basic or another scheme: not a token to exchange
	}
	return v
}

// timingWriter adds Server-Timing just before the response header is sent.
type timingWriter struct {
	http.ResponseWriter
	t     *timing
	start time.Time
	once  sync.Once
}

func (w *timingWriter) writeHeader() {
	w.once.Do(func() {
		w.Header().Set("Server-Timing", w.t.header(time.Since(w.start)))
	})
}

func (w *timingWriter) WriteHeader(code int) {
	w.writeHeader()
	w.ResponseWriter.WriteHeader(code)
}

func (w *timingWriter) Write(b []byte) (int, error) {
	w.writeHeader()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *timingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush implements http.Flusher when the underlying writer does.
func (w *timingWriter) Flush() {
	w.writeHeader()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack implements http.Hijacker when the underlying writer does.
func (w *timingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}
