// Package e2e calls the generated example clients (examples/gen) against the
// example backends, which check every request against its spec with
// openapi3filter, and against a real in-process OAuth2 provider.
package e2e

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/examples/gen/inventory"
	"github.com/tpgen/tpgen/examples/gen/orders"
	"github.com/tpgen/tpgen/examples/gen/pets"
	"github.com/tpgen/tpgen/examples/gen/profiles"
	"github.com/tpgen/tpgen/examples/internal/shop"
	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/jwt"
)

type env struct {
	auth      *authserver.Server
	shop      *shop.Shop
	orders    *orders.Client
	inventory *inventory.Client
	profiles  *profiles.Client
	pets      *pets.Client
}

func setup(t *testing.T) *env {
	t.Helper()
	auth, err := authserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(auth.Close)
	sh, err := shop.Start(auth, filepath.Join("..", "specs"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sh.Close)
	noEnv := runtime.WithLookupEnv(func(string) (string, bool) { return "", false })
	common := func(name string) []runtime.Option {
		return []runtime.Option{noEnv, runtime.WithBaseURL(sh.BaseURL(name)), runtime.WithAuth(runtime.Auth{
			Issuer:       auth.Issuer(),
			ClientID:     authserver.DefaultTXClientID,
			ClientSecret: authserver.DefaultTXClientSecret,
		})}
	}
	e := &env{auth: auth, shop: sh}
	if e.orders, err = orders.New(common("orders")...); err != nil {
		t.Fatal(err)
	}
	if e.inventory, err = inventory.New(common("inventory")...); err != nil {
		t.Fatal(err)
	}
	if e.profiles, err = profiles.New(common("profiles")...); err != nil {
		t.Fatal(err)
	}
	if e.pets, err = pets.New(noEnv, runtime.WithBaseURL(sh.BaseURL("pets"))); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for name, srv := range sh.Servers {
			for _, c := range srv.Invalid() {
				canceled := c.Operation == "getOrder" && errors.Is(c.Err, context.Canceled)
				refused := c.Operation == "deletePet" && strings.Contains(c.Err.Error(), "security requirements failed") // TestPetsAPIKey
				if !canceled && !refused {
					t.Errorf("%s received a request that does not conform to its spec: %s %s?%s: %v", name, c.Method, c.Path, c.Query, c.Err)
				}
			}
		}
	})
	return e
}

func (e *env) user(t *testing.T, name string, extra map[string]any) context.Context {
	t.Helper()
	tok, err := e.auth.IssueToken(name, extra)
	if err != nil {
		t.Fatal(err)
	}
	return runtime.ContextWithCallerToken(context.Background(), tok)
}

