package runtime_test

// Tokens and secrets stay where they belong: out of every output, off other
// origins, off plain-http token endpoints, out of cache keys; and what a
// service answers is quoted short.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// leakScanner finds any secret, or any 16-byte piece of one (a truncated
// leak), in a text. Secrets shorter than 16 bytes are looked for whole.
type leakScanner struct {
	windows map[string]string // piece -> name of the secret it comes from
	short   map[string]string
}

const leakWindow = 16

func newLeakScanner() *leakScanner {
	return &leakScanner{windows: map[string]string{}, short: map[string]string{}}
}

func (l *leakScanner) add(name, secret string) {
	if len(secret) < leakWindow {
		if secret != "" {
			l.short[secret] = name
		}
		return
	}
	for i := 0; i+leakWindow <= len(secret); i++ {
		l.windows[secret[i:i+leakWindow]] = name
	}
}

// scan returns a description of each leak found in text.
func (l *leakScanner) scan(text string) []string {
	var found []string
	seen := map[string]bool{}
	report := func(name string, at int) {
		if !seen[name] {
			seen[name] = true
			found = append(found, fmt.Sprintf("%s at byte %d: …%s…", name, at, text[max(0, at-80):min(len(text), at+40)]))
		}
	}
	for i := 0; i+leakWindow <= len(text); i++ {
		if name, ok := l.windows[text[i:i+leakWindow]]; ok {
			report(name, i)
		}
	}
	for s, name := range l.short {
		if i := strings.Index(text, s); i >= 0 {
			report(name, i)
		}
	}
	return found
}

// formattingObserver formats every Record and TokenEvent with %+v as it
// arrives, as a careless metrics or tracing integration might.
type formattingObserver struct {
	mu  sync.Mutex
	out strings.Builder
}

func (o *formattingObserver) ObserveCall(_ context.Context, r *runtime.Record) {
	o.mu.Lock()
	fmt.Fprintf(&o.out, "%+v\n%v\n", *r, r)
	o.mu.Unlock()
}

func (o *formattingObserver) ObserveToken(_ context.Context, e *runtime.TokenEvent) {
	o.mu.Lock()
	fmt.Fprintf(&o.out, "%+v\n%v\n", *e, e)
	o.mu.Unlock()
}

func (o *formattingObserver) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.out.String()
}

