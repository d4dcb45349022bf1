package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// tokenManager serves tokens from a TokenStore, fetching on a miss with one
// request per key however many callers wait (single flight), and refreshing
// ahead of expiry in the background so that warm callers never wait.
//
// The rate of calls never becomes the rate of token requests: a failed
// request is retried with backoff when the failure may pass (connection
// errors, 429, 5xx, within the fetch's deadline), and then remembered for a
// while, during which calls fail at once with it; a token that a service
// refuses is fetched again at most once per reauthInterval.
//
// Everything kept beside the store is bounded, since keys come from callers
// (one per subject token for exchanges): at most maxTokenFlights requests are
// in flight, and state is kept for at most maxStates keys, the least recently
// used forgotten first.
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
	maxStates       int

	slots chan struct{} // holds one value per flight; capacity maxTokenFlights

	mu      sync.Mutex
	flights map[string]*flight
	states  lru // key -> *keyState

	reauthMu sync.Mutex // orders re-authentications after a 401 (see reauthorize)
}

// Bounds and intervals of the token manager.
const (
	// maxTokenFlights bounds the token requests in flight at once: past it,
	// a call that needs a new token waits (within its deadline) for one to
	// end, and a background refresh is left to a later call.
	maxTokenFlights = 256
	// tokenAttempts bounds the requests of one fetch that a call waits for;
	// a background refresh makes one.
	tokenAttempts  = 3
	tokenRetryBase = 200 * time.Millisecond
	// maxTokenRetryWait is the longest a fetch waits before trying again; an
	// endpoint that asks for longer (Retry-After) is not asked again within
	// the fetch, and its answer is remembered instead.
	maxTokenRetryWait = 2 * time.Second
	// A failure is remembered for failureMemory, doubling with each failure
	// in a row up to maxFailureMemory, or as long as the endpoint's
	// Retry-After asks, up to maxRetryAfterMemory.
	failureMemory       = time.Second
	maxFailureMemory    = 30 * time.Second
	maxRetryAfterMemory = time.Minute
	// reauthInterval spaces the re-authentications of a key after its token
	// was refused (401): a service that refuses every token costs a token
	// request per interval, not one per call.
	reauthInterval = 10 * time.Second
	// Token lifetimes are clamped to [minTokenLifetime, maxTokenLifetime]:
	// an endpoint that says 1e12 seconds is asked again in a day, one that
	// says a millisecond is not asked on every call.
	minTokenLifetime = time.Second
	maxTokenLifetime = 24 * time.Hour
)

// ErrTokenBackoff is wrapped by the *TokenError of a call that did not ask the
// token endpoint because the same request failed moments ago: the error
// carries that failure's status and error fields, and its RetryAfter says when
// the endpoint is asked again.
var ErrTokenBackoff = errors.New("token request not sent (backing off)")

// flight is one token request that callers wait for.
type flight struct {
	done chan struct{} // closed once tok or err is set
	tok  *Token
	err  error
}

// keyState is what the manager remembers about one key besides its token.
type keyState struct {
	key string
	// failed is the last failure, remembered until retryAt: no request for
	// the key is made before then, foreground or background.
	failed   error
	failedAt time.Time
	retryAt  time.Time
	failures int // in a row
	// reauthAt is when a refused token last made the key's token be fetched again.
	reauthAt time.Time
}

// newTokenManager completes m's bookkeeping.
func newTokenManager(m *tokenManager) *tokenManager {
	m.slots = make(chan struct{}, maxTokenFlights)
	m.flights = make(map[string]*flight)
	if m.maxStates <= 0 {
		m.maxStates = DefaultExchangeCacheSize
	}
	return m
}

// tokenPhase is where a cached token stands in its life.
type tokenPhase uint8

const (
	tokenFresh   tokenPhase = iota // use it
	tokenStale                     // use it, and refresh in the background
	tokenExpired                   // do not use it; fetch and wait
)

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

// fetch obtains a token, joining a request already in flight for key. The
// request itself runs detached from ctx so that one caller giving up does not
// fail the others; the caller stops waiting when ctx ends.
func (m *tokenManager) fetch(ctx context.Context, key string, req *TokenRequest) (*Token, error) {
	f, err := m.join(ctx, key, req)
	if err != nil {
		return nil, err
	}
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		// Still a failed token request for the caller: errors.As(err, *TokenError).
		return nil, req.fail(0, ctx.Err())
	}
}

