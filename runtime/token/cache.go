package token

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/tpgen/tpgen/runtime/internal/retry"
)

// Cache serves tokens from a Store, asking its Fetcher when a key has no
// token that may still be used, with one request per key however many
// callers wait (single flight), and refreshing ahead of expiry in the
// background so that warm callers never wait.
//
// The rate of calls never becomes the rate of token requests: a failed
// request is retried with backoff when the failure may pass (connection
// errors, 429, 5xx, within the fetch's deadline), and then remembered for a
// while, during which callers fail at once with it (ErrBackoff); a token that
// a service refuses is fetched again at most once per ReauthInterval per key (Refused).
//
// Everything kept beside the store is bounded, since keys come from callers
// (one per subject token for exchanges): at most MaxFlights requests are in flight,
// and state is kept for at most Config.CacheSize keys, the least recently used
// forgotten first.
//
// Keys are the caller's: they must name everything that changes a token, and
// never hold a secret or token (the runtime's hash the subject token).
//
// When the Store is a SharedStore, single flight and refresh ahead work
// across the processes that share it: before each token request the Cache
// asks the store whether another process has the token or is fetching it
// (SharedStore.Claim), and fetches on its own only when the store cannot say.
type Cache struct {
	store           Store
	shared          SharedStore // store, when processes share it; nil otherwise
	fetcher         Fetcher
	now             func() time.Time
	margin          time.Duration
	defaultLifetime time.Duration
	timeout         time.Duration
	maxStates       int
	onFetch         func(ctx context.Context, r *Request, d time.Duration, background bool, err error)

	slots chan struct{} // holds one value per flight; capacity MaxFlights

	mu      sync.Mutex
	flights map[string]*flight
	states  lru // key -> *keyState

	reauthMu sync.Mutex // orders re-authentications after a 401 (see Refused)
}