// TestNoLeakInAnyOutput complements TestSecretsNeverShow: a mix of successes,
// a 401 and its retry, retried 503s, token errors (from the real provider, and
// from a faulty one that quotes the subject token and the client secret in its
// error_description), response errors from a service that echoes the token it
// got (in a 400, deep in a 1 MB 500 body, in a declared error model),
// exchanges, passthrough, per-call tokens, a redirect to another host and raw
// HTTPClient calls, with a JSON slog handler at debug level, an observer that
// formats everything it gets with %+v, and Middleware writing Server-Timing.
// Everything that comes out is scanned for the client secrets, every subject
// token and every access token the runtime obtained or the service received,
// and for every 16-byte piece of each.
func TestNoLeakInAnyOutput(t *testing.T) {
	auth := startProvider(t, authserver.WithTokenLifetime(2*time.Second))
	foreign := newForeignHost(t)
	a := newAPI(t, auth, "")
	a.anyActor = true
	var flaky atomic.Int64
	a.handle = func(w http.ResponseWriter, r *http.Request, h apiHit) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/echo-400": // a service (or a debugging proxy) that echoes the request
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error":"bad request","you sent":%q}`, h.Auth)
		case "/big-500":
			w.WriteHeader(500)
			io.WriteString(w, strings.Repeat("x", 1000)+h.Auth+strings.Repeat("y", 1<<20)+h.Auth)
		case "/model-422":
			w.WriteHeader(422)
			fmt.Fprintf(w, `{"title":"invalid","detail":"token %s is not allowed here"}`, strings.TrimPrefix(h.Auth, "Bearer "))
		case "/flaky":
			if flaky.Add(1)%2 == 1 {
				w.WriteHeader(503)
				fmt.Fprintf(w, `{"retry":%q}`, h.Auth)
				return
			}
			io.WriteString(w, `{"path":"/flaky"}`)
		case "/redirect":
			http.Redirect(w, r, foreign.URL+"/landing", http.StatusFound)
		default:
			fmt.Fprintf(w, `{"path":%q}`, r.URL.Path)
		}
	}

	logs := &lockedBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	obs := &formattingObserver{}
	var stores []*recordingStore
	build := func(f func(t testing.TB, opts ...runtime.Option) *runtime.Service, opts ...runtime.Option) *runtime.Service {
		st := newRecordingStore()
		stores = append(stores, st)
		return f(t, append([]runtime.Option{runtime.WithLogger(logger), runtime.WithObserver(obs), runtime.WithAuth(runtime.Auth{Tokens: token.Config{Store: st}, TokenURL: auth.TokenURL()}), runtime.WithAuth(runtime.Auth{Tokens: token.Config{ExpiryMargin: time.Second}}),
			runtime.WithRetry(runtime.RetryPolicy{BaseDelay: time.Millisecond})}, opts...)...)
	}
	cc := func(t testing.TB, opts ...runtime.Option) *runtime.Service { return ccService(t, auth, a, opts...) }
	tx := func(g runtime.Grant) func(t testing.TB, opts ...runtime.Option) *runtime.Service {
		return func(t testing.TB, opts ...runtime.Option) *runtime.Service { return txService(t, auth, a, g, opts...) }
	}
	const wrongSecret = "wrong-secret-Pk5Tz8Wq1Nm3"
	svcs := map[string]*runtime.Service{
		"cc": build(cc), "tx": build(tx(runtime.GrantTokenExchange)), "auto": build(tx(runtime.GrantAuto)),
		"pass":  build(tx(runtime.GrantPassthrough)),
		"wrong": build(tx(runtime.GrantTokenExchange), runtime.WithAuth(runtime.Auth{ClientID: authserver.DefaultTXClientID, ClientSecret: wrongSecret})),
	}
	alice, bob := user(t, auth, "alice", nil), user(t, auth, "bob", nil)
	system := user(t, auth, "nightly", map[string]any{"userType": "system"})
	explicit := user(t, auth, "explicit", nil)
	opaque := "opaque-caller-token-" + randomHex(12)

	var mu sync.Mutex
	var outputs []string
	keep := func(s ...string) {
		mu.Lock()
		outputs = append(outputs, s...)
		mu.Unlock()
	}
	keepErr := func(err error) {
		if err == nil {
			return
		}
		keep(err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
		var re *runtime.ResponseError
		if errors.As(err, &re) {
			keep(string(re.Body), fmt.Sprintf("%+v", re.Model), fmt.Sprintf("%#v", re.Model))
		}
		var te *token.Error
		if errors.As(err, &te) {
			keep(te.Code, te.Description, te.URI, fmt.Sprintf("%+v", *te))
		}
	}
	type problem struct {
		Title, Detail string
	}
	opModel := tpgenimpl.Operation{ID: "getOrder", Method: "GET", Path: "/{name}", Params: []tpgenimpl.Param{{Name: "name"}}, Responses: []tpgenimpl.ResponseSpec{
		{Code: 200, Success: true, Body: tpgenimpl.BodyJSON},
		{Code: 422, Body: tpgenimpl.BodyJSON, Model: func() any { return new(problem) }},
	}}
	app := httptest.NewServer(runtime.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		svc := svcs[q.Get("svc")]
		ctx := r.Context()
		if tok := q.Get("with-token"); tok != "" {
			ctx = runtime.ContextWithCallOptions(ctx, runtime.CallToken(tok))
		}
		var err error
		switch q.Get("how") {
		case "raw":
			req, _ := http.NewRequestWithContext(ctx, "GET", a.URL+q.Get("path"), nil)
			var resp *http.Response
			if resp, err = svc.HTTPClient().Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		case "model":
			var out echo
			err = tpgenimpl.Invoke(ctx, svc, &opModel, nil, nil, nil, &out, strings.TrimPrefix(q.Get("path"), "/"))
		default:
			var re *runtime.ResponseError
			if _, re, err = callStatus(ctx, svc, q.Get("path")); re != nil {
				err = re
			}
		}
		keepErr(err)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway) // as an application would
			return
		}
		io.WriteString(w, "ok")
	}), runtime.MiddlewareConfig{ServerTiming: allowAll, ServerTimingUnasked: true}))
	defer app.Close()
	call := func(svc, caller, path string, extra ...string) {
		t.Helper()
		u := app.URL + "?svc=" + svc + "&path=" + path + strings.Join(extra, "")
		req, _ := http.NewRequest("GET", u, nil)
		if caller != "" {
			req.Header.Set("Authorization", "Bearer "+caller)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		keep(string(body), fmt.Sprint(resp.Header))
	}

	// Successes of every grant, twice (the second from the cache).
	for range 2 {
		call("cc", "", "/orders/1")
		call("tx", alice, "/orders/1")
		call("tx", bob, "/orders/1")
		call("tx", opaque, "/orders/1")
		call("auto", alice, "/orders/1")
		call("auto", system, "/orders/1")
		call("pass", alice, "/orders/1")
		call("cc", "", "/orders/1", "&with-token="+explicit)
	}
	// A 401 and the retry with a fresh token.
	a.mu.Lock()
	a.revokeNext = 1
	a.mu.Unlock()
	call("cc", "", "/orders/2")
	// Response errors that quote the token the service got.
	for _, svc := range []struct{ name, caller string }{{"cc", ""}, {"tx", alice}, {"pass", alice}} {
		call(svc.name, svc.caller, "/echo-400")
		call(svc.name, svc.caller, "/big-500")
		call(svc.name, svc.caller, "/model-422", "&how=model")
		call(svc.name, svc.caller, "/flaky")
		call(svc.name, svc.caller, "/flaky")
	}
	// Raw calls, a redirect to another host among them.
	for _, path := range []string{"/orders/3", "/redirect", "/echo-400"} {
		call("cc", "", path, "&how=raw")
		call("pass", alice, path, "&how=raw")
	}
	call("cc", "", "/redirect")
	// Token errors: the real provider refusing a wrong secret; an endpoint that
	// quotes the subject token and the client secret back; a 503; a 200 that
	// holds a token-like value where a number belongs; no caller token at all.
	call("wrong", alice, "/orders/1")
	for _, f := range []struct {
		fault    authserver.Fault
		exchange bool // only what an exchange sends can come back
	}{
		{authserver.Fault{Status: 400, Body: fmt.Sprintf(`{"error":"invalid_grant","error_description":"subject_token %s refused for client %s with secret %s","error_uri":"https://idp/errors?token=%s"}`,
			alice, authserver.DefaultTXClientID, authserver.DefaultTXClientSecret, alice)}, true},
		{authserver.Fault{Status: 503, Body: `{"error":"temporarily_unavailable"}`}, false},
		{authserver.Fault{Status: 200, ContentType: "application/x-www-form-urlencoded", Body: "access_token=" + bob + "&expires_in=" + bob}, false},
	} {
		auth.SetFault(f.fault)
		svcs["cold"] = build(tx(runtime.GrantTokenExchange))
		call("cold", alice, "/orders/1")
		if !f.exchange {
			svcs["coldcc"] = build(cc)
			call("coldcc", "", "/orders/1")
		}
	}
	auth.Reset()
	call("tx", "", "/orders/1")
	// A background refresh of a stale token (2 s tokens, refreshed in the last
	// second): calls until one has happened. A call must land in the 0.8 s
	// between a token's refresh point and its use-by point; on a loaded machine
	// (-race beside other packages) calls can be slow enough to miss several
	// windows, so the bound is generous: the loop ends at the first refresh.
	for end := time.Now().Add(time.Minute); time.Now().Before(end) && !strings.Contains(obs.String(), "Background:true"); {
		call("cc", "", "/orders/4")
		call("tx", alice, "/orders/4")
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // background refreshes log and report too

	logger.Info("caller logs runtime values",
		"request", &token.Request{Grant: token.TokenExchange, ClientID: "x", ClientSecret: authserver.DefaultTXClientSecret, SubjectToken: alice},
		"token", &token.Token{AccessToken: alice, TokenType: "Bearer"})
	keep(logs.String(), obs.String())

	scanner := newLeakScanner()
	secrets := map[string]string{
		"cc client secret": authserver.DefaultCCClientSecret, "tx client secret": authserver.DefaultTXClientSecret, "wrong secret": wrongSecret,
		"alice's token": alice, "bob's token": bob, "system token": system, "explicit token": explicit, "opaque token": opaque,
	}
	received := a.tokens()
	for i, tok := range received {
		secrets[fmt.Sprintf("access token %d received by the service", i)] = tok
	}
	obtained := 0
	for si, st := range stores {
		for i, tok := range st.Values() {
			secrets[fmt.Sprintf("access token %d of store %d", i, si)] = tok
			obtained++
		}
	}
	for name, s := range secrets {
		scanner.add(name, s)
	}
	all := strings.Join(outputs, "\n")
	for _, want := range []string{
		"tpgen: call", "tpgen: call failed", "tpgen: token obtained", "tpgen: token request failed", "Background:true",
		"app;dur=", "auth-cc;dur=", "auth-tx;dur=", "Attempts:2", "invalid_client", "invalid_grant", "temporarily_unavailable",
		"400 Bad Request", "500 Internal Server Error", "422 Unprocessable Entity", "invalid expires_in", "no caller token",
		"[redacted]", "Title:invalid",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the run produced no %q: the scan would prove less than it should", want)
		}
	}
	if len(foreign.Auths()) < 3 {
		t.Errorf("the redirects did not happen: %d", len(foreign.Auths()))
	}
	for _, v := range foreign.Auths() {
		if v != "" {
			t.Error("the foreign host got an Authorization header")
		}
	}
	for _, leak := range scanner.scan(all) {
		t.Errorf("leak: %s", leak)
	}
	t.Logf("scanned %d bytes of output (%d outputs) for %d secrets (%d access tokens received by the service, %d obtained by the runtime) and every 16-byte piece of each",
		len(all), len(outputs), len(secrets), len(received), obtained)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// dualServer serves plain HTTP and HTTPS on one loopback port (the first byte
// of a connection tells a TLS handshake from a request), so that a redirect can
// change the scheme and nothing else.
type dualServer struct {
	tls   *httptest.Server
	plain *http.Server
	port  string
	mu    sync.Mutex
	hits  []dualHit
}

type dualHit struct {
	URL  string // scheme://host/path as received
	Auth string
}

// chanListener is a net.Listener fed by a channel.
type chanListener struct {
	addr net.Addr
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *chanListener) Addr() net.Addr { return l.addr }

// peekedConn is a connection whose first bytes were read into r.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func newDualServer(t *testing.T) *dualServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &dualServer{}
	_, d.port, _ = net.SplitHostPort(ln.Addr().String())
	tlsL := &chanListener{addr: ln.Addr(), ch: make(chan net.Conn), done: make(chan struct{})}
	plainL := &chanListener{addr: ln.Addr(), ch: make(chan net.Conn), done: make(chan struct{})}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				br := bufio.NewReader(c)
				b, err := br.Peek(1)
				if err != nil {
					c.Close()
					return
				}
				target := plainL
				if b[0] == 0x16 { // TLS handshake record
					target = tlsL
				}
				select {
				case target.ch <- &peekedConn{Conn: c, r: br}:
				case <-target.done:
					c.Close()
				}
			}()
		}
	}()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		d.mu.Lock()
		d.hits = append(d.hits, dualHit{URL: scheme + "://" + r.Host + r.URL.Path, Auth: r.Header.Get("Authorization")})
		d.mu.Unlock()
		if to := r.URL.Query().Get("to"); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		io.WriteString(w, "landed")
	})
	d.tls = httptest.NewUnstartedServer(handler)
	d.tls.Listener.Close()
	d.tls.Listener = tlsL
	d.tls.StartTLS()
	d.plain = &http.Server{Handler: handler}
	go d.plain.Serve(plainL)
	t.Cleanup(func() {
		ln.Close()
		d.plain.Close()
		d.tls.Close()
	})
	return d
}