func TestEveryGrantAgainstRealServers(t *testing.T) {
	e := setup(t)
	alice := e.user(t, "alice", nil)

	// token_exchange (service grant): the backend sees alice, acted for by the shop's client.
	list, err := e.orders.ListOrders(alice, &orders.ListOrdersParams{Status: []orders.OrderStatus{orders.OrderStatusPaid, orders.OrderStatusShipped}, Limit: ptr(int32(10))})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Body) != 1 || list.Body[0].Status != orders.OrderStatusPaid || list.XNextCursor == nil || *list.XNextCursor != "c2" {
		t.Fatalf("ListOrders = %+v", list)
	}
	// Every page of ListOrdersAll is a token-exchange call for alice: the
	// backend, which checks each token, answers both.
	var all []*orders.Order
	for o, err := range e.orders.ListOrdersAll(alice, &orders.ListOrdersParams{Limit: ptr(int32(1))}) {
		if err != nil {
			t.Fatalf("ListOrdersAll: %v", err)
		}
		all = append(all, o)
	}
	if len(all) != 2 {
		t.Fatalf("ListOrdersAll yielded %d orders, want one of each of the 2 pages", len(all))
	}
	// client_credentials (operation override): the shop's own identity.
	created, err := e.orders.CreateOrder(alice, &orders.NewOrder{Lines: []orders.OrderLine{{Sku: "MUG-1", Quantity: 2}}, Note: orders.NullNullableString()},
		&orders.CreateOrderParams{IdempotencyKey: ptr("3f0e0d0c-0b0a-4908-8706-050403020100")})
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == nil || len(created.Lines) != 1 || created.Lines[0].Sku != "MUG-1" {
		t.Fatalf("CreateOrder = %+v", created)
	}
	// security: [] -> no token at all.
	if s, err := e.orders.Health(context.Background()); err != nil || s != "ok" {
		t.Fatalf("Health = %q, %v", s, err)
	}
	// client_credentials (service grant).
	stock, err := e.inventory.GetStock(context.Background(), "MUG-1", &inventory.GetStockParams{Warehouse: []string{"ams-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if stock.Levels["ams-1"] != 12 {
		t.Fatalf("GetStock = %+v", stock)
	}
	// passthrough (operation override): alice's own token.
	me, err := e.profiles.GetMyProfile(alice)
	if err != nil {
		t.Fatal(err)
	}
	contact, err := me.Contact.ValueByDiscriminator()
	if err != nil {
		t.Fatal(err)
	}
	if ec, ok := contact.(*profiles.EmailContact); !ok || ec.Address != "alice@example.com" {
		t.Fatalf("contact = %#v", contact)
	}
	// The profile is the caller's: bob's own token gets bob's, never alice's.
	if me.DisplayName != "Alice" {
		t.Fatalf("alice's GetMyProfile = %q", me.DisplayName)
	}
	if bob, err := e.profiles.GetMyProfile(e.user(t, "bob", nil)); err != nil || bob.DisplayName != "Bob" || bob.ID != "bob" {
		t.Fatalf("bob's GetMyProfile = %+v, %v; want bob's own profile", bob, err)
	}
	// auto: a user's token is exchanged; a verified system caller and work for
	// no caller (context.Background) use client credentials.
	if _, err := e.profiles.GetProfile(alice, "bob"); err != nil {
		t.Fatal(err)
	}
	system := runtime.ContextWithCaller(e.user(t, "batch-job", map[string]any{"userType": "system"}), runtime.Caller{System: true})
	if _, err := e.profiles.GetProfile(system, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.profiles.GetProfile(context.Background(), "bob"); err != nil {
		t.Fatal(err)
	}
	// none (service grant).
	found, err := e.pets.FindPets(context.Background(), &pets.FindPetsParams{Tags: []string{"dog", "cat"}, Limit: ptr(int32(5))})
	if err != nil || len(found) != 1 || found[0].Name != "Rex" {
		t.Fatalf("FindPets = %+v, %v", found, err)
	}

	seen := e.shop.Seen()
	want := []shop.Seen{
		{Service: "orders", Subject: "alice", Actor: authserver.DefaultTXClientID},
		{Service: "orders", Subject: "alice", Actor: authserver.DefaultTXClientID}, // ListOrdersAll, page 1
		{Service: "orders", Subject: "alice", Actor: authserver.DefaultTXClientID}, // and page 2
		{Service: "orders", Subject: authserver.DefaultTXClientID},
		{Service: "inventory", Subject: authserver.DefaultTXClientID},
		{Service: "profiles", Subject: "alice"},
		{Service: "profiles", Subject: "bob"},
		{Service: "profiles", Subject: "alice", Actor: authserver.DefaultTXClientID},
		{Service: "profiles", Subject: authserver.DefaultTXClientID},
		{Service: "profiles", Subject: authserver.DefaultTXClientID},
	}
	if len(seen) != len(want) {
		t.Fatalf("backends verified %d tokens, want %d: %+v", len(seen), len(want), seen)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("token %d: got %+v, want %+v", i, seen[i], want[i])
		}
	}
	for _, c := range e.shop.Servers["pets"].Calls() {
		if c.Header.Get("Authorization") != "" {
			t.Errorf("pets (grant none) received an Authorization header")
		}
	}
	// The second profiles client-credentials call was served from the cache.
	if n := e.auth.TokenRequestsFor(authserver.GrantClientCredentials); n != 3 {
		t.Errorf("client credentials token requests = %d, want 3 (orders.write, inventory, profiles)", n)
	}
}

func TestDeclaredErrorsAreTyped(t *testing.T) {
	e := setup(t)
	alice := e.user(t, "alice", nil)
	_, err := e.orders.GetOrder(alice, "00000000-0000-4000-8000-000000000000")
	var re *runtime.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 404 || re.Service != "orders" || re.Operation != "getOrder" || re.MessageID == "" {
		t.Fatalf("GetOrder(unknown) error = %#v", err)
	}
	p, ok := runtime.ErrorModel[*orders.Problem](err)
	if !ok || p.Title != "no such order" || p.Status != 404 {
		t.Fatalf("ErrorModel = %+v, %v", p, ok)
	}
	err = e.orders.CancelOrder(alice, "6f1c2a9e-8d7b-4c1e-9f0a-2b3c4d5e6f70")
	if p, ok := runtime.ErrorModel[*orders.Problem](err); !ok || p.Status != 409 {
		t.Fatalf("CancelOrder error = %v", err)
	}
}

func TestMessageIDFlowsThroughMiddleware(t *testing.T) {
	e := setup(t)
	var got []string
	front := runtime.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := e.orders.ListOrders(r.Context(), nil); err != nil {
			t.Error(err)
		}
		if _, err := e.inventory.GetStock(r.Context(), "MUG-1", nil); err != nil {
			t.Error(err)
		}
	}), runtime.MiddlewareConfig{ServerTiming: func(*http.Request) bool { return true }})
	srv := httptest.NewServer(front)
	defer srv.Close()
	tok, _ := e.auth.IssueToken("alice", nil)
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Message-Id", "checkout-42")
	req.Header.Set(runtime.DefaultDiagnosticsHeader, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Message-Id") != "checkout-42" {
		t.Errorf("response message id = %q", resp.Header.Get("X-Message-Id"))
	}
	st := resp.Header.Get("Server-Timing")
	for _, want := range []string{"orders.listOrders;dur=", "inventory.getStock;dur=", "auth-tx;dur=", "auth-cc;dur=", "app;dur="} {
		if !contains(st, want) {
			t.Errorf("Server-Timing %q lacks %q", st, want)
		}
	}
	for _, name := range []string{"orders", "inventory"} {
		for _, c := range e.shop.Servers[name].Calls() {
			got = append(got, c.Header.Get("X-Message-Id"))
		}
	}
	for _, r := range e.auth.TokenLog() {
		got = append(got, r.Header.Get("X-Message-Id"))
	}
	if len(got) != 4 {
		t.Fatalf("saw %d requests, want 2 calls and 2 token requests", len(got))
	}
	for _, id := range got {
		if id != "checkout-42" {
			t.Errorf("an outgoing request carried message id %q", id)
		}
	}
}

