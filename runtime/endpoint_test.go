package runtime_test

// Client secrets and subject tokens go to the configured token endpoint only:
// no redirects are followed, discovery documents count only when they name the
// configured issuer and come from its origin, and each service's https rule
// holds for endpoints another service discovered.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// catcher is a server that must receive nothing of value: it records every
// request, and answers token requests with a token, so that a client that
// talks to it is not stopped by an error.
type catcher struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []string // method, path, Authorization and body of each request
}

func newCatcher(t testing.TB) *catcher {
	c := &catcher{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.reqs = append(c.reqs, r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization")+" body="+string(body))
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"caught-token","token_type":"Bearer","expires_in":300}`)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *catcher) Requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.reqs...)
}

// posts returns the POST requests the catcher received: token requests.
func (c *catcher) posts() []string {
	var out []string
	for _, r := range c.Requests() {
		if strings.HasPrefix(r, "POST ") {
			out = append(out, r)
		}
	}
	return out
}

const (
	redirectSecret  = "redirect-secret-Zq81/+=x"
	redirectSubject = "redirect-subject-token-4Hn7c2Lp"
)

// TestTokenRequestsFollowNoRedirect performs the attack: a token endpoint (over
// https) answers 301, 302, 307 or 308 pointing to another server (over plain
// http), or to another path of its own. With client_secret_post and
// client_secret_basic, for client credentials and token exchange: the
// other server receives nothing, the endpoint one request, and the call fails
// with a token.Error that says why.
func TestTokenRequestsFollowNoRedirect(t *testing.T) {
	other := newCatcher(t)
	var endpointHits atomic.Int64
	var target atomic.Value // where the endpoint redirects to
	endpoint := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/token" {
			w.WriteHeader(200)
			io.WriteString(w, `{"access_token":"same-origin-token","expires_in":300}`)
			return
		}
		endpointHits.Add(1)
		code := 307
		if c := r.URL.Query().Get("code"); c != "" {
			code = map[string]int{"301": 301, "302": 302, "307": 307, "308": 308}[c]
		}
		http.Redirect(w, r, target.Load().(string), code)
	}))
	defer endpoint.Close()
	for _, code := range []string{"301", "302", "307", "308"} {
		for _, to := range []string{"other origin, plain http", "same origin"} {
			for _, how := range []struct {
				name  string
				grant runtime.Grant
				auth  token.ClientAuth
			}{
				{"client_credentials/post", runtime.GrantClientCredentials, token.ClientSecretPost},
				{"client_credentials/basic", runtime.GrantClientCredentials, token.ClientSecretBasic},
				{"token_exchange/post", runtime.GrantTokenExchange, token.ClientSecretPost},
			} {
				t.Run(code+"/"+to+"/"+how.name, func(t *testing.T) {
					if to == "same origin" {
						target.Store(endpoint.URL + "/elsewhere")
					} else {
						target.Store(other.URL + "/token")
					}
					svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL("https://orders.example.test"),
						runtime.WithAuth(runtime.Auth{
							Grant:        how.grant,
							ClientAuth:   how.auth,
							ClientID:     "client-1",
							ClientSecret: redirectSecret,
							TokenURL:     endpoint.URL + "/token?code=" + code,
							Tokens:       token.Config{HTTPClient: endpoint.Client()},
						}))
					before, otherBefore := endpointHits.Load(), len(other.Requests())
					_, err := getOrder(runtime.ContextWithCallerToken(context.Background(), redirectSubject), svc, "1")
					te := asTokenError(t, err)
					if fmt.Sprint(te.StatusCode) != code || !strings.Contains(err.Error(), "redirected to") {
						t.Errorf("error does not say what happened: %v", err)
					}
					if got := endpointHits.Load() - before; got != 1 {
						t.Errorf("the endpoint got %d requests, want 1", got)
					}
					if got := other.Requests()[otherBefore:]; len(got) != 0 {
						t.Errorf("the redirect target received %q", got)
					}
					for _, s := range []string{redirectSecret, redirectSubject} {
						if strings.Contains(err.Error(), s) {
							t.Errorf("the error shows %q", s)
						}
					}
				})
			}
		}
	}
}

// discoveryServer serves issuer metadata on loopback: doc(r) is the document
// for OIDC discovery at path+"/.well-known/openid-configuration"; anything
// else is 404.
func discoveryServer(t testing.TB, path string, doc func(base string) map[string]string) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path+"/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc(srv.URL))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestDiscoveryIssuerMustMatch: a discovery document that names another
// issuer than the configured one is not used (OIDC Discovery §4.3, RFC 8414
// §3.3), and the client secret never reaches the token endpoint it names.
// The comparison is exact, trailing slash included: an issuer written with a
// slash (as zitadel's is) works when its document says so too.
func TestDiscoveryIssuerMustMatch(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	evil := newCatcher(t)
	cases := []struct {
		name       string
		configured string // relative to the discovery server: "/path" or "/path/"
		named      func(base, path string) string
		endpoint   func() string
		ok         bool
	}{
		{"another issuer", "", func(string, string) string { return "https://idp.other.example" }, func() string { return evil.URL + "/token" }, false},
		{"another issuer on the same server", "", func(base, path string) string { return base + "/other-tenant" }, func() string { return evil.URL + "/token" }, false},
		{"no issuer", "", func(string, string) string { return "" }, func() string { return evil.URL + "/token" }, false},
		{"configured without slash, named with", "", func(base, path string) string { return base + path + "/" }, func() string { return evil.URL + "/token" }, false},
		{"configured with slash, named without", "/", func(base, path string) string { return base + path }, func() string { return evil.URL + "/token" }, false},
		{"both with slash", "/", func(base, path string) string { return base + path + "/" }, auth.TokenURL, true},
		{"identical", "", func(base, path string) string { return base + path }, auth.TokenURL, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := "/tenant-" + randomHex(6) // discovery is cached per issuer and process
			disco := discoveryServer(t, path, func(base string) map[string]string {
				return map[string]string{"issuer": c.named(base, path), "token_endpoint": c.endpoint()}
			})
			svc := ccService(t, auth, a, runtime.WithAuth(runtime.Auth{TokenURL: "", Issuer: disco.URL + path + c.configured}))
			_, err := getOrder(context.Background(), svc, "1")
			if c.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if te := asTokenError(t, err); !strings.Contains(err.Error(), "names issuer") || te.TokenURL != disco.URL+path+c.configured {
				t.Errorf("error %v", err)
			}
			if got := evil.posts(); len(got) != 0 {
				t.Fatalf("the token endpoint of a document naming another issuer received %q", got)
			}
		})
	}
	// RFC 8414 metadata (the fallback when there is no OIDC document) is held to the same rule.
	path := "/as-" + randomHex(6)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/oauth-authorization-server"+path {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL + "/elsewhere", "token_endpoint": evil.URL + "/token"})
	}))
	defer srv.Close()
	_, err := getOrder(context.Background(), ccService(t, auth, a, runtime.WithAuth(runtime.Auth{TokenURL: "", Issuer: srv.URL + path})), "1")
	if err == nil || !strings.Contains(err.Error(), "names issuer") || len(evil.posts()) != 0 {
		t.Errorf("RFC 8414 metadata naming another issuer: %v; token requests to its endpoint: %q", err, evil.posts())
	}
}

// TestDiscoveryFollowsNoRedirectToAnotherOrigin: the issuer's metadata counts
// only from the issuer's origin. A redirect elsewhere, to a server whose
// document copies the issuer's name and names its own token endpoint, is
// refused; a redirect within the origin is followed.
func TestDiscoveryFollowsNoRedirectToAnotherOrigin(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	evil := newCatcher(t)
	path := "/tenant-" + randomHex(6)
	var issuer string
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "token_endpoint": evil.URL + "/token"})
	}))
	defer mirror.Close()
	var disco *httptest.Server
	disco = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case path + "/.well-known/openid-configuration":
			http.Redirect(w, r, mirror.URL+"/doc", http.StatusFound)
		case "/same" + path + "/.well-known/openid-configuration":
			http.Redirect(w, r, "/doc", http.StatusFound)
		case "/doc":
			json.NewEncoder(w).Encode(map[string]string{"issuer": disco.URL + "/same" + path, "token_endpoint": auth.TokenURL()})
		default:
			http.NotFound(w, r)
		}
	}))
	defer disco.Close()
	issuer = disco.URL + path
	_, err := getOrder(context.Background(), ccService(t, auth, a, runtime.WithAuth(runtime.Auth{TokenURL: "", Issuer: issuer})), "1")
	if err == nil || !strings.Contains(err.Error(), "another origin") || len(evil.posts()) != 0 {
		t.Errorf("redirect to another origin: %v; token requests there: %q", err, evil.posts())
	}
	if _, err := getOrder(context.Background(), ccService(t, auth, a, runtime.WithAuth(runtime.Auth{TokenURL: "", Issuer: disco.URL + "/same" + path})), "1"); err != nil {
		t.Errorf("redirect within the origin: %v", err)
	}
}

// TestDiscoveryCacheKeepsEachServicesRule performs the attack on the shared
// discovery cache: a service allowed plain http (token.Config.AllowInsecureHTTP)
// discovers issuer X, whose document names a plain-http token endpoint on a
// host that is not loopback; a strict service with the same issuer must not
// send its secret there, although the document is cached.
func TestDiscoveryCacheKeepsEachServicesRule(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	const remote = "idp.example.test:80" // resolved to the provider by the token client's dialer
	path := "/tenant-" + randomHex(6)
	disco := discoveryServer(t, path, func(base string) map[string]string {
		return map[string]string{"issuer": base + path, "token_endpoint": "http://" + remote + authserver.TokenPath}
	})
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
	opts := []runtime.Option{runtime.WithAuth(runtime.Auth{
		Issuer:   disco.URL + path,
		TokenURL: "",
		Tokens:   token.Config{HTTPClient: &http.Client{Transport: tr}},
	})}
	lax := ccService(t, auth, a, append(opts, runtime.WithAuth(runtime.Auth{Tokens: token.Config{AllowInsecureHTTP: true}}))...)
	strict := ccService(t, auth, a, append(opts, runtime.WithAuth(runtime.Auth{ClientID: authserver.DefaultCCClientID, ClientSecret: "strict-secret-Jw4q"}))...)
	if _, err := getOrder(context.Background(), lax, "1"); err != nil || dials.Load() != 1 || auth.TokenRequests() != 1 {
		t.Fatalf("the service allowed plain http: %v (%d dials, %d token requests)", err, dials.Load(), auth.TokenRequests())
	}
	discovered := auth.DiscoveryRequests() // the provider's own: none; the document came from disco
	_, err := getOrder(context.Background(), strict, "1")
	if err == nil || !strings.Contains(err.Error(), "plain http") || !errors.As(err, new(*token.Error)) {
		t.Errorf("the strict service: %v", err)
	}
	if dials.Load() != 1 || auth.TokenRequests() != 1 || auth.DiscoveryRequests() != discovered {
		t.Errorf("the strict service's secret went to the plain-http endpoint: %d dials, %d token requests", dials.Load(), auth.TokenRequests())
	}
}