func (d *dualServer) Hits() []dualHit {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]dualHit(nil), d.hits...)
}

// TestRedirectKeepsTokenOnItsOrigin: on a redirect, Authorization goes on only
// to the service's own origin (scheme, host and port, as in RFC 6454): it is
// dropped for another port of the same host, another name of the same
// server, an https to http downgrade on the same host and port, and (a
// decision: the origin changes) an http to https upgrade. net/http alone
// would keep it in all but the host name case, as it compares host names only.
// Through a generated method and through HTTPClient alike.
func TestRedirectKeepsTokenOnItsOrigin(t *testing.T) {
	d := newDualServer(t)
	other := newForeignHost(t)
	httpsBase, httpBase := "https://127.0.0.1:"+d.port, "http://127.0.0.1:"+d.port
	cases := []struct {
		name, base, to string
		keep           bool
	}{
		{"same origin, https", httpsBase, httpsBase + "/landing", true},
		{"same origin, http", httpBase, httpBase + "/landing", true},
		{"https to http, same host and port", httpsBase, httpBase + "/landing", false},
		{"http to https, same host and port", httpBase, httpsBase + "/landing", false},
		{"another name of the same server", httpBase, "http://localhost:" + d.port + "/landing", false},
		{"same host, another port", httpBase, other.URL + "/landing", false},
	}
	const token = "tok-redirect-7d1f4c9e2b8a6f30"
	for _, c := range cases {
		for _, raw := range []bool{false, true} {
			name := c.name + "/method"
			if raw {
				name = c.name + "/HTTPClient"
			}
			t.Run(name, func(t *testing.T) {
				svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(c.base), runtime.WithHTTPClient(d.tls.Client()))
				ctx := runtime.ContextWithCallOptions(context.Background(), runtime.CallToken(token))
				before, otherBefore := len(d.Hits()), len(other.Auths())
				if raw {
					req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/start?to="+c.to, nil)
					resp, err := svc.HTTPClient().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
				} else {
					op := &tpgenimpl.Operation{ID: "start", Method: "GET", Path: "/start",
						Params:    []tpgenimpl.Param{{Name: "to", In: tpgenimpl.InQuery, Style: tpgenimpl.StyleForm, Explode: true}},
						Responses: []tpgenimpl.ResponseSpec{{Success: true}}}
					if err := tpgenimpl.Invoke(ctx, svc, op, nil, &struct{ To *string }{&c.to}, nil, nil); err != nil {
						t.Fatal(err)
					}
				}
				hits := d.Hits()[before:]
				var landing string
				var landed bool
				if strings.HasPrefix(c.to, other.URL) {
					auths := other.Auths()[otherBefore:]
					landed = len(auths) == 1
					if landed {
						landing = auths[0]
					}
				} else if len(hits) == 2 {
					landed, landing = true, hits[1].Auth
				}
				if len(hits) < 1 || hits[0].Auth != "Bearer "+token {
					t.Fatalf("the service did not get the token: %+v", hits)
				}
				if !landed {
					t.Fatalf("the redirect was not followed: %+v", hits)
				}
				if got := landing == "Bearer "+token; got != c.keep {
					t.Errorf("redirect target got Authorization %q; want it kept: %v", landing, c.keep)
				}
			})
		}
	}
}

