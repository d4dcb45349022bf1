package redis

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// health is whether Redis may be asked now. After a failed operation Redis is
// left alone for a retry interval (doubling with each failure in a row), during
// which the store answers from memory and Claim says it cannot coordinate;
// the first operation after the interval tries again (the probe), and one
// that works ends the outage. Claims made while the probe is out wait for its
// outcome (within the operation timeout) rather than fall back at once: after
// an outage, the refreshes of every key of a process come due together, and
// each that fell back would be a token request the fleet need not make. Each
// outage and each recovery is logged once.
type health struct {
	log      *slog.Logger
	interval time.Duration
	max      time.Duration // of the interval, however many failures in a row

	down     atomic.Bool // fast path: false while Redis answers
	mu       sync.Mutex
	retryAt  time.Time
	failures int
	since    time.Time     // the outage's start
	probe    chan struct{} // closed when the probe out now ends; nil when none is

	outages, recoveries atomic.Int64
}

// ok reports whether an operation may be sent to Redis now.
func (h *health) ok() bool {
	if !h.down.Load() {
		return true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if now.Before(h.retryAt) {
		return false
	}
	// One probe per interval: the others keep answering from memory.
	h.retryAt = now.Add(h.wait())
	if h.probe == nil {
		h.probe = make(chan struct{})
	}
	return true
}

// await is ok for an operation that would rather wait for the probe out now
// than fall back: it reports whether Redis may be asked, after the probe's
// outcome when one is out, waiting at most d or until ctx ends.
func (h *health) await(ctx context.Context, d time.Duration) bool {
	if h.ok() {
		return true
	}
	h.mu.Lock()
	probe, down := h.probe, h.down.Load()
	h.mu.Unlock()
	switch {
	case !down:
		return true // the probe ended well since ok looked
	case probe == nil:
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-probe:
		return !h.down.Load()
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// probed ends the probe out now, if any. Called with mu held.
func (h *health) probed() {
	if h.probe != nil {
		close(h.probe)
		h.probe = nil
	}
}

// wait is how long Redis is left alone after failures in a row. Called with mu held.
func (h *health) wait() time.Duration {
	d := h.interval
	for i := 1; i < h.failures && d < h.max; i++ {
		d *= 2
	}
	return min(d, h.max)
}

// failed records a failed operation made within parent. When parent itself
// ended (the caller gave up, or its deadline came first) that says nothing
// about Redis.
func (h *health) failed(parent context.Context, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	defer h.probed() // after the state is updated: a waiter reads it then
	if parent.Err() != nil {
		h.retryAt = time.Time{} // the probe says nothing; the next operation probes again
		return
	}
	h.failures++
	h.retryAt = time.Now().Add(h.wait())
	if h.down.Load() {
		return
	}
	h.down.Store(true)
	h.since = time.Now()
	h.outages.Add(1)
	h.log.Warn("tpgen: redis token store unavailable: each process fetches its own tokens until it answers again",
		slog.String("error", err.Error()), slog.Duration("retry_in", h.wait()))
}

// worked records an operation that Redis answered.
func (h *health) worked() {
	if !h.down.Load() {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	defer h.probed() // after the state is updated: a waiter reads it then
	if !h.down.Load() {
		return
	}
	h.down.Store(false)
	h.failures = 0
	h.recoveries.Add(1)
	h.log.Info("tpgen: redis token store available again: the fleet shares tokens again",
		slog.Duration("unavailable_for", time.Since(h.since).Round(time.Millisecond)))
}
