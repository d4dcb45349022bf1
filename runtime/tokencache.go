package runtime

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// tokenManager serves tokens from a TokenStore, fetching on a miss with one
// request per key however many callers wait (single flight), and refreshing
// ahead of expiry in the background so that warm callers never wait.
type tokenManager struct {
	store           TokenStore
	fetcher         TokenFetcher
	now             func() time.Time
	realClock       bool // now is time.Now
	margin          time.Duration
	defaultLifetime time.Duration
	timeout         time.Duration
	logger          *slog.Logger
	observer        Observer

	flight singleflight.Group

	mu         sync.Mutex
	refreshing map[string]time.Time // key -> earliest next background attempt; zero while one runs
}

// tokenPhase is where a cached token stands in its life.
type tokenPhase uint8

const (
	tokenFresh   tokenPhase = iota // use it
	tokenStale                     // use it, and refresh in the background
	tokenExpired                   // do not use it; fetch and wait
)

// refreshBackoff spaces background refresh attempts after a failure.
const refreshBackoff = time.Second

func (m *tokenManager) phase(t *Token, now time.Time) tokenPhase {
	life := t.Expiry.Sub(t.Obtained)
	window := min(m.margin, life/2)
	hard := min(5*time.Second, life/10)
	switch left := t.Expiry.Sub(now); {
	case left > window:
		return tokenFresh
	case left > hard:
		return tokenStale
	default:
		return tokenExpired
	}
}

// get returns a token for key, from the store when it may still be used.
// hit reports whether the store served it.
func (m *tokenManager) get(ctx context.Context, key string, req *TokenRequest) (tok *Token, hit bool, err error) {
	if t, ok := m.store.Load(key); ok {
		switch m.phase(t, m.now()) {
		case tokenFresh:
			return t, true, nil
		case tokenStale:
			m.refreshAhead(ctx, key, req)
			return t, true, nil
		}
	}
	tok, err = m.fetch(ctx, key, req)
	return tok, false, err
}

// invalidate forgets t (a token a service rejected) unless a newer one replaced it.
func (m *tokenManager) invalidate(key string, t *Token) {
	m.store.Delete(key, t)
}

// fetch obtains a token, joining a request already in flight for key. The
// request itself runs detached from ctx so that one caller giving up does not
// fail the others; the caller stops waiting when ctx ends.
func (m *tokenManager) fetch(ctx context.Context, key string, req *TokenRequest) (*Token, error) {
	ch := m.flight.DoChan(key, func() (any, error) {
		// A caller that found no usable token may get here just after the
		// request that replaced it ended (it left the flight before this one
		// began): use what that request stored instead of fetching again.
		if t, ok := m.store.Load(key); ok && m.phase(t, m.now()) != tokenExpired {
			return t, nil
		}
		return m.fetchNow(context.WithoutCancel(ctx), key, req, false)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*Token), nil
	case <-ctx.Done():
		// Still a failed token request for the caller: errors.As(err, *TokenError).
		return nil, req.fail(0, ctx.Err())
	}
}

func (m *tokenManager) fetchNow(ctx context.Context, key string, req *TokenRequest, background bool) (*Token, error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	start := time.Now()
	tok, err := m.fetcher.FetchToken(ctx, req)
	// Whatever fetched it (a custom TokenFetcher too), an error that reaches
	// logs, observers and callers holds no form of the secret or subject token.
	err = req.redactError(err)
	if err == nil {
		now := m.now()
		if tok.Obtained.IsZero() {
			tok.Obtained = now
		}
		if tok.Expiry.IsZero() {
			tok.Expiry = tok.Obtained.Add(m.defaultLifetime)
		}
		if tok.header == "" {
			tok.header = tok.authorization()
		}
		m.store.Store(key, tok)
	}
	m.report(ctx, req, time.Since(start), background, err)
	return tok, err
}

// refreshAhead starts one background refresh of key unless one runs or failed
// less than refreshBackoff ago.
func (m *tokenManager) refreshAhead(ctx context.Context, key string, req *TokenRequest) {
	m.mu.Lock()
	next, busy := m.refreshing[key]
	if busy && (next.IsZero() || m.now().Before(next)) {
		m.mu.Unlock()
		return
	}
	if m.refreshing == nil {
		m.refreshing = map[string]time.Time{}
	}
	m.refreshing[key] = time.Time{}
	m.mu.Unlock()

	r := *req
	detached := context.WithoutCancel(ctx)
	go func() {
		_, err, _ := m.flight.Do(key, func() (any, error) {
			// The caller saw a stale token, but a refresh may have replaced it
			// (and left refreshing) since: refresh a token only once.
			if t, ok := m.store.Load(key); ok && m.phase(t, m.now()) == tokenFresh {
				return t, nil
			}
			return m.fetchNow(detached, key, &r, true)
		})
		m.mu.Lock()
		if err != nil {
			m.refreshing[key] = m.now().Add(refreshBackoff)
		} else {
			delete(m.refreshing, key)
		}
		m.mu.Unlock()
	}()
}

func (m *tokenManager) report(ctx context.Context, req *TokenRequest, d time.Duration, background bool, err error) {
	if to, ok := m.observer.(TokenObserver); ok {
		to.ObserveToken(ctx, &TokenEvent{Service: req.Service, Operation: req.Operation, Grant: req.Grant,
			MessageID: req.MessageID, Duration: d, Background: background, Err: err})
	}
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	if !m.logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("service", req.Service), slog.String("operation", req.Operation),
		slog.String("grant", req.Grant.String()), slog.String("message_id", req.MessageID),
		slog.Duration("duration", d), slog.Bool("background", background),
	}
	msg := "tpgen: token obtained"
	if err != nil {
		msg = "tpgen: token request failed"
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	m.logger.LogAttrs(ctx, level, msg, attrs...)
}