// TestTokenEndpointMustBeHTTPS: client secrets and tokens go to a token
// endpoint or issuer over https, or plain http on loopback, or anywhere with
// token.Config.AllowInsecureHTTP; NewService refuses the rest, and so does the call when
// discovery names a plain-http token endpoint.
func TestTokenEndpointMustBeHTTPS(t *testing.T) {
	base := runtime.ServiceConfig{Name: "orders", BaseURL: "https://orders.example.com", Grant: runtime.GrantClientCredentials}
	for _, c := range []struct {
		url      string
		issuer   bool
		insecure bool
		ok       bool
	}{
		{url: "https://idp.example.com/token", ok: true},
		{url: "http://localhost:8080/token", ok: true},
		{url: "http://idp.localhost/token", ok: true},
		{url: "http://127.0.0.5/token", ok: true},
		{url: "http://[::1]:9000/token", ok: true},
		{url: "http://idp.example.com/token"},
		{url: "http://127.0.0.1.nip.io/token"},
		{url: "http://localhost.example.com/token"},
		{url: "http://10.0.0.1/token"},
		{url: "http://0.0.0.0:8080/token"},
		{url: "http://[::ffff:10.0.0.1]/token"},
		{url: "ftp://idp.example.com/token"},
		{url: "/token"},
		{url: "http://idp.example.com/token", insecure: true, ok: true},
		{url: "http://idp.example.com", issuer: true},
		{url: "http://idp.example.com", issuer: true, insecure: true, ok: true},
		{url: "https://idp.example.com", issuer: true, ok: true},
	} {
		opts := []runtime.Option{runtime.WithLookupEnv(noEnv), runtime.WithAuth(runtime.Auth{ClientID: "id", ClientSecret: "secret-value-x"})}
		if c.issuer {
			opts = append(opts, runtime.WithAuth(runtime.Auth{Issuer: c.url}))
		} else {
			opts = append(opts, runtime.WithAuth(runtime.Auth{TokenURL: c.url}))
		}
		if c.insecure {
			opts = append(opts, runtime.WithAuth(runtime.Auth{Tokens: token.Config{AllowInsecureHTTP: true}}))
		}
		_, err := runtime.NewService(base, opts...)
		if (err == nil) != c.ok {
			t.Errorf("%s (issuer %v, insecure %v): error %v, want ok=%v", c.url, c.issuer, c.insecure, err, c.ok)
		}
		if err != nil && strings.Contains(err.Error(), "secret-value-x") {
			t.Errorf("error shows the secret: %v", err)
		}
	}
	// The environment is held to the same rule.
	_, err := runtime.NewService(base, envMap(map[string]string{"TPGEN_ORDERS_TOKEN_URL": "http://idp.example.com/token",
		"TPGEN_ORDERS_CLIENT_ID": "id", "TPGEN_ORDERS_CLIENT_SECRET": "s"}))
	if err == nil || !strings.Contains(err.Error(), "TPGEN_ORDERS_INSECURE_TOKEN_HOSTS") {
		t.Errorf("TPGEN_ORDERS_TOKEN_URL over plain http: %v", err)
	}

	// Discovery at a loopback issuer that names a plain-http token endpoint
	// elsewhere: refused at the call, before any token request. With
	// AllowInsecureHTTP the same endpoint is used (the name is resolved to
	// the local provider by the token client's dialer, as a hosts file would).
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	const remote = "idp.example.test:80"
	var discoveries atomic.Int64
	issuerPath := "/tenant-" + randomHex(6) // discovery is cached per issuer and process
	disco := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		discoveries.Add(1)
		if r.URL.Path != issuerPath+"/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"issuer": "http://" + r.Host + issuerPath, "token_endpoint": "http://" + remote + authserver.TokenPath})
	}))
	defer disco.Close()
	var dials atomic.Int64
	providerAddr := strings.TrimPrefix(auth.Issuer(), "http://")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == remote {
			dials.Add(1)
			addr = providerAddr
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	defer tr.CloseIdleConnections()
	for _, insecure := range []bool{false, true} {
		opts := []runtime.Option{runtime.WithAuth(runtime.Auth{
			Issuer:   disco.URL + issuerPath,
			TokenURL: "",
			Tokens:   token.Config{HTTPClient: &http.Client{Transport: tr}},
		})}
		if insecure {
			opts = append(opts, runtime.WithAuth(runtime.Auth{Tokens: token.Config{AllowInsecureHTTP: true}}))
		}
		svc := ccService(t, auth, a, opts...)
		_, err := getOrder(context.Background(), svc, "1")
		if insecure {
			if err != nil || dials.Load() == 0 {
				t.Errorf("with AllowInsecureHTTP: %v (%d dials)", err, dials.Load())
			}
			continue
		}
		te := asTokenError(t, err)
		if !strings.Contains(err.Error(), "plain http") || te.TokenURL != disco.URL+issuerPath || dials.Load() != 0 || auth.TokenRequests() != 0 {
			t.Errorf("discovered plain-http endpoint: %v (%d dials, %d token requests)", err, dials.Load(), auth.TokenRequests())
		}
	}
}