// NewCache returns a Cache that obtains and keeps tokens as c says. onFetch,
// when not nil, is told of every token request: for whom, how long it took,
// whether it was a refresh ahead of expiry that no call waited for, and how
// it failed.
func NewCache(c Config, onFetch func(ctx context.Context, r *Request, d time.Duration, background bool, err error)) *Cache {
	m := &Cache{
		store:           c.Store,
		fetcher:         c.Fetcher,
		now:             c.Now,
		margin:          orDefault(c.ExpiryMargin, DefaultExpiryMargin),
		defaultLifetime: orDefault(c.DefaultLifetime, DefaultLifetime),
		timeout:         orDefault(c.Timeout, DefaultTimeout),
		maxStates:       c.CacheSize,
		onFetch:         onFetch,
		slots:           make(chan struct{}, MaxFlights),
		flights:         make(map[string]*flight),
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.maxStates <= 0 {
		m.maxStates = DefaultCacheSize
	}
	if m.fetcher == nil {
		m.fetcher = &Endpoint{HTTPClient: c.HTTPClient, Now: c.Now}
	}
	if m.store == nil {
		ms := NewMemoryStore(m.maxStates)
		ms.now = m.now
		m.store = ms
	}
	m.shared, _ = m.store.(SharedStore)
	return m
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Bounds of the Cache, which the runtime's documentation promises.
const (
	// MaxFlights bounds the token requests in flight at once: past it, a
	// call that needs a new token waits (within its deadline) for one to
	// end, and a background refresh is left to a later call.
	MaxFlights = 256
	// ReauthInterval spaces the re-authentications of a key after its token
	// was refused (401): a service that refuses every token costs a token
	// request per interval, not one per call.
	ReauthInterval = 10 * time.Second
	// Token lifetimes are clamped to [MinLifetime, MaxLifetime]: an endpoint
	// that says 1e12 seconds is asked again in a day, one that says a
	// millisecond is not asked on every call.
	MinLifetime = time.Second
	MaxLifetime = 24 * time.Hour
)

// How the Cache retries and remembers failures.
const (
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
)

// flight is one token request that callers wait for.
type flight struct {
	done   chan struct{} // closed once tok or err is set
	tok    *Token
	err    error
	stored bool // tok came from the store, not from a token request
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

// tokenPhase is where a cached token stands in its life.
type tokenPhase uint8

const (
	tokenFresh   tokenPhase = iota // use it
	tokenStale                     // use it, and refresh in the background
	tokenExpired                   // do not use it; fetch and wait
)

func (m *Cache) phase(t *Token, now time.Time) tokenPhase {
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

// Token returns a token for key, from the store when it may still be used,
// fetching it for r otherwise; hit reports whether the store served it. A
// stale token (within the expiry margin) is served while a refresh runs in
// the background.
func (m *Cache) Token(ctx context.Context, key string, req *Request) (tok *Token, hit bool, err error) {
	if t, ok := m.store.Load(key); ok {
		switch m.phase(t, m.now()) {
		case tokenFresh:
			return t, true, nil
		case tokenStale:
			m.refreshAhead(ctx, key, req)
			return t, true, nil
		}
	}
	return m.fetch(ctx, key, req)
}

// fetch obtains a token, joining a request already in flight for key. The
// request itself runs detached from ctx so that one caller giving up does not
// fail the others; the caller stops waiting when ctx ends. stored reports
// that no token request was needed after all: the flight found a usable
// token in the store (see run).
func (m *Cache) fetch(ctx context.Context, key string, req *Request) (tok *Token, stored bool, err error) {
	f, err := m.join(ctx, key, req)
	if err != nil {
		return nil, false, err
	}
	select {
	case <-f.done:
		return f.tok, f.stored, f.err
	case <-ctx.Done():
		// Still a failed token request for the caller: errors.As(err, *Error).
		return nil, false, req.fail(0, ctx.Err())
	}
}

// join returns the flight for key: the one in flight, or a new one when a
// slot is free, waiting for one within ctx when none is. While key's last
// failure is remembered, it returns that instead.
func (m *Cache) join(ctx context.Context, key string, req *Request) (*flight, error) {
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
func (m *Cache) start(key string) *flight {
	f := &flight{done: make(chan struct{})}
	m.flights[key] = f
	return f
}

// run is the flight f: it obtains the token, records the outcome and frees
// its slot.
func (m *Cache) run(ctx context.Context, key string, req *Request, f *flight, background bool) {
	defer func() { <-m.slots }()
	// A caller that found no usable token may get here just after the flight
	// that replaced it ended: it uses what that flight stored instead of
	// asking again. A refresh is for a stale token: a fresh one means it was done.
	t, ok := m.store.Load(key)
	if ok {
		ph := m.phase(t, m.now())
		ok = ph == tokenFresh || (ph == tokenStale && !background)
	}
	switch {
	case ok:
		f.tok, f.stored = t, true
	case m.shared != nil:
		// Another process may have the token, or be fetching it (see SharedStore).
		f.tok, f.stored, f.err = m.fetchShared(ctx, m.shared, key, req, background)
	default:
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
func (m *Cache) fetchNow(ctx context.Context, key string, req *Request, background bool) (*Token, error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		start := time.Now()
		tok, err := m.fetcher.FetchToken(ctx, req)
		if err == nil && tok == nil {
			err = req.fail(0, errors.New("the token fetcher returned neither a token nor an error"))
		}
		if err == nil {
			if bad := req.checkIssued(tok); bad != nil {
				tok, err = nil, req.fail(0, bad)
			}
		}
		// Whatever fetched it (a custom Fetcher too), an error that reaches
		// logs, observers and callers holds no form of the secret or subject token.
		err = req.redact(err)
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
		if !again || !retry.Sleep(ctx, wait) {
			return nil, err
		}
	}
}

// complete fills in what the fetcher left out and clamps the token's lifetime.
func (m *Cache) complete(tok *Token) {
	if tok.Obtained.IsZero() {
		tok.Obtained = m.now()
	}
	if tok.Expiry.IsZero() {
		tok.Expiry = tok.Obtained.Add(m.defaultLifetime)
	}
	life := min(max(tok.Expiry.Sub(tok.Obtained), MinLifetime), MaxLifetime)
	tok.Expiry = tok.Obtained.Add(life)
	if tok.header == "" {
		tok.header = tok.Authorization()
	}
}

// tokenFailure says whether a failed token request may succeed when sent
// again (429, 5xx, or no answer because the connection failed), and how long
// the endpoint asked to wait.
func tokenFailure(err error) (retryAfter time.Duration, transient bool) {
	var te *Error
	if errors.As(err, &te) && te.StatusCode != 0 {
		return te.RetryAfter, te.StatusCode == http.StatusTooManyRequests || te.StatusCode >= 500
	}
	transient, _ = retry.TransportFailure(err)
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
		wait = retry.Backoff(tokenRetryBase, maxTokenRetryWait, attempt)
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return 0, false
	}
	return wait, true
}

// settle records the outcome of a flight for key. Called with mu held.
func (m *Cache) settle(key string, err error) {
	now := m.now()
	if err == nil {
		if e := m.states.find(key); e != nil {
			st := e.Value.(*keyState)
			st.failed, st.failures, st.retryAt = nil, 0, time.Time{}
			if now.Sub(st.reauthAt) >= ReauthInterval {
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
func (m *Cache) state(key string) *keyState {
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
func (m *Cache) remembered(key string, req *Request) error {
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
	var prev *Error
	if errors.As(st.failed, &prev) {
		te.StatusCode, te.Code, te.Description, te.URI, te.Hint = prev.StatusCode, prev.Code, prev.Description, prev.URI, prev.Hint
		cause = prev.Err
	}
	te.RetryAfter = st.retryAt.Sub(now)
	what := fmt.Sprintf("the same request failed %s ago (%d in a row), the next is sent in %s",
		now.Sub(st.failedAt).Round(time.Millisecond), st.failures, te.RetryAfter.Round(time.Millisecond))
	if cause != nil {
		te.Err = fmt.Errorf("%w: %s: %w", ErrBackoff, what, cause)
	} else {
		te.Err = fmt.Errorf("%w: %s", ErrBackoff, what)
	}
	return te
}

// refreshAhead starts one background refresh of key unless one runs, the
// key's last failure is still remembered, or every slot is taken (a later
// call starts it then: the token is still usable).
func (m *Cache) refreshAhead(ctx context.Context, key string, req *Request) {
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

// Refused is called when a service refused t, key's token (401), and
// says whether the call is tried once more. The token is forgotten, so that
// the next attempt fetches a new one, at most once per ReauthInterval per
// key; within the interval the refusal stands, unless t was replaced
// meanwhile (by a concurrent call's re-authentication, say): then the call
// is tried with the new token.
func (m *Cache) Refused(key string, t *Token) bool {
	m.reauthMu.Lock()
	defer m.reauthMu.Unlock()
	cur, ok := m.store.Load(key)
	if !ok || cur.AccessToken != t.AccessToken {
		return true
	}
	m.mu.Lock()
	st := m.state(key)
	now := m.now()
	recent := !st.reauthAt.IsZero() && now.Sub(st.reauthAt) < ReauthInterval
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

func (m *Cache) report(ctx context.Context, req *Request, d time.Duration, background bool, err error) {
	if m.onFetch != nil {
		m.onFetch(ctx, req, d, background, err)
	}
}

// Fresh returns key's token when the store holds one that may be used without
// asking anything: not within the expiry margin, judged at now.
func (m *Cache) Fresh(key string, now time.Time) (*Token, bool) {
	t, ok := m.store.Load(key)
	if !ok || m.phase(t, now) != tokenFresh {
		return nil, false
	}
	return t, true
}

// Stats is what a Cache keeps beside its store.
type Stats struct {
	Keys    int // keys with remembered state (failures, re-authentications)
	Flights int // token requests in flight
}

// Stats reports what c keeps beside its store.
func (m *Cache) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Stats{Keys: m.states.len(), Flights: len(m.flights)}
}
