package runtime

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tpgen/tpgen/runtime/internal/quote"
	"github.com/tpgen/tpgen/runtime/internal/redact"
)

// Record describes one call: what it was, how it ended, and what it cost. It
// holds no token, secret or Authorization value.
type Record struct {
	Service   string
	Operation string
	Method    string
	Path      string // the path template, e.g. /orders/{id}
	Host      string // host[:port] the call goes to, e.g. api.example.com
	Status    int    // 0 when no response was received
	Attempts  int
	MessageID string

	Grant Grant // the grant used; GrantNone when no token of a grant was sent
	// Scheme names the spec's security schemes whose credentials were sent
	// ("apiKeyAuth", "apiKeyAuth+appKeyAuth"); "" when the spec states none
	// for the operation, or none was sent.
	Scheme     string
	TokenCache bool // the token came from the cache
	Token      time.Duration
	RoundTrip  time.Duration // sending and receiving headers, over all attempts
	Decode     time.Duration // reading and decoding the body
	Total      time.Duration
	Err        error

	start time.Time
	red   redact.Redactor // the forms of the static credentials the call sent
	co    *callOptions    // the call's options (CallOption), nil when none
}

// Observer receives a Record when each call ends, for metrics or tracing. It is
// called on the calling goroutine and must not keep r.
type Observer interface {
	ObserveCall(ctx context.Context, r *Record)
}

// CallStarter may be implemented by an Observer to hear of each call as it
// starts, before its token is obtained and its request is built: the context
// StartCall returns is the one the call is made with (its token request and
// its HTTP request included) and the one ObserveCall receives, so that a
// tracer can start a span here and end it there. r holds what is known at the
// start (service, operation, method, path template, host, message id) and is
// the Record that ObserveCall then gets; StartCall must not keep it either.
// Every call that is started ends in ObserveCall.
type CallStarter interface {
	StartCall(ctx context.Context, r *Record) context.Context
}

// TokenObserver may be implemented by an Observer to hear of every token request.
type TokenObserver interface {
	ObserveToken(ctx context.Context, e *TokenEvent)
}

// TokenEvent describes one token request.
type TokenEvent struct {
	Service    string
	Operation  string // the operation whose call caused it
	Grant      Grant
	MessageID  string
	Duration   time.Duration
	Background bool // a refresh ahead of expiry, not waited for by any call
	Err        error
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(ctx context.Context, r *Record)

// ObserveCall implements Observer.
func (f ObserverFunc) ObserveCall(ctx context.Context, r *Record) { f(ctx, r) }

// finish completes r and hands it to the logger, the observer and the
// Server-Timing collector of ctx.
func (s *Service) finish(ctx context.Context, r *Record) {
	r.Total = time.Since(r.start)
	if s.observer != nil {
		s.observer.ObserveCall(ctx, r)
	}
	if t := timingFrom(ctx); t != nil {
		t.add(r)
	}
	level := slog.LevelDebug
	if r.Err != nil {
		level = s.failureLevel
	}
	if !s.logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 15)
	attrs = append(attrs,
		slog.String("service", r.Service), slog.String("operation", r.Operation),
		slog.String("method", r.Method), slog.String("path", r.Path),
		slog.Int("status", r.Status), slog.Int("attempts", r.Attempts),
		slog.String("message_id", r.MessageID), slog.String("grant", r.Grant.String()),
		slog.Bool("token_cached", r.TokenCache), slog.Duration("token", r.Token),
		slog.Duration("round_trip", r.RoundTrip), slog.Duration("decode", r.Decode),
		slog.Duration("total", r.Total))
	if r.Scheme != "" {
		attrs = append(attrs, slog.String("scheme", r.Scheme))
	}
	msg := "tpgen: call"
	if r.Err != nil {
		msg = "tpgen: call failed"
		attrs = append(attrs, slog.String("error", r.Err.Error()))
	}
	s.logger.LogAttrs(ctx, level, msg, attrs...)
}

// maxTimingEntries bounds a Server-Timing header.
const maxTimingEntries = 64

// timing collects Server-Timing entries for one incoming request.
type timing struct {
	mu      sync.Mutex
	entries []string
	dropped int
}

func withTiming(ctx context.Context, t *timing) context.Context {
	return context.WithValue(ctx, timingKey, t)
}

func timingFrom(ctx context.Context) *timing {
	t, _ := ctx.Value(timingKey).(*timing)
	return t
}

func (t *timing) add(r *Record) {
	var e []string
	if (r.Grant == GrantClientCredentials || r.Grant == GrantTokenExchange) && !r.TokenCache && r.Token > 0 {
		e = append(e, timingEntry(r.Grant.timingName(), r.Token))
	}
	e = append(e, timingEntry(r.Service+"."+r.Operation, r.Total))
	t.mu.Lock()
	for _, x := range e {
		if len(t.entries) < maxTimingEntries {
			t.entries = append(t.entries, x)
		} else {
			t.dropped++
		}
	}
	t.mu.Unlock()
}

// header renders the collected entries, with the handler's own time as "app".
func (t *timing) header(app time.Duration) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	parts := make([]string, 0, len(t.entries)+1)
	parts = append(parts, t.entries...)
	parts = append(parts, timingEntry("app", app))
	return strings.Join(parts, ", ")
}

// timingEntry renders name;dur=ms. Server-Timing names are tokens (RFC 7230), so
// characters outside the token set become '_'.
func timingEntry(name string, d time.Duration) string {
	b := make([]byte, 0, len(name)+16)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if quote.IsTokenChar(c) {
			b = append(b, c)
		} else {
			b = append(b, '_')
		}
	}
	b = append(b, ";dur="...)
	b = strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', 1, 64)
	return string(b)
}