// join returns the flight for key: the one in flight, or a new one when a
// slot is free, waiting for one within ctx when none is. While key's last
// failure is remembered, it returns that instead.
func (m *tokenManager) join(ctx context.Context, key string, req *TokenRequest) (*flight, error) {
	for {
		m.mu.Lock()
		if f := m.flights[key]; f != nil {
			m.mu.Unlock()
			return f, nil
		}
		if err := m.remembered(key, req); err != nil {
			m.mu.Unlock()
			return nil, err
		}
		select {
		case m.slots <- struct{}{}:
			f := m.start(key)
			m.mu.Unlock()
			go m.run(context.WithoutCancel(ctx), key, req, f, false)
			return f, nil
		default:
		}
		m.mu.Unlock()
		// Every slot is taken: wait until one is free, then look again (the
		// key may have got a flight, or a failure, meanwhile).
		select {
		case m.slots <- struct{}{}:
			<-m.slots
		case <-ctx.Done():
			return nil, req.fail(0, ctx.Err())
		}
	}
}

// start registers a new flight for key. Called with mu held and a slot taken.
func (m *tokenManager) start(key string) *flight {
	f := &flight{done: make(chan struct{})}
	m.flights[key] = f
	return f
}

// run is the flight f: it obtains the token, records the outcome and frees
// its slot.
func (m *tokenManager) run(ctx context.Context, key string, req *TokenRequest, f *flight, background bool) {
	defer func() { <-m.slots }()
	// A caller that found no usable token may get here just after the flight
	// that replaced it ended: it uses what that flight stored instead of
	// asking again. A refresh is for a stale token: a fresh one means it was done.
	t, ok := m.store.Load(key)
	if ok {
		ph := m.phase(t, m.now())
		ok = ph == tokenFresh || (ph == tokenStale && !background)
	}
	if ok {
		f.tok = t
	} else {
		f.tok, f.err = m.fetchNow(ctx, key, req, background)
	}
	m.mu.Lock()
	delete(m.flights, key)
	m.settle(key, f.err)
	m.mu.Unlock()
	close(f.done)
}

// fetchNow asks the fetcher for a token and stores it: a fetch that calls wait
// for up to tokenAttempts times while the failure may pass, a background
// refresh once.
func (m *tokenManager) fetchNow(ctx context.Context, key string, req *TokenRequest, background bool) (*Token, error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		start := time.Now()
		tok, err := m.fetcher.FetchToken(ctx, req)
		if err == nil && tok == nil {
			err = req.fail(0, errors.New("the token fetcher returned neither a token nor an error"))
		}
		// Whatever fetched it (a custom TokenFetcher too), an error that reaches
		// logs, observers and callers holds no form of the secret or subject token.
		err = req.redactError(err)
		if err == nil {
			m.complete(tok)
			m.store.Store(key, tok)
		}
		m.report(ctx, req, time.Since(start), background, err)
		if err == nil {
			return tok, nil
		}
		if background {
			return nil, err // a later call tries again, once the failure is no longer remembered
		}
		wait, again := retryToken(ctx, err, attempt)
		if !again || !sleep(ctx, wait) {
			return nil, err
		}
	}
}

// complete fills in what the fetcher left out and clamps the token's lifetime.
func (m *tokenManager) complete(tok *Token) {
	if tok.Obtained.IsZero() {
		tok.Obtained = m.now()
	}
	if tok.Expiry.IsZero() {
		tok.Expiry = tok.Obtained.Add(m.defaultLifetime)
	}
	life := min(max(tok.Expiry.Sub(tok.Obtained), minTokenLifetime), maxTokenLifetime)
	tok.Expiry = tok.Obtained.Add(life)
	if tok.header == "" {
		tok.header = tok.authorization()
	}
}

// tokenFailure says whether a failed token request may succeed when sent
// again (429, 5xx, or no answer because the connection failed), and how long
// the endpoint asked to wait.
func tokenFailure(err error) (retryAfter time.Duration, transient bool) {
	var te *TokenError
	if errors.As(err, &te) && te.StatusCode != 0 {
		return te.RetryAfter, te.StatusCode == http.StatusTooManyRequests || te.StatusCode >= 500
	}
	transient, _ = transportFailure(err)
	return 0, transient
}

// retryToken says whether a fetch that calls wait for tries again after
// attempt failed with err, and after how long.
func retryToken(ctx context.Context, err error, attempt int) (time.Duration, bool) {
	if attempt >= tokenAttempts {
		return 0, false
	}
	wait, transient := tokenFailure(err)
	if !transient || wait > maxTokenRetryWait {
		return 0, false
	}
	if wait == 0 {
		wait = backoff(tokenRetryBase, maxTokenRetryWait, attempt)
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return 0, false
	}
	return wait, true
}