// TestWhoACallIsMadeAs: through Middleware with a jwt.Verifier, a
// verified system caller gets the shop's identity under grant auto; a forged
// token claiming to be a system is refused before anything is sent; an
// anonymous caller's calls fail with runtime.ErrAnonymous and send nothing.
func TestWhoACallIsMadeAs(t *testing.T) {
	e := setup(t)
	var last error
	front := httptest.NewServer(runtime.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, last = e.profiles.GetProfile(r.Context(), "bob") // grant auto
		if errors.Is(last, runtime.ErrAnonymous) {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}), runtime.MiddlewareConfig{VerifyCaller: (&jwt.Verifier{Issuer: e.auth.Issuer(), Audience: "caller",
		System: jwt.ClaimIs("userType", "system")}).VerifyCaller}))
	defer front.Close()
	get := func(token string) int {
		req, _ := http.NewRequest("GET", front.URL, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	system, _ := e.auth.IssueToken("batch-job", map[string]any{"userType": "system"})
	user, _ := e.auth.IssueToken("alice", map[string]any{"userType": "system-admin"})
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","userType":"system"}`)) + "."
	for _, c := range []struct {
		name, token string
		status      int
		seen        *shop.Seen // what the backend saw; nil: nothing reached it
	}{
		{"verified system caller", system, 200, &shop.Seen{Service: "profiles", Subject: authserver.DefaultTXClientID}},
		{"user", user, 200, &shop.Seen{Service: "profiles", Subject: "alice", Actor: authserver.DefaultTXClientID}},
		{"forged system token", forged, 401, nil},
		{"anonymous", "", 401, nil},
	} {
		tokens, seen := e.auth.TokenRequests(), len(e.shop.Seen())
		if got := get(c.token); got != c.status {
			t.Errorf("%s: status %d, want %d (%v)", c.name, got, c.status, last)
		}
		after := e.shop.Seen()[seen:]
		switch {
		case c.seen == nil && (len(after) != 0 || e.auth.TokenRequests() != tokens):
			t.Errorf("%s: %d token requests, backend saw %+v; want nothing sent", c.name, e.auth.TokenRequests()-tokens, after)
		case c.seen != nil && (len(after) != 1 || after[0] != *c.seen):
			t.Errorf("%s: backend saw %+v, want %+v", c.name, after, *c.seen)
		}
	}
	if !errors.Is(last, runtime.ErrAnonymous) {
		t.Errorf("anonymous caller: %v, want runtime.ErrAnonymous", last)
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}

// TestPetsAPIKey: the pets spec takes its petsKey API key for the
// operations that change pets and nothing for the others; the backend checks
// each request against the spec's security requirements. The key goes in
// X-Pets-Key only where the spec asks for it, from services.yaml's
// ${PETS_API_KEY}; without one (grant none) the call goes without it and is
// refused.
func TestPetsAPIKey(t *testing.T) {
	e := setup(t)
	withKey, err := pets.New(runtime.WithLookupEnv(func(k string) (string, bool) {
		if k == "PETS_API_KEY" {
			return shop.PetsAPIKey, true
		}
		return "", false
	}), runtime.WithBaseURL(e.shop.BaseURL("pets")))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := withKey.AddPet(ctx, &pets.NewPet{Name: "Tom"}); err != nil {
		t.Fatal(err)
	}
	if _, err := withKey.FindPets(ctx, nil); err != nil {
		t.Fatal(err)
	}
	calls := e.shop.Servers["pets"].Calls()
	if len(calls) != 2 || calls[0].Header.Get("X-Pets-Key") != shop.PetsAPIKey || calls[1].Header.Get("X-Pets-Key") != "" {
		t.Errorf("the key went to %d calls: %+v", len(calls), calls)
	}
	err = e.pets.DeletePet(ctx, 1) // e.pets has no key
	if !errors.Is(err, runtime.ErrUnauthorized) {
		t.Errorf("DeletePet without the key: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
