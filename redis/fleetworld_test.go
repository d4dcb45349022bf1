package redis_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"
)

// The fleet test's world, in the test process: a token endpoint that counts
// every request per key and per worker, and a backend that accepts only the
// tokens the endpoint issued, unexpired, for the caller the call names.

const (
	fleetClientID     = "fleet-client"
	fleetClientSecret = "fleet-secret-Hq7x"
	workerHeader      = "X-Fleet-Worker"
	tokenTypeAccess   = "urn:ietf:params:oauth:token-type:access_token"
	grantExchange     = "urn:ietf:params:oauth:grant-type:token-exchange"
)

// fleetUsers are the callers whose tokens are exchanged: a handful, as a
// service sees many calls of few users at a time. Their subject tokens are
// subjectToken(user).
var fleetUsers = []string{"u1", "u2", "u3", "u4", "u5"}

func subjectToken(user string) string { return "subject-token-of-" + user }

// tokenRequest is one request that reached the token endpoint.
type tokenRequest struct {
	Key      string // "cc", or "tx:" and the user
	Worker   string
	At       time.Time
	Answered bool // a token was issued; false: the client went away first (held)
}

type issued struct {
	key    string
	expiry time.Time
}

// tokenEndpoint is an OAuth2 token endpoint (client credentials and RFC 8693
// token exchange) that issues opaque tokens of a fixed lifetime.
type tokenEndpoint struct {
	life time.Duration

	mu     sync.Mutex
	reqs   []tokenRequest
	tokens map[string]issued
	// hold, when set, is asked of every request before it is answered: true
	// holds it until the client goes away (the worker is killed), unanswered.
	hold func(r tokenRequest, answered map[string]int) bool
}

func newTokenEndpoint(life time.Duration) *tokenEndpoint {
	return &tokenEndpoint{life: life, tokens: map[string]issued{}}
}

func (e *tokenEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok || id != fleetClientID || secret != fleetClientSecret {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"invalid_client"}`)
		return
	}
	var key string
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		key = "cc"
	case grantExchange:
		for _, u := range fleetUsers {
			if r.PostForm.Get("subject_token") == subjectToken(u) {
				key = "tx:" + u
			}
		}
	}
	if key == "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_grant"}`)
		return
	}
	req := tokenRequest{Key: key, Worker: r.Header.Get(workerHeader), At: time.Now()}
	e.mu.Lock()
	held := e.hold != nil && e.hold(req, e.answeredLocked())
	if held {
		e.reqs = append(e.reqs, req)
		e.mu.Unlock()
		select { // until the worker dies; never answered
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
		return
	}
	tok := rand.Text()
	req.Answered = true
	e.reqs = append(e.reqs, req)
	e.tokens[tok] = issued{key: key, expiry: time.Now().Add(e.life)}
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	resp := map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(e.life / time.Second)}
	if key != "cc" {
		resp["issued_token_type"] = tokenTypeAccess
	}
	json.NewEncoder(w).Encode(resp)
}

func (e *tokenEndpoint) answeredLocked() map[string]int {
	n := map[string]int{}
	for _, r := range e.reqs {
		if r.Answered {
			n[r.Key]++
		}
	}
	return n
}

// requests returns every request so far, in order of arrival.
func (e *tokenEndpoint) requests() []tokenRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.reqs)
}

func (e *tokenEndpoint) check(tok string) (issued, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.tokens[tok]
	return t, ok
}

// backend answers GET /work/{caller} when the bearer token was issued for
// that caller ("cc" for the service itself, a user for an exchange) and has
// not expired (a second of leeway for clocks and transit, as resource
// servers allow). It counts the calls of each worker.
type backend struct {
	idp *tokenEndpoint

	mu       sync.Mutex
	calls    map[string]int // by worker
	rejected []string       // why, for the first few
	late     int            // tokens used after their expiry, within the leeway
}

const backendLeeway = time.Second

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	caller := strings.TrimPrefix(r.URL.Path, "/work/")
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	t, ok := b.idp.check(tok)
	want := "cc"
	if caller != "cc" {
		want = "tx:" + caller
	}
	now := time.Now()
	b.mu.Lock()
	b.calls[r.Header.Get(workerHeader)]++
	why := ""
	switch {
	case !ok:
		why = "a token the endpoint did not issue"
	case t.key != want:
		why = fmt.Sprintf("a token of %s for a call of %s", t.key, want)
	case now.After(t.expiry.Add(backendLeeway)):
		why = fmt.Sprintf("a token that expired %s before", now.Sub(t.expiry))
	case now.After(t.expiry):
		b.late++
	}
	if why != "" && len(b.rejected) < 10 {
		b.rejected = append(b.rejected, why)
	}
	b.mu.Unlock()
	if why != "" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"ok":true}`)
}

// fleetWorld is the token endpoint and the backend, served on loopback.
type fleetWorld struct {
	idp     *tokenEndpoint
	api     *backend
	idpSrv  *httptest.Server
	apiSrv  *httptest.Server
	started time.Time
}

func newFleetWorld(life time.Duration) *fleetWorld {
	w := &fleetWorld{idp: newTokenEndpoint(life), started: time.Now()}
	w.api = &backend{idp: w.idp, calls: map[string]int{}}
	w.idpSrv = httptest.NewServer(w.idp)
	w.apiSrv = httptest.NewServer(w.api)
	return w
}

func (w *fleetWorld) Close() {
	w.idpSrv.Close()
	w.apiSrv.Close()
}
