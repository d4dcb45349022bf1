package runtime_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// TestBaseURLUserinfo: a base URL with a user name names another host than
// it seems to (https://api.example.com@evil.example.net calls
// evil.example.net). From the generated defaults, the environment or
// WithBaseURL, it is refused when the client is made, without quoting it
// (it may hold a password), and no call, token attached, reaches the host
// after the @.
func TestBaseURLUserinfo(t *testing.T) {
	var hits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer evil.Close()
	smuggled := "http://api.example.com:s3cr3t@" + strings.TrimPrefix(evil.URL, "http://") + "/v1"
	passthrough := runtime.ServiceConfig{Name: "orders", Grant: runtime.GrantPassthrough}
	tests := []struct {
		name string
		def  runtime.ServiceConfig
		opts []runtime.Option
	}{
		{"generated default", runtime.ServiceConfig{Name: "orders", Grant: runtime.GrantPassthrough, BaseURL: smuggled}, []runtime.Option{envMap(nil)}},
		{"environment", passthrough, []runtime.Option{envMap(map[string]string{"TPGEN_ORDERS_BASE_URL": smuggled})}},
		{"WithBaseURL", passthrough, []runtime.Option{envMap(nil), runtime.WithBaseURL(smuggled)}},
		{"empty user name", passthrough, []runtime.Option{envMap(nil), runtime.WithBaseURL("http://@" + strings.TrimPrefix(evil.URL, "http://"))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, err := runtime.NewService(tt.def, tt.opts...)
			if err == nil {
				req, _ := http.NewRequestWithContext(runtime.ContextWithCallOptions(t.Context(), runtime.CallToken("caller-token")), http.MethodGet, svc.BaseURL()+"/orders", nil)
				if resp, err := svc.HTTPClient().Do(req); err == nil {
					resp.Body.Close()
				}
				t.Fatalf("NewService accepted %s", svc.BaseURL())
			}
			if !strings.Contains(err.Error(), "must not contain a user name or password") || strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error %q: want it to refuse the user name without quoting it", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the host after the @ got %d calls", n)
	}
}

// TestTokenURLUserinfo: a token endpoint or issuer with a user name or
// password in its URL (from the environment or an option) is refused when the
// client is made, without quoting the password: net/http would send it as
// Basic credentials, and the host after the @ would get the client secret.
func TestTokenURLUserinfo(t *testing.T) {
	var hits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer evil.Close()
	smuggled := "http://auth.example.com:s3cr3t@" + strings.TrimPrefix(evil.URL, "http://") + "/token"
	cc := runtime.ServiceConfig{Name: "orders", Grant: runtime.GrantClientCredentials, BaseURL: "https://api.example.com"}
	for name, opts := range map[string][]runtime.Option{
		"TPGEN_ORDERS_TOKEN_URL": {envMap(map[string]string{"TPGEN_ORDERS_TOKEN_URL": smuggled})},
		"TPGEN_ORDERS_ISSUER":    {envMap(map[string]string{"TPGEN_ORDERS_ISSUER": smuggled})},
		"Auth.TokenURL":          {envMap(nil), runtime.WithAuth(runtime.Auth{TokenURL: smuggled})},
		"Auth.Issuer":            {envMap(nil), runtime.WithAuth(runtime.Auth{Issuer: smuggled})},
		"https and insecure":     {envMap(nil), runtime.WithAuth(runtime.Auth{Tokens: token.Config{AllowInsecureHTTP: true}, TokenURL: "https://user:s3cr3t@auth.example.com/token"})},
	} {
		t.Run(name, func(t *testing.T) {
			opts = append(opts, runtime.WithAuth(runtime.Auth{ClientID: "shop", ClientSecret: "client-secret"}))
			svc, err := runtime.NewService(cc, opts...)
			if err == nil {
				_, _ = svc.TokenSource(t.Context()).Token()
				t.Fatal("NewService accepted a token URL with a user name and password")
			}
			if !strings.Contains(err.Error(), "user name or password") || strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error %q: want it to refuse the user name without quoting the password", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the host after the @ got %d requests", n)
	}
}
