package runtime_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// lockedBuffer is a log destination that background refreshes may write to
// while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSecretsNeverShow runs the runtime through successes and failures of
// every grant with debug logging on, and checks that neither client secret nor
// any caller or access token appears in the logs, in error strings (also
// printed with %+v), in Records and TokenEvents, or in Server-Timing.
func TestSecretsNeverShow(t *testing.T) {
	auth := startProvider(t, authserver.WithTokenLifetime(2*time.Second))
	a := newAPI(t, auth, "orders-api")
	a.anyActor = true
	a.audience = "" // passthrough forwards callers' tokens, meant for the app; the services ask for orders-api
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	obs := &observer{}
	common := []runtime.Option{runtime.WithLogger(logger), runtime.WithObserver(obs), runtime.WithAuth(runtime.Auth{Tokens: token.Config{ExpiryMargin: time.Second}})}
	cc := ccService(t, auth, a, common...)
	svcs := map[runtime.Grant]*runtime.Service{runtime.GrantClientCredentials: cc}
	for _, g := range []runtime.Grant{runtime.GrantTokenExchange, runtime.GrantAuto, runtime.GrantPassthrough} {
		svcs[g] = txService(t, auth, a, g, common...)
	}
	wrong := txService(t, auth, a, runtime.GrantTokenExchange, append(common, runtime.WithAuth(runtime.Auth{ClientID: authserver.DefaultTXClientID, ClientSecret: "wrong-secret-Hq27"}))...)
	alice := user(t, auth, "alice", nil)
	system := user(t, auth, "nightly", map[string]any{"userType": "system"})
	opaque := "opaque-caller-token-Vb93"
	secrets := []string{authserver.DefaultCCClientSecret, authserver.DefaultTXClientSecret, "wrong-secret-Hq27", alice, system, opaque}

	var outputs []string // everything that must be clean
	keep := func(err error) {
		if err != nil {
			outputs = append(outputs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
		}
	}
	app := httptest.NewServer(runtime.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var g runtime.Grant
		g.UnmarshalText([]byte(r.URL.Query().Get("grant")))
		_, err := getOrder(r.Context(), svcs[g], r.URL.Query().Get("id"))
		keep(err)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	}), runtime.MiddlewareConfig{ServerTiming: allowAll, ServerTimingUnasked: true}))
	defer app.Close()
	call := func(grant runtime.Grant, caller, id string) {
		req, _ := http.NewRequest("GET", app.URL+"?grant="+grant.String()+"&id="+id, nil)
		if caller != "" {
			req.Header.Set("Authorization", "Bearer "+caller)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		outputs = append(outputs, string(body), fmt.Sprint(resp.Header))
	}

	// Successes, the cache, and a refresh ahead of expiry.
	for range 2 {
		for _, c := range []struct {
			g      runtime.Grant
			caller string
		}{
			{runtime.GrantClientCredentials, ""}, {runtime.GrantTokenExchange, alice}, {runtime.GrantTokenExchange, opaque},
			{runtime.GrantAuto, alice}, {runtime.GrantAuto, system}, {runtime.GrantPassthrough, alice},
		} {
			call(c.g, c.caller, "1")
		}
		time.Sleep(1200 * time.Millisecond)
	}
	// The service refuses a token: forgotten, fetched again.
	a.mu.Lock()
	a.revokeNext = 1
	a.mu.Unlock()
	call(runtime.GrantClientCredentials, "", "1")
	// Token endpoint failures, with and without the caller's token.
	for _, f := range []authserver.Fault{
		{Status: 400, Body: `{"error":"invalid_request","error_description":"bad subject"}`},
		{Status: 500, Body: "<html>down</html>", ContentType: "text/html"},
		{Status: 200, Body: `{"access_token":` + "\"" + alice + "\"" + `,"expires_in":"soon"}`},
	} {
		auth.SetFault(f)
		svcs[runtime.GrantTokenExchange] = txService(t, auth, a, runtime.GrantTokenExchange, common...) // cold cache
		call(runtime.GrantTokenExchange, alice, "1")
	}
	auth.Reset()
	// Wrong secret at the real provider; no caller token for an exchange.
	_, err := getOrder(runtime.ContextWithCallerToken(context.Background(), alice), wrong, "1")
	keep(err)
	call(runtime.GrantTokenExchange, "", "1")
	// Runtime values that a careless caller might log.
	logger.Info("caller logs runtime values",
		"request", &token.Request{Grant: token.TokenExchange, ClientID: "x", ClientSecret: authserver.DefaultTXClientSecret, SubjectToken: alice},
		"token", &token.Token{AccessToken: alice, TokenType: "Bearer"})
	outputs = append(outputs, fmt.Sprint(&token.Token{AccessToken: alice}), fmt.Sprint(&token.Request{ClientSecret: authserver.DefaultTXClientSecret, SubjectToken: alice}))

	time.Sleep(100 * time.Millisecond) // background refreshes log too
	for _, r := range obs.Records() {
		outputs = append(outputs, fmt.Sprintf("%+v", r))
	}
	for _, e := range obs.Events() {
		outputs = append(outputs, fmt.Sprintf("%+v", e))
	}
	outputs = append(outputs, logs.String())
	secrets = append(secrets, a.tokens()...)
	if len(a.tokens()) < 10 {
		t.Fatalf("only %d tokens reached the service", len(a.tokens()))
	}
	all := strings.Join(outputs, "\n")
	for _, want := range []string{"tpgen: call", "tpgen: token obtained", "tpgen: token request failed", "tpgen: call failed", "app;dur=", "background"} {
		if !strings.Contains(all, want) {
			t.Errorf("the run produced no %q: the check would prove little", want)
		}
	}
	for _, s := range secrets {
		if i := strings.Index(all, s); i >= 0 {
			t.Errorf("secret or token %.12q… shows in output: …%s…", s, all[max(0, i-120):i])
		}
	}
	t.Logf("checked %d bytes of output for %d secrets and tokens", len(all), len(secrets))
}
