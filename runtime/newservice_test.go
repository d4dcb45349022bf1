package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// TestNewReportsEveryProblem: a service with everything wrong at once fails
// New with one error that names every problem and what to set for each,
// not only the first one found (issue 13 item 11).
func TestNewReportsEveryProblem(t *testing.T) {
	cfg := runtime.ServiceConfig{Name: "orders", Grant: runtime.GrantClientCredentials}
	_, err := runtime.NewService(cfg, envMap(map[string]string{
		"TPGEN_ORDERS_TIMEOUT":              "soon",
		"TPGEN_ORDERS_MAX_RESPONSE_BYTES":   "-1",
		"TPGEN_ORDERS_INSECURE_TOKEN_HOSTS": "http://idp.local",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		"TPGEN_ORDERS_TIMEOUT",            // a variable that holds no duration
		"TPGEN_ORDERS_MAX_RESPONSE_BYTES", // nor a size
		"INSECURE_TOKEN_HOSTS",            // a URL where a host name belongs
		"no base URL",                     // nothing says where calls go
		"needs a token endpoint",          // nor where tokens come from
		"needs a client id",               // nor who asks
		"needs a client secret",           // nor with what secret
	}
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("the error does not name %q:\n%s", w, msg)
		}
	}
	if n := len(strings.Split(msg, "\n")); n != len(want) {
		t.Errorf("%d lines, want one per problem (%d):\n%s", n, len(want), msg)
	}
	for _, line := range strings.Split(msg, "\n") {
		if !strings.HasPrefix(line, "orders: ") {
			t.Errorf("line does not name the service: %q", line)
		}
	}
}

// TestUnknownEnvWarned: variables with the service's prefix that mean
// nothing to it are warned about once, when the client is created, with the
// variable that may have been meant; values are never logged, and variables
// of a service whose name continues this one's (orders-v2) are left alone
// (issue 13 item 12).
func TestUnknownEnvWarned(t *testing.T) {
	const secret = "misspelt-secret-Qx7r2"
	t.Setenv("TPGEN_ORDERS_BASEURL", "https://elsewhere.example.com")
	t.Setenv("TPGEN_ORDERS_CLIENT_SECRT", secret)
	t.Setenv("TPGEN_ORDERS_COLOUR", "blue")
	t.Setenv("TPGEN_ORDERS_V2_BASE_URL", "https://orders-v2.example.com")
	t.Setenv("TPGEN_ORDERS_API_KEY_PARTNER", "partner-key-Zk41") // the key of the spec's scheme "partner"
	t.Setenv("TPGEN_ORDERS_TIMEOUT", "5s")
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	cfg := runtime.ServiceConfig{Name: "orders", BaseURL: "https://orders.example.com",
		Schemes: []runtime.SecurityScheme{{Name: "partner", Kind: runtime.SchemeAPIKey, In: "header", Param: "X-Partner-Key"}}}
	if _, err := runtime.NewService(cfg, runtime.WithLogger(logger)); err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Level, Msg, Variable string
		DidYouMean           string `json:"did_you_mean"`
	}
	var got []entry
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var e entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		got = append(got, e)
	}
	want := map[string]string{
		"TPGEN_ORDERS_BASEURL":      "TPGEN_ORDERS_BASE_URL",
		"TPGEN_ORDERS_CLIENT_SECRT": "TPGEN_ORDERS_CLIENT_SECRET",
		"TPGEN_ORDERS_COLOUR":       "",
	}
	if len(got) != len(want) {
		t.Fatalf("%d warnings, want %d:\n%s", len(got), len(want), logs.String())
	}
	for _, e := range got {
		mean, ok := want[e.Variable]
		if !ok || e.Level != "WARN" || e.DidYouMean != mean {
			t.Errorf("warning %+v, want %q meaning %q", e, e.Variable, mean)
		}
	}
	if strings.Contains(logs.String(), secret) || strings.Contains(logs.String(), "blue") {
		t.Errorf("a value was logged:\n%s", logs.String())
	}
	// Calls do not warn again.
	before := logs.String()
	svc, err := runtime.NewService(cfg, runtime.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	_ = svc
	if logs.String() != before {
		t.Errorf("a client with another logger wrote to this one")
	}
}

