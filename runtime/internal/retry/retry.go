// Package retry decides when a failed request may be sent again and how long
// to wait first: which transport failures may pass, exponential backoff with
// jitter, and the server's Retry-After. The runtime's calls and its token
// requests share these rules.
package retry

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// Backoff is the wait after the attempt-th failure: base doubled with each
// attempt, at most max, with equal jitter (half fixed, half random) so that
// callers spread out.
func Backoff(base, max time.Duration, attempt int) time.Duration {
	d := base << (attempt - 1)
	if d > max || d <= 0 {
		d = max
	}
	return d/2 + rand.N(d/2+1)
}

// TransportFailure classifies an error of sending a request: transient when
// the connection failed (it could not be made, was reset or closed, or timed
// out), so that another attempt may succeed; unsent when the request surely
// never reached the server (no connection was made), so that sending it again
// cannot repeat its effect. Anything else (an invalid header value, an
// unsupported scheme, a certificate that is not trusted, a canceled context,
// an error of the caller's own RoundTripper) is neither: it would fail again.
func TransportFailure(err error) (transient, unsent bool) {
	var (
		dnsErr  *net.DNSError
		opErr   *net.OpError
		certErr *tls.CertificateVerificationError
		hdrErr  tls.RecordHeaderError
		netErr  net.Error
	)
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &certErr), errors.As(err, &hdrErr):
		return false, false
	case errors.As(err, &dnsErr):
		return dnsErr.IsTimeout || dnsErr.IsTemporary, true
	case errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect"):
		return true, true
	case errors.Is(err, syscall.ECONNREFUSED):
		return true, true
	case errors.As(err, &opErr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.As(err, &netErr) && netErr.Timeout():
		return true, false
	}
	return false, false
}

// Sleep waits d, or until ctx ends; false when ctx ended.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// maxAfter is what a Retry-After too large for a Duration is read as.
const maxAfter = time.Duration(math.MaxInt64)

// After reads a Retry-After value (seconds, or an HTTP date after now); 0
// when it says nothing usable.
func After(v string, now time.Time) time.Duration {
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		if secs > int64(maxAfter/time.Second) {
			return maxAfter // not a negative Duration that would mean "retry now"
		}
		return time.Duration(secs) * time.Second
	}
	if digits(v) {
		return maxAfter // more digits than an int64 holds
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
