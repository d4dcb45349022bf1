package token

import "context"

// SharedStore is a Store that several processes share (a Redis store, say)
// and through which they agree on who fetches a token, so that a fleet of
// replicas makes one token request per key where each replica would have made
// its own. A Cache whose Store implements it asks Claim, in its single flight
// for a key, before every token request; with any other Store nothing changes.
//
// Load is the warm path and should be served from the process's memory; Claim
// is where the shared part is consulted: when this process has no token it may
// use, or when its token is due for refresh.
type SharedStore interface {
	Store
	// Claim returns a token for key that another process stored and usable
	// accepts (Claim keeps it for Load), or else the Lease: the right to fetch
	// key's token for the fleet. While another process holds the lease, Claim
	// waits, within ctx, for the token it stores; a lease whose holder died
	// expires after a bounded time, and one of the waiting processes gets it.
	//
	// An error says the store cannot coordinate now (unreachable, slow, ctx
	// ended): the Cache then fetches on its own, as with a store of its own
	// process, and stores the token with Store, which a store that is down
	// keeps in memory only. Claim must bound its own wait when ctx does not.
	Claim(ctx context.Context, key string, usable func(*Token) bool) (Claim, error)
}

// Claim is what SharedStore.Claim found: a usable token, or a Lease.
type Claim struct {
	// Token is another process's token, nil when Lease is set.
	Token *Token
	// Waited says that Token arrived while this process waited for
	// another's token request: a call that needed it waited for a fetch.
	Waited bool
	// Lease is this process's right to fetch; the Cache fetches, stores the
	// token (Store) and then releases it, also when the fetch failed.
	Lease Lease
}

// Lease is one process's right to fetch a key's token for the fleet.
type Lease interface {
	// Release gives the right back, after the token was stored, so that the
	// processes waiting for it find it when the lease goes.
	Release()
}

// SharedStats is what a SharedStore has done for the process it serves, in
// a form every store can give and metrics can read (package
// github.com/tpgen/tpgen/otel reports it). A store offers it with a method
// SharedStats() SharedStats.
type SharedStats struct {
	// Available says that the store answered its last operation (or was not
	// asked yet); while it is false, the process fetches its own tokens.
	Available bool
	// Outages counts the times the store became unavailable, Recoveries the
	// times it answered again.
	Outages, Recoveries int64
	// Fallbacks counts the Claims that failed or were not sent because the
	// store was unavailable: token requests made without the fleet.
	Fallbacks int64
	// Leases counts the leases this process got: token requests it made for the fleet.
	Leases int64
	// Shared counts tokens taken from the store instead of a token request;
	// Waited, those among them that another process was fetching.
	Shared, Waited int64
	// Errors counts failed operations of the store.
	Errors int64
}

// fetchShared obtains key's token through a SharedStore: a token another
// process stored, or a token request of this process made under the fleet's
// lease, or one made alone when the store cannot coordinate. stored reports
// that no call of this process waited for a token request.
func (m *Cache) fetchShared(ctx context.Context, ss SharedStore, key string, req *Request, background bool) (tok *Token, stored bool, err error) {
	usable := func(t *Token) bool {
		ph := m.phase(t, m.now())
		return ph == tokenFresh || (ph == tokenStale && !background)
	}
	// The wait for another process is bounded as a fetch of this one would be.
	wctx, cancel := context.WithTimeout(ctx, m.timeout)
	c, err := ss.Claim(wctx, key, usable)
	cancel()
	switch {
	case err != nil:
		// The store cannot say who fetches: this process does, as it would alone.
		tok, err = m.fetchNow(ctx, key, req, background)
		return tok, false, err
	case c.Token != nil:
		return c.Token, !c.Waited, nil
	case c.Lease == nil:
		// A store that returned neither: fetch, as when it is down.
		tok, err = m.fetchNow(ctx, key, req, background)
		return tok, false, err
	}
	defer c.Lease.Release()
	tok, err = m.fetchNow(ctx, key, req, background)
	return tok, false, err
}

// Restore returns t, a token read back from where a Store persists tokens
// (decoded from JSON, say), ready to be served to calls from memory: its
// Authorization value is built once here rather than on every call. Call it
// before t is shared with other goroutines.
func Restore(t *Token) *Token {
	if t.header == "" {
		t.header = t.Authorization()
	}
	return t
}
