package runtime_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

func envMap(m map[string]string) runtime.Option {
	return runtime.WithLookupEnv(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
}

func TestEnvPrefix(t *testing.T) {
	for in, want := range map[string]string{"orders": "TPGEN_ORDERS_", "orders-v2": "TPGEN_ORDERS_V2_", "Pardot.API": "TPGEN_PARDOT_API_", "": "TPGEN__"} {
		if got := runtime.EnvPrefix(in); got != want {
			t.Errorf("EnvPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEnvOverrides: TPGEN_<SERVICE>_* variables override the generated
// defaults, and options override the variables. Each case makes a real call
// and looks at what reached the provider and the service.
func TestEnvOverrides(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	other := newAPI(t, auth, "")
	full := map[string]string{
		"TPGEN_ORDERS_V2_BASE_URL":      a.URL,
		"TPGEN_ORDERS_V2_TOKEN_URL":     auth.TokenURL(),
		"TPGEN_ORDERS_V2_CLIENT_ID":     authserver.DefaultCCClientID,
		"TPGEN_ORDERS_V2_CLIENT_SECRET": authserver.DefaultCCClientSecret,
		"TPGEN_ORDERS_V2_GRANT":         "Client_Credentials",
		"TPGEN_ORDERS_V2_SCOPES":        "orders.read, orders.write",
		"TPGEN_ORDERS_V2_AUDIENCE":      "orders-api",
		"TPGEN_ORDERS_V2_TIMEOUT":       "5s",
	}
	def := runtime.ServiceConfig{Name: "orders-v2", BaseURL: "http://127.0.0.1:1/generated", Grant: runtime.GrantNone, Scopes: []string{"generated.scope"}}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			m[k] = v
		}
		for k, v := range extra {
			if v == "" {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	tests := []struct {
		name      string
		cfg       runtime.ServiceConfig
		env       map[string]string
		opts      []runtime.Option
		wantBase  string
		wantScope string
		wantAud   string
	}{
		{name: "environment over defaults", cfg: def, env: full, wantBase: a.URL, wantScope: "orders.read orders.write", wantAud: "orders-api"},
		{name: "options over environment", cfg: def, env: full,
			opts:     []runtime.Option{runtime.WithBaseURL(other.URL), runtime.WithAuth(runtime.Auth{Scopes: []string{"opt.scope"}, Audiences: []string{"opt-aud"}})},
			wantBase: other.URL, wantScope: "opt.scope", wantAud: "opt-aud"},
		{name: "named secret variables", env: with(map[string]string{"TPGEN_ORDERS_V2_CLIENT_ID": "", "TPGEN_ORDERS_V2_CLIENT_SECRET": "",
			"ORDERS_ID": authserver.DefaultCCClientID, "ORDERS_SECRET": authserver.DefaultCCClientSecret}),
			cfg:      runtime.ServiceConfig{Name: "orders-v2", ClientIDEnv: "ORDERS_ID", ClientSecretEnv: "ORDERS_SECRET"},
			wantBase: a.URL, wantScope: "orders.read orders.write", wantAud: "orders-api"},
		{name: "TPGEN_ variables over named ones", env: with(map[string]string{"ORDERS_ID": "nobody", "ORDERS_SECRET": "nothing"}),
			cfg:      runtime.ServiceConfig{Name: "orders-v2", ClientIDEnv: "ORDERS_ID", ClientSecretEnv: "ORDERS_SECRET"},
			wantBase: a.URL, wantScope: "orders.read orders.write", wantAud: "orders-api"},
		{name: "Auth.ClientID over all variables", cfg: def,
			env:      with(map[string]string{"TPGEN_ORDERS_V2_CLIENT_ID": "nobody", "TPGEN_ORDERS_V2_CLIENT_SECRET": "nothing"}),
			opts:     []runtime.Option{runtime.WithAuth(runtime.Auth{ClientID: authserver.DefaultCCClientID, ClientSecret: authserver.DefaultCCClientSecret})},
			wantBase: a.URL, wantScope: "orders.read orders.write", wantAud: "orders-api"},
		// A secret alone (from a vault, in code) is the secret of the
		// client id services.yaml writes: it does not blank that id.
		{name: "Auth.ClientSecret with services.yaml's client id",
			cfg:      runtime.ServiceConfig{Name: "orders-v2", ClientID: authserver.DefaultCCClientID},
			env:      with(map[string]string{"TPGEN_ORDERS_V2_CLIENT_ID": "", "TPGEN_ORDERS_V2_CLIENT_SECRET": "nothing"}),
			opts:     []runtime.Option{runtime.WithAuth(runtime.Auth{ClientSecret: authserver.DefaultCCClientSecret})},
			wantBase: a.URL, wantScope: "orders.read orders.write", wantAud: "orders-api"},
		// Several WithAuth apply field by field: a later one's zero fields
		// leave the earlier one's (and the environment's) be.
		{name: "WithAuth field by field", cfg: def, env: full,
			opts: []runtime.Option{runtime.WithBaseURL(other.URL), runtime.WithAuth(runtime.Auth{Scopes: []string{"opt.scope"}, Audiences: []string{"first-aud"}}),
				runtime.WithAuth(runtime.Auth{Audiences: []string{"opt-aud"}}), runtime.WithAuth(runtime.Auth{})},
			wantBase: other.URL, wantScope: "opt.scope", wantAud: "opt-aud"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth.ResetCounters()
			svc, err := runtime.NewService(tt.cfg, append([]runtime.Option{envMap(tt.env)}, tt.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			if svc.BaseURL() != tt.wantBase {
				t.Errorf("BaseURL %q, want %q", svc.BaseURL(), tt.wantBase)
			}
			if _, err := getOrder(context.Background(), svc, "1"); err != nil {
				t.Fatal(err)
			}
			log := auth.TokenLog()
			if len(log) != 1 || log[0].ClientID != authserver.DefaultCCClientID || log[0].Scope != tt.wantScope || !slices.Equal(log[0].Audience, []string{tt.wantAud}) {
				t.Errorf("token request %+v", log)
			}
		})
	}
}

// TestConfigErrors: a service that cannot work fails at NewService and names
// what to set.
func TestConfigErrors(t *testing.T) {
	cc := runtime.ServiceConfig{Name: "orders", BaseURL: "https://orders.example.com", Grant: runtime.GrantClientCredentials,
		TokenURL: "https://idp.example.com/token", ClientID: "id"}
	withSecret := runtime.WithAuth(runtime.Auth{ClientID: "id", ClientSecret: "s3cret-value"})
	tests := []struct {
		name string
		cfg  runtime.ServiceConfig
		env  map[string]string
		opts []runtime.Option
		want string // "" means no error
	}{
		{"no base URL", runtime.ServiceConfig{Name: "orders"}, nil, nil, "TPGEN_ORDERS_BASE_URL"},
		{"relative base URL", runtime.ServiceConfig{Name: "orders", BaseURL: "/orders"}, nil, nil, "not an absolute http(s) URL"},
		{"no secret", cc, nil, nil, "TPGEN_ORDERS_CLIENT_SECRET"},
		{"no secret, named variable", func() runtime.ServiceConfig { c := cc; c.ClientSecretEnv = "ORDERS_SECRET"; return c }(), nil, nil, "ORDERS_SECRET"},
		{"no token endpoint", runtime.ServiceConfig{Name: "orders", BaseURL: "https://o.example.com", Grant: runtime.GrantTokenExchange}, nil,
			[]runtime.Option{withSecret}, "TPGEN_ORDERS_ISSUER"},
		{"plain http token URL", cc, nil, []runtime.Option{withSecret, runtime.WithAuth(runtime.Auth{TokenURL: "http://idp.example.com/token"})}, "INSECURE_TOKEN_HOSTS"},
		{"plain http issuer", cc, map[string]string{"TPGEN_ORDERS_ISSUER": "http://idp.example.com"}, []runtime.Option{withSecret}, "plain http"},
		{"plain http allowed", cc, nil, []runtime.Option{withSecret, runtime.WithAuth(runtime.Auth{TokenURL: "http://idp.example.com/token", Tokens: token.Config{AllowInsecureHTTP: true}})}, ""},
		{"loopback http allowed", cc, nil, []runtime.Option{withSecret, runtime.WithAuth(runtime.Auth{TokenURL: "http://localhost:8080/token"})}, ""},
		{"bad grant variable", cc, map[string]string{"TPGEN_ORDERS_GRANT": "magic"}, []runtime.Option{withSecret}, "TPGEN_ORDERS_GRANT"},
		{"bad timeout variable", cc, map[string]string{"TPGEN_ORDERS_TIMEOUT": "soon"}, []runtime.Option{withSecret}, "TPGEN_ORDERS_TIMEOUT"},
		{"grant none needs nothing", runtime.ServiceConfig{Name: "orders", BaseURL: "https://o.example.com"}, nil, nil, ""},
		{"custom fetcher needs no endpoint", runtime.ServiceConfig{Name: "orders", BaseURL: "https://o.example.com", Grant: runtime.GrantClientCredentials}, nil,
			[]runtime.Option{runtime.WithAuth(runtime.Auth{Tokens: token.Config{Fetcher: &countingFetcher{}}})}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runtime.NewService(tt.cfg, append([]runtime.Option{envMap(tt.env)}, tt.opts...)...)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want one naming %q", err, tt.want)
			case err != nil && strings.Contains(err.Error(), "s3cret-value"):
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

// TestProcessEnvironment: without WithLookupEnv, the process environment is read.
func TestProcessEnvironment(t *testing.T) {
	srv := echoServer(t)
	t.Setenv("TPGEN_ENVTEST_BASE_URL", srv.URL)
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "envtest"})
	if err != nil {
		t.Fatal(err)
	}
	if svc.BaseURL() != srv.URL {
		t.Errorf("BaseURL %q, want %q", svc.BaseURL(), srv.URL)
	}
}
