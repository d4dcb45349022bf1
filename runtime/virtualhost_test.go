package runtime_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/runtime"
)

// TestHTTPClientHonoursVirtualHost performs the attack on the raw client: a
// request to the service's address whose Host names another virtual host
// (another service behind the same proxy) must not carry the service's
// token; nor may its redirects. The token is sent only when the URL's scheme
// and host and the Host header are all the service's.
func TestHTTPClientHonoursVirtualHost(t *testing.T) {
	type hit struct{ host, path, auth string }
	var mu sync.Mutex
	var hits []hit
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, hit{r.Host, r.URL.Path, r.Header.Get("Authorization")})
		mu.Unlock()
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/landing", http.StatusFound)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	foreign := newForeignHost(t)
	own := strings.TrimPrefix(srv.URL, "http://")
	const caller = "caller-token-vhost-8Rt2kW5q"
	for _, how := range []string{"passthrough", "per-call token"} {
		var svc *runtime.Service
		ctx := runtime.ContextWithCallerToken(context.Background(), caller)
		if how == "passthrough" {
			svc = newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(srv.URL), runtime.WithAuth(runtime.Auth{Grant: runtime.GrantPassthrough}))
		} else {
			// A per-call token, with no grant configured: the same rule.
			svc = newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(srv.URL))
			ctx = runtime.ContextWithCallOptions(ctx, runtime.CallToken(caller))
		}
		for _, c := range []struct {
			name, url, host string
			want            []string // Authorization at each hop
		}{
			{"own host", srv.URL + "/x", "", []string{"Bearer " + caller}},
			{"own host named", srv.URL + "/x", own, []string{"Bearer " + caller}},
			{"another virtual host", srv.URL + "/x", "billing.internal", []string{""}},
			{"another virtual host on another port", srv.URL + "/x", "127.0.0.1:1", []string{""}},
			{"another virtual host, redirected", srv.URL + "/redirect", "billing.internal", []string{"", ""}},
		} {
			t.Run(how+"/"+c.name, func(t *testing.T) {
				mu.Lock()
				before := len(hits)
				mu.Unlock()
				req, _ := http.NewRequestWithContext(ctx, "GET", c.url, nil)
				req.Host = c.host
				resp, err := svc.HTTPClient().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				got := append([]hit(nil), hits[before:]...)
				mu.Unlock()
				if len(got) != len(c.want) {
					t.Fatalf("hops %+v, want %d", got, len(c.want))
				}
				for i, h := range got {
					if h.auth != c.want[i] {
						t.Errorf("hop %d (Host %s, %s) got Authorization %q, want %q", i, h.host, h.path, h.auth, c.want[i])
					}
				}
			})
		}
		// The URL decides where the bytes go: another host named as the service's gets nothing.
		req, _ := http.NewRequestWithContext(ctx, "GET", foreign.URL+"/x", nil)
		req.Host = own
		resp, err := svc.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if auths := foreign.Auths(); len(auths) == 0 || auths[len(auths)-1] != "" {
			t.Errorf("%s: another host, Host naming the service's: Authorization %q", how, auths)
		}
	}
}
