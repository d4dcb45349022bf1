package runtime_test

// OAuth2 as identity providers speak it (issue 13 item 7): requested and
// issued token types, several audiences and resources, actor tokens, the
// client authentication the discovery document asks for, and the advice at
// the end of an error_description.

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// TestSeveralAudiencesAndResources: every audience and resource is sent as a
// parameter of its own, in client credentials and token exchange alike, and
// the provider's tokens carry every audience; a service with another list of
// audiences has tokens of its own.
func TestSeveralAudiencesAndResources(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "billing-api")
	a.anyActor = true
	auds := runtime.WithAuth(runtime.Auth{Audiences: []string{"orders-api", "billing-api"}})
	res := runtime.WithAuth(runtime.Auth{Resources: []string{"https://orders.example.com/", "https://billing.example.com/"}})
	cc := ccService(t, auth, a, auds, res)
	e, err := getOrder(context.Background(), cc, "1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(e.Aud, "orders-api") || !slices.Contains(e.Aud, "billing-api") {
		t.Errorf("client credentials token audiences %v", e.Aud)
	}
	tx := txService(t, auth, a, runtime.GrantTokenExchange, auds, res)
	if _, err := getOrder(runtime.ContextWithCallerToken(context.Background(), user(t, auth, "alice", nil)), tx, "1"); err != nil {
		t.Fatal(err)
	}
	for _, r := range auth.TokenLog() {
		if !slices.Equal(r.Audience, []string{"orders-api", "billing-api"}) ||
			!slices.Equal(r.Resource, []string{"https://orders.example.com/", "https://billing.example.com/"}) {
			t.Errorf("%s request: audience %q, resource %q", r.GrantType, r.Audience, r.Resource)
		}
	}
	// One audience less is another token.
	auth.ResetCounters()
	one := ccService(t, auth, a, runtime.WithAuth(runtime.Auth{Audiences: []string{"billing-api"}, Tokens: token.Config{Store: token.NewMemoryStore(10)}}))
	shared := token.NewMemoryStore(10)
	for _, svc := range []*runtime.Service{
		ccService(t, auth, a, auds, runtime.WithAuth(runtime.Auth{Tokens: token.Config{Store: shared}})),
		ccService(t, auth, a, runtime.WithAuth(runtime.Auth{Audiences: []string{"billing-api"}, Tokens: token.Config{Store: shared}})),
		one,
	} {
		if _, err := getOrder(context.Background(), svc, "1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := auth.TokenRequests(); n != 3 {
		t.Errorf("%d token requests for three lists of audiences in one store, want 3", n)
	}
}

