package runtime_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
)

// TestTokenSource: the oauth2.TokenSource serves the service's cached token,
// which the provider verifies, and shares the cache with calls.
func TestTokenSource(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	svc := ccService(t, auth, a)
	ts := svc.TokenSource(context.Background())
	first, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	second, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if first.AccessToken != second.AccessToken || !first.Valid() || first.Type() != "Bearer" {
		t.Fatalf("tokens %v / %v", first.Type(), second.Type())
	}
	claims, err := auth.Verify(context.Background(), first.AccessToken)
	if err != nil || claims.Subject != authserver.DefaultCCClientID || !claims.HasAudience("orders-api") {
		t.Fatalf("claims %+v, %v", claims, err)
	}
	if _, err := getOrder(context.Background(), svc, "1"); err != nil {
		t.Fatal(err)
	}
	if n := auth.TokenRequests(); n != 1 {
		t.Errorf("token requests = %d, want 1 for two Token calls and a call", n)
	}

	none := newService(t, runtime.ServiceConfig{Name: "pets"}, runtime.WithBaseURL(a.URL), runtime.WithAuth(runtime.Auth{Grant: runtime.GrantNone}))
	_, err = none.TokenSource(context.Background()).Token()
	var ce *runtime.CallError
	if !errors.As(err, &ce) {
		t.Fatalf("grant none: %v", err)
	}
}