// settle records the outcome of a flight for key. Called with mu held.
func (m *tokenManager) settle(key string, err error) {
	now := m.now()
	if err == nil {
		if e := m.states.find(key); e != nil {
			st := e.Value.(*keyState)
			st.failed, st.failures, st.retryAt = nil, 0, time.Time{}
			if now.Sub(st.reauthAt) >= reauthInterval {
				m.states.remove(key, e) // nothing left to remember
			}
		}
		return
	}
	st := m.state(key)
	st.failures++
	wait := maxFailureMemory
	if st.failures <= 5 { // 1, 2, 4, 8, 16 s, then the cap
		wait = min(failureMemory<<(st.failures-1), maxFailureMemory)
	}
	if ra, _ := tokenFailure(err); ra > 0 {
		wait = min(ra, maxRetryAfterMemory)
	}
	st.failed, st.failedAt, st.retryAt = err, now, now.Add(wait)
}

// state returns key's state, making it (and room for it) when there is
// none. Called with mu held.
func (m *tokenManager) state(key string) *keyState {
	if e := m.states.find(key); e != nil {
		m.states.use(e)
		return e.Value.(*keyState)
	}
	if m.states.len() >= m.maxStates {
		old := m.states.oldest()
		m.states.remove(old.Value.(*keyState).key, old)
	}
	st := &keyState{key: key}
	m.states.add(key, st)
	return st
}

// remembered returns the error for a call of req while key's last failure is
// remembered, nil otherwise. Called with mu held.
func (m *tokenManager) remembered(key string, req *TokenRequest) error {
	e := m.states.find(key)
	if e == nil {
		return nil
	}
	st := e.Value.(*keyState)
	now := m.now()
	if st.failed == nil || !now.Before(st.retryAt) {
		return nil
	}
	m.states.use(e)
	te := req.fail(0, nil)
	cause := st.failed
	var prev *TokenError
	if errors.As(st.failed, &prev) {
		te.StatusCode, te.Code, te.Description, te.URI = prev.StatusCode, prev.Code, prev.Description, prev.URI
		cause = prev.Err
	}
	te.RetryAfter = st.retryAt.Sub(now)
	what := fmt.Sprintf("the same request failed %s ago (%d in a row), the next is sent in %s",
		now.Sub(st.failedAt).Round(time.Millisecond), st.failures, te.RetryAfter.Round(time.Millisecond))
	if cause != nil {
		te.Err = fmt.Errorf("%w: %s: %w", ErrTokenBackoff, what, cause)
	} else {
		te.Err = fmt.Errorf("%w: %s", ErrTokenBackoff, what)
	}
	return te
}

// refreshAhead starts one background refresh of key unless one runs, the
// key's last failure is still remembered, or every slot is taken (a later
// call starts it then: the token is still usable).
func (m *tokenManager) refreshAhead(ctx context.Context, key string, req *TokenRequest) {
	m.mu.Lock()
	if m.flights[key] != nil || m.remembered(key, req) != nil {
		m.mu.Unlock()
		return
	}
	select {
	case m.slots <- struct{}{}:
	default:
		m.mu.Unlock()
		return
	}
	f := m.start(key)
	m.mu.Unlock()
	r := *req
	go m.run(context.WithoutCancel(ctx), key, &r, f, true)
}

// reauthorize is called when a service refused t, key's token (401), and
// says whether the call is tried once more. The token is forgotten, so that
// the next attempt fetches a new one, at most once per reauthInterval per
// key; within the interval the refusal stands, unless t was replaced
// meanwhile (by a concurrent call's re-authentication, say): then the call
// is tried with the new token.
func (m *tokenManager) reauthorize(key string, t *Token) bool {
	m.reauthMu.Lock()
	defer m.reauthMu.Unlock()
	cur, ok := m.store.Load(key)
	if !ok || cur.AccessToken != t.AccessToken {
		return true
	}
	m.mu.Lock()
	st := m.state(key)
	now := m.now()
	recent := !st.reauthAt.IsZero() && now.Sub(st.reauthAt) < reauthInterval
	if !recent {
		st.reauthAt = now
	}
	m.mu.Unlock()
	if recent {
		return false
	}
	m.store.Delete(key, cur)
	return true
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