// TestInsecureTokenHosts: a plain-http token endpoint is used on a host
// named in Auth.InsecureTokenHosts or TPGEN_<SERVICE>_INSECURE_TOKEN_HOSTS
// (an identity provider on a docker-compose network), and each use is
// logged; any other host still needs https, also when a discovery document
// names it (the attack: discovery on the allowed host points the client
// secret at a plain-http endpoint elsewhere). Names with a scheme, a port
// or a wildcard are refused.
func TestInsecureTokenHosts(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	providerAddr := strings.TrimPrefix(auth.Issuer(), "http://")
	var dials atomic.Int64
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		// Names of the test resolve to the local provider, as a hosts file would.
		if strings.HasSuffix(addr, ".test:80") {
			dials.Add(1)
			addr = providerAddr
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	t.Cleanup(tr.CloseIdleConnections)
	tokenClient := runtime.WithAuth(runtime.Auth{Tokens: token.Config{HTTPClient: &http.Client{Transport: tr}}})
	const idp = "http://keycloak.test" + authserver.TokenPath

	// Allowed by option, and by the environment: tokens are obtained, and the
	// permission is logged at warn.
	for name, allow := range map[string]runtime.Option{
		"option":      runtime.WithAuth(runtime.Auth{InsecureTokenHosts: []string{"Keycloak.test"}}),
		"environment": envMap(map[string]string{"TPGEN_ORDERS_INSECURE_TOKEN_HOSTS": "idp.test, keycloak.test"}),
	} {
		t.Run(name, func(t *testing.T) {
			logs := &lockedBuffer{}
			svc := ccService(t, auth, a, runtime.WithAuth(runtime.Auth{TokenURL: idp}), tokenClient, allow,
				runtime.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
			if _, err := getOrder(context.Background(), svc, "1"); err != nil {
				t.Fatal(err)
			}
			if dials.Load() == 0 {
				t.Error("the token endpoint was not asked")
			}
			if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "plain http allowed by name") ||
				!strings.Contains(logs.String(), "keycloak.test") || strings.Contains(logs.String(), authserver.DefaultCCClientSecret) {
				t.Errorf("log:\n%s", logs.String())
			}
		})
	}

	// Another host is refused at New, and names the way out.
	_, err := runtime.NewService(runtime.ServiceConfig{Name: "orders", BaseURL: a.URL, Grant: runtime.GrantClientCredentials},
		runtime.WithLookupEnv(noEnv), runtime.WithAuth(runtime.Auth{
			ClientID:           "id",
			ClientSecret:       "secret",
			TokenURL:           "http://evil.test/token",
			InsecureTokenHosts: []string{"keycloak.test"},
		}))
	if err == nil || !strings.Contains(err.Error(), "TPGEN_ORDERS_INSECURE_TOKEN_HOSTS") {
		t.Errorf("plain http to a host not named: %v", err)
	}

	// Discovery on the named host that points at a plain-http endpoint on
	// another host: refused at the call, before the secret is sent.
	issuerPath := "/realm-" + randomHex(6)
	var evil atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc(issuerPath+"/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": "http://keycloak.test" + issuerPath, "token_endpoint": "http://evil.test/token"})
	})
	disco := &http.Server{Handler: mux}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go disco.Serve(ln)
	t.Cleanup(func() { disco.Close() })
	tr2 := http.DefaultTransport.(*http.Transport).Clone()
	tr2.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		switch addr {
		case "keycloak.test:80":
			addr = ln.Addr().String()
		case "evil.test:80":
			evil.Add(1)
			addr = providerAddr
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	t.Cleanup(tr2.CloseIdleConnections)
	svc := ccService(t, auth, a, runtime.WithAuth(runtime.Auth{
		Issuer:             "http://keycloak.test" + issuerPath,
		TokenURL:           "",
		Tokens:             token.Config{HTTPClient: &http.Client{Transport: tr2}},
		InsecureTokenHosts: []string{"keycloak.test"},
	}))
	_, err = getOrder(context.Background(), svc, "1")
	if err == nil || !strings.Contains(err.Error(), "plain http") || evil.Load() != 0 {
		t.Errorf("discovered plain-http endpoint on another host: %v (%d connections to it)", err, evil.Load())
	}

	// What is not a host name is refused.
	for _, bad := range []string{"http://keycloak.test", "keycloak.test:8080", "*.local", "idp/realm", "user@idp"} {
		_, err := runtime.NewService(runtime.ServiceConfig{Name: "orders", BaseURL: a.URL}, runtime.WithLookupEnv(noEnv), runtime.WithAuth(runtime.Auth{InsecureTokenHosts: []string{bad}}))
		if err == nil || !strings.Contains(err.Error(), "is not a host name") {
			t.Errorf("Auth.InsecureTokenHosts(%q): %v", bad, err)
		}
	}
}

// TestFailureLogLevel: the runtime logs failed calls and token requests at
// debug unless told otherwise, so that an application that logs the errors
// it is returned does not see each failure twice; WithFailureLogLevel
// raises them (issue 13 item 13).
func TestFailureLogLevel(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.handle = func(w http.ResponseWriter, r *http.Request, h apiHit) {
		http.Error(w, "down", http.StatusInternalServerError)
	}
	for _, tt := range []struct {
		name  string
		opts  []runtime.Option
		lines int // at info and above
		level string
	}{
		{"default", nil, 0, ""},
		// the failed call; the failed token request and the call it failed
		{"warn", []runtime.Option{runtime.WithFailureLogLevel(slog.LevelWarn)}, 3, "level=WARN"},
		{"error", []runtime.Option{runtime.WithFailureLogLevel(slog.LevelError)}, 3, "level=ERROR"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			logs := &lockedBuffer{}
			opts := append([]runtime.Option{runtime.WithRetry(runtime.NoRetry),
				runtime.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))}, tt.opts...)
			// A failed call.
			var re *runtime.ResponseError
			if _, err := getOrder(context.Background(), ccService(t, auth, a, opts...), "1"); !errors.As(err, &re) || re.StatusCode != 500 {
				t.Fatalf("call: %v", err)
			}
			// A failed token request.
			bad := append(opts, runtime.WithAuth(runtime.Auth{ClientID: authserver.DefaultCCClientID, ClientSecret: "wrong-secret"}))
			if _, err := getOrder(context.Background(), ccService(t, auth, a, bad...), "1"); err == nil {
				t.Fatal("no error with a wrong secret")
			}
			text := strings.TrimSpace(logs.String())
			n := 0
			if text != "" {
				n = len(strings.Split(text, "\n"))
			}
			if n != tt.lines || tt.level != "" && strings.Count(text, tt.level) != tt.lines {
				t.Errorf("%d lines at info and above, want %d at %s:\n%s", n, tt.lines, tt.level, text)
			}
		})
	}
}