// TestExchangeTokenTypes: a token exchange asks for an access token
// (requested_token_type), and a token the provider issues as another type
// is not used as a bearer token (the attack: a provider, or anyone answering
// for it, hands back a refresh token, which would go to the service and be
// kept there).
func TestExchangeTokenTypes(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.anyActor = true
	tx := txService(t, auth, a, runtime.GrantTokenExchange)
	ctx := runtime.ContextWithCallerToken(context.Background(), user(t, auth, "alice", nil))
	if _, err := getOrder(ctx, tx, "1"); err != nil {
		t.Fatal(err)
	}
	log := auth.TokenLog()
	if len(log) != 1 || log[0].RequestedTokenType != token.TypeAccessToken {
		t.Errorf("token requests: %+v", log)
	}

	const refresh = "rt-must-not-travel-5Fq2"
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"N_A","expires_in":3600,"issued_token_type":"urn:ietf:params:oauth:token-type:refresh_token"}`, refresh)
	}))
	defer idp.Close()
	hits := len(a.Hits())
	bad := txService(t, auth, a, runtime.GrantTokenExchange, runtime.WithAuth(runtime.Auth{TokenURL: idp.URL, Issuer: ""}))
	_, err := getOrder(ctx, bad, "1")
	if err == nil || !strings.Contains(err.Error(), "refresh_token") || strings.Contains(err.Error(), refresh) {
		t.Errorf("refresh token issued: %v", err)
	}
	if len(a.Hits()) != hits {
		t.Errorf("the service was called with what the provider issued")
	}
}

// TestActorToken: an actor token (Auth.ActorToken, or ContextWithActorToken
// for one call) is sent with token exchanges, the exchanged token names its
// subject as the actor, exchanged tokens are cached per caller and actor,
// and the actor token shows in no error or log, also when the provider
// echoes it in its error_description.
func TestActorToken(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.anyActor = true
	actor := user(t, auth, "shop-backend", nil)
	other := user(t, auth, "batch-runner", nil)
	logs := &lockedBuffer{}
	tx := txService(t, auth, a, runtime.GrantTokenExchange, runtime.WithAuth(runtime.Auth{ActorToken: actor}),
		runtime.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	alice := runtime.ContextWithCallerToken(context.Background(), user(t, auth, "alice", nil))
	for range 2 {
		e, err := getOrder(alice, tx, "1")
		if err != nil {
			t.Fatal(err)
		}
		if e.Subject != "alice" || e.Actor != "shop-backend" {
			t.Errorf("token of %q acted by %q", e.Subject, e.Actor)
		}
	}
	e, err := getOrder(runtime.ContextWithActorToken(alice, "Bearer "+other, token.TypeAccessToken), tx, "1")
	if err != nil || e.Actor != "batch-runner" {
		t.Errorf("per-call actor: %+v, %v", e, err)
	}
	log := auth.TokenLog()
	if len(log) != 2 {
		t.Fatalf("%d token requests, want one per actor: %+v", len(log), log)
	}
	for _, r := range log {
		if !r.HasActorToken || r.ActorTokenType != token.TypeAccessToken {
			t.Errorf("request without its actor token: %+v", r)
		}
	}

	// The provider echoes the actor token in its error.
	auth.SetFault(authserver.Fault{Status: 400, Body: fmt.Sprintf(`{"error":"invalid_request","error_description":"actor_token %s is not allowed"}`, other)})
	bob := runtime.ContextWithCallerToken(context.Background(), user(t, auth, "bob", nil))
	_, err = getOrder(runtime.ContextWithActorToken(bob, other, ""), tx, "1")
	if err == nil || strings.Contains(err.Error(), other) || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error: %v", err)
	}
	for _, tok := range []string{actor, other} {
		if strings.Contains(logs.String(), tok) {
			t.Errorf("an actor token is in the log:\n%s", logs.String())
		}
	}
	req := token.Request{ActorToken: actor, SubjectToken: "s"}
	b, _ := json.Marshal(req)
	if strings.Contains(fmt.Sprintf("%v %+v %#v %s", req, req, req, b), actor) {
		t.Error("a token.Request shows its actor token")
	}
}

// TestClientAuthFromDiscovery: a provider whose discovery document lists
// only client_secret_post is sent the secret as form fields when
// services.yaml did not choose; one configured for Basic is refused with
// Hydra's error, whose advice at the end of a long error_description is
// kept, and the error suggests client_auth: post.
func TestClientAuthFromDiscovery(t *testing.T) {
	auth := startProvider(t, authserver.WithTokenEndpointAuthMethods("client_secret_post"),
		authserver.WithClient(authserver.DefaultCCClientID, authserver.DefaultCCClientSecret, authserver.GrantClientCredentials))
	a := newAPI(t, auth, "")
	if _, err := getOrder(context.Background(), ccService(t, auth, a, runtime.WithAuth(runtime.Auth{Audiences: []string{}})), "1"); err != nil {
		t.Fatal(err)
	}
	if log := auth.TokenLog(); len(log) != 1 || log[0].ClientAuth != "client_secret_post" {
		t.Errorf("token requests: %+v", log)
	}
	for name, opt := range map[string]runtime.Option{
		"basic chosen":         runtime.WithAuth(runtime.Auth{ClientAuth: token.ClientSecretBasic}),
		"token URL, no issuer": runtime.WithAuth(runtime.Auth{TokenURL: auth.TokenURL()}),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := getOrder(context.Background(), ccService(t, auth, a, runtime.WithAuth(runtime.Auth{Audiences: []string{}}), opt), "1")
			te := asTokenError(t, err)
			advice := "You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept 'client_secret_basic'."
			if te.StatusCode != 401 || te.Code != "invalid_client" || !strings.HasSuffix(te.Description, advice) ||
				!strings.Contains(err.Error(), "client_auth: post") {
				t.Errorf("refused Basic: %v", err)
			}
		})
	}
}

// TestLongDescriptionKeepsItsEnd: an error_description longer than the
// runtime keeps loses its middle, not its end.
func TestLongDescriptionKeepsItsEnd(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	desc := "The request failed. " + strings.Repeat("Some detail the provider adds. ", 40) + "Set the client's audience to orders-api."
	auth.SetFault(authserver.Fault{Status: 400, Body: fmt.Sprintf(`{"error":"invalid_request","error_description":%q}`, desc)})
	_, err := getOrder(context.Background(), ccService(t, auth, a, runtime.WithAuth(runtime.Auth{TokenURL: auth.TokenURL()})), "1")
	te := asTokenError(t, err)
	if !strings.HasPrefix(te.Description, "The request failed.") || !strings.HasSuffix(te.Description, "Set the client's audience to orders-api.") ||
		len(te.Description) > 610 || !strings.Contains(te.Description, "…") {
		t.Errorf("description (%d bytes): %q", len(te.Description), te.Description)
	}
}
