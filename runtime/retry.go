package runtime

import (
	"context"
	"net/http"
	"time"

	"github.com/tpgen/tpgen/runtime/internal/retry"
)

// RetryPolicy says when a failed call is sent again. A call is retried only when
// sending it twice is harmless: its method is idempotent (GET, HEAD, PUT,
// DELETE, OPTIONS, TRACE), it carries an idempotency key, or it never reached
// the service (no connection could be made). A failure to send is retried only
// when the connection failed; one that would fail again (an invalid header
// value, an untrusted certificate) is not. Retries wait with exponential
// backoff and jitter, or as long as the service's Retry-After asks, and never
// past the context's deadline. A 401 is handled apart: the token is forgotten
// and the call tried once more with a fresh one, at most once per token
// cache key every 10 seconds (a service that refuses every token does not
// make every call a token request).
type RetryPolicy struct {
	// MaxAttempts counts the first attempt too; 3 when zero, 1 turns retries off.
	MaxAttempts int
	// BaseDelay is the first backoff (100ms when zero); each retry doubles it, up to MaxDelay.
	BaseDelay time.Duration
	// MaxDelay caps a backoff (5s when zero). A Retry-After longer than this is not
	// waited for: the answer is returned, with ResponseError.RetryAfter set.
	MaxDelay time.Duration
	// Statuses are retried; 429, 502, 503 and 504 when nil.
	Statuses []int
	// IdempotencyKeyHeader is the header whose presence makes a non-idempotent
	// request safe to retry; "Idempotency-Key" when empty.
	IdempotencyKeyHeader string
	// AddIdempotencyKey sets a fresh IdempotencyKeyHeader on every POST and PATCH
	// that has none, so that they are retried too. Only for services that honour it.
	AddIdempotencyKey bool
}

// NoRetry turns retries off (the 401 token refresh still happens).
var NoRetry = RetryPolicy{MaxAttempts: 1}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = 3
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 100 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 5 * time.Second
	}
	if p.Statuses == nil {
		p.Statuses = []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}
	}
	if p.IdempotencyKeyHeader == "" {
		p.IdempotencyKeyHeader = "Idempotency-Key"
	}
	return p
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// next says whether attempt should be followed by another, and after how long.
// An error is retried only when the connection failed, not the request (see
// retry.TransportFailure): an invalid header value or an untrusted certificate fails
// the same way every time. A request that surely never reached the service
// (its connection could not be made) is sent again whatever its method.
func (p RetryPolicy) next(ctx context.Context, req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= p.MaxAttempts || ctx.Err() != nil {
		return 0, false
	}
	replayable := idempotent(req.Method) || req.Header.Get(p.IdempotencyKeyHeader) != ""
	var wait time.Duration
	switch {
	case err != nil:
		transient, unsent := retry.TransportFailure(err)
		if !transient || !replayable && !unsent {
			return 0, false
		}
	case !replayable:
		return 0, false
	case resp != nil && p.retryStatus(resp.StatusCode):
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			wait = retry.After(ra, time.Now())
			if wait > p.MaxDelay {
				return 0, false
			}
		}
	default:
		return 0, false
	}
	if wait == 0 {
		wait = retry.Backoff(p.BaseDelay, p.MaxDelay, attempt)
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return 0, false
	}
	return wait, true
}

func (p RetryPolicy) retryStatus(code int) bool {
	for _, c := range p.Statuses {
		if c == code {
			return true
		}
	}
	return false
}