// TestCacheKeysHideSubjectTokens: the keys a token.Store is given for
// exchanged tokens hold neither the caller's token nor any 16-byte piece of it
// (nor the client secret), yet tell callers apart: one key per caller, the
// same on every call.
func TestCacheKeysHideSubjectTokens(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.anyActor = true
	subjects := map[string]string{
		"alice": user(t, auth, "alice", nil), "bob": user(t, auth, "bob", nil),
		"opaque": "opaque-" + randomHex(20), "short opaque": "tok-" + randomHex(3),
	}
	system := user(t, auth, "nightly", map[string]any{"userType": "system"})
	for _, grant := range []runtime.Grant{runtime.GrantTokenExchange, runtime.GrantAuto} {
		t.Run(grant.String(), func(t *testing.T) {
			store := newRecordingStore()
			svc := txService(t, auth, a, grant, runtime.WithAuth(runtime.Auth{TokenURL: auth.TokenURL(), Tokens: token.Config{Store: store}}))
			scanner := newLeakScanner()
			scanner.add("client secret", authserver.DefaultTXClientSecret)
			keyOf := map[string]string{}
			for name, tok := range subjects {
				scanner.add(name, tok)
				for range 2 {
					before := store.Keys()
					if _, err := getOrder(runtime.ContextWithCallerToken(context.Background(), tok), svc, "1"); err != nil {
						t.Fatal(err)
					}
					for _, k := range store.Keys() {
						if !contains(before, k) {
							if keyOf[name] != "" {
								t.Errorf("%s's second call used another key", name)
							}
							keyOf[name] = k
						}
					}
				}
			}
			scanner.add("system token", system)
			// auto: client credentials for a system caller; exchange: exchanged like any other.
			if _, err := getOrder(runtime.ContextWithCallerToken(context.Background(), system), svc, "1"); err != nil {
				t.Errorf("system caller: %v", err)
			}
			keys := store.Keys()
			seen := map[string]bool{}
			for name, k := range keyOf {
				if k == "" || seen[k] {
					t.Errorf("%s has no key of its own", name)
				}
				seen[k] = true
			}
			for _, leak := range scanner.scan(strings.Join(keys, "\n")) {
				t.Errorf("cache key leak: %s", leak)
			}
			t.Logf("%d keys, e.g. %q", len(keys), keyOf["alice"])
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestErrorsQuoteShortly: a 1 MB error body, with control characters, invalid
// UTF-8 and the token the call carried, makes an error whose message stays
// short, on one line, and without the token; the body kept is capped; the
// log line is short too. A token endpoint's long error_description is capped
// too (at 600 bytes: its start and its end, where providers give advice).
func TestErrorsQuoteShortly(t *testing.T) {
	const token = "tok-errbody-5e8c2a7f9d1b3e6a"
	body := "line one\nline two\r\n\x1b[31mred\x00\xff\xfe" + token + strings.Repeat("é", 1<<19) // about 1 MB
	srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(500)
		io.WriteString(w, body)
	})
	logs := &lockedBuffer{}
	svc, _ := plainService(t, srv.URL, runtime.WithRetry(runtime.NoRetry),
		runtime.WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, re, err := callStatus(runtime.ContextWithCallOptions(context.Background(), runtime.CallToken(token)), svc, "/orders/1")
	if re == nil {
		t.Fatal(err)
	}
	var e error = re
	msg := e.Error()
	// The quote goes on past the invalid bytes (to the redacted token and beyond), cut at 200 bytes.
	if len(msg) > 400 || len(msg) < 250 || strings.ContainsFunc(msg, unicode.IsControl) || strings.Contains(msg, token) ||
		!strings.Contains(msg, "red ?[redacted]é") || !strings.HasSuffix(msg, "é…") {
		t.Errorf("Error() is %d bytes: %q", len(msg), msg)
	}
	if len(re.Body) > runtime.MaxErrorBody || strings.Contains(string(re.Body), token) || !strings.Contains(string(re.Body), "[redacted]") {
		t.Errorf("Body is %d bytes: %q", len(re.Body), re.Body)
	}
	if n := len(logs.String()); n > 2048 || strings.Contains(logs.String(), token) {
		t.Errorf("log is %d bytes: %s", n, logs.String())
	}
	t.Logf("1 MB error body: Error() %d bytes, Body %d bytes, log line %d bytes: %s", len(msg), len(re.Body), len(logs.String()), msg)

	// A token endpoint's error fields are capped.
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	auth.SetFault(authserver.Fault{Status: 400, Body: fmt.Sprintf(`{"error":%q,"error_description":%q}`, strings.Repeat("e", 10000), strings.Repeat("d\n", 1<<18))})
	_, err = getOrder(context.Background(), ccService(t, auth, a, runtime.WithAuth(runtime.Auth{TokenURL: auth.TokenURL()})), "1")
	if te := asTokenError(t, err); len(err.Error()) > 1000 || len(te.Code) > 110 || len(te.Description) > 610 || strings.ContainsFunc(err.Error(), unicode.IsControl) {
		t.Errorf("token.Error is %d bytes (code %d, description %d): %q", len(err.Error()), len(te.Code), len(te.Description), err.Error())
	}
}
