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

// MiddlewareConfig configures Middleware. The zero value of each field keeps
// its default.
type MiddlewareConfig struct {
	// TokenHeader is the request header the caller's token is read from;
	// Authorization when empty, where only a Bearer token is taken.
	TokenHeader string
	// MessageIDHeader is the header the message id is read from and written
	// to the response in; DefaultMessageIDHeader when empty.
	MessageIDHeader string
	// VerifyCaller, when set, verifies the caller of every request: it is
	// given the request and its bearer token ("" when it has none) and
	// returns who the caller is, for example after checking the token's
	// signature, issuer and audience (jwt.Verifier.VerifyCaller does), or
	// the client certificate. The Caller it returns is put into the request
	// context (see ContextWithCaller): a System caller's calls under
	// GrantAuto are made with the service's own identity. A request that
	// VerifyCaller refuses (an error) is answered 401 and not handled; the
	// error is not shown to the caller.
	VerifyCaller func(r *http.Request, token string) (Caller, error)
	// ServerTiming turns Server-Timing on, for the requests it accepts that
	// ask for it with DiagnosticsHeader (Tp-Diag: 1). Server-Timing tells a
	// caller which services a request called, how long each took and
	// whether a token was just fetched: ServerTiming decides who may know,
	// for example callers from the operator's network or with a verified
	// operator identity. Nil, the default, leaves it off; a request header
	// alone never turns it on.
	ServerTiming func(*http.Request) bool
	// DiagnosticsHeader is the request header that asks for Server-Timing;
	// DefaultDiagnosticsHeader when empty.
	DiagnosticsHeader string
	// ServerTimingUnasked writes Server-Timing for every request that
	// ServerTiming accepts, whether it carries DiagnosticsHeader or not.
	ServerTimingUnasked bool
	// RequestContext, when set, derives the context a request is handled in
	// from the request, before Middleware adds its own values: for example
	// one carrying the caller's W3C trace context, so that the calls made
	// while handling it continue the caller's trace (package
	// github.com/tpgen/tpgen/otel has one).
	RequestContext func(r *http.Request) context.Context
}

// merge returns c with the fields that o sets.
func (c MiddlewareConfig) merge(o MiddlewareConfig) MiddlewareConfig {
	if o.TokenHeader != "" {
		c.TokenHeader = o.TokenHeader
	}
	if o.MessageIDHeader != "" {
		c.MessageIDHeader = o.MessageIDHeader
	}
	if o.VerifyCaller != nil {
		c.VerifyCaller = o.VerifyCaller
	}
	if o.ServerTiming != nil {
		c.ServerTiming = o.ServerTiming
	}
	if o.DiagnosticsHeader != "" {
		c.DiagnosticsHeader = o.DiagnosticsHeader
	}
	c.ServerTimingUnasked = c.ServerTimingUnasked || o.ServerTimingUnasked
	if o.RequestContext != nil {
		c.RequestContext = o.RequestContext
	}
	return c
}

type middleware struct {
	next        http.Handler
	tokenHeader string
	midHeader   string
	diagHeader  string                   // "": no header needed
	allowTiming func(*http.Request) bool // nil: no Server-Timing
	verify      func(r *http.Request, token string) (Caller, error)
	reqContext  func(*http.Request) context.Context // nil: r.Context()
}

// Middleware prepares incoming requests for the outgoing calls made while
// handling them: it puts the caller's bearer token (for token exchange and
// passthrough) and the message id into the request context, taking the id from
// the request or making one, and sets the id on the response. The context is
// marked as work for a caller: a request without a token is an anonymous
// caller, whose calls under GrantAuto fail with ErrAnonymous unless
// Auth.Anonymous says otherwise (see Caller for who a call is made as). When
// MiddlewareConfig.ServerTiming allows it, it writes a Server-Timing header
// with an entry per outgoing call and token request, for example
// "orders.getOrder;dur=12.4, auth-cc;dur=40.1, app;dur=55.0".
//
// cfg is optional; the fields that several configs set are taken from the last.
func Middleware(next http.Handler, cfg ...MiddlewareConfig) http.Handler {
	var c MiddlewareConfig
	for _, o := range cfg {
		c = c.merge(o)
	}
	m := &middleware{next: next, tokenHeader: "Authorization", midHeader: DefaultMessageIDHeader, diagHeader: DefaultDiagnosticsHeader,
		allowTiming: c.ServerTiming, verify: c.VerifyCaller, reqContext: c.RequestContext}
	if c.TokenHeader != "" {
		m.tokenHeader = http.CanonicalHeaderKey(c.TokenHeader)
	}
	if c.MessageIDHeader != "" {
		m.midHeader = http.CanonicalHeaderKey(c.MessageIDHeader)
	}
	if c.DiagnosticsHeader != "" {
		m.diagHeader = http.CanonicalHeaderKey(c.DiagnosticsHeader)
	}
	if c.ServerTimingUnasked {
		m.diagHeader = ""
	}
	return m
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx := r.Context()
	if m.reqContext != nil {
		ctx = m.reqContext(r)
	}
	tok := m.callerToken(r)
	// Set even when empty: the calls made for this request are a caller's, an
	// anonymous one's when there is no token.
	ctx = context.WithValue(ctx, callerTokenKey, tok)
	mid := r.Header.Get(m.midHeader)
	if !validMessageID(mid) {
		mid = NewMessageID()
	}
	ctx = ContextWithMessageID(ctx, mid)
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
		ctx = ContextWithCaller(ctx, c)
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
