package runtime_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tpgen/tpgen/runtime"
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
				req, _ := http.NewRequestWithContext(runtime.WithToken(t.Context(), "caller-token"), http.MethodGet, svc.BaseURL()+"/orders", nil)
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
