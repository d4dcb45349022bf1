package roundtrip_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/internal/roundtrip/gen/security"
	"github.com/tpgen/tpgen/internal/specserver"
	"github.com/tpgen/tpgen/runtime"
)

// The credentials the security server accepts, by scheme.
var accepted = map[string]string{
	"apiKey":    "vendor-key-Lp20",
	"appKey":    "app-key-Mo31",
	"queryKey":  "query key/+&=Nq42", // changed by query encoding
	"cookieKey": "cookie-key-Or53",
	"basic":     "roundtrip:basic-pw-Ps64",
	"bearer":    "vendor-pat-Qt75",
}

// TestSecuritySchemes calls a generated client against a server that checks
// every request against the spec's security requirements with kin-openapi's
// openapi3filter, which tries each alternative and, within one, every
// scheme: the client's credentials (from options, TPGEN_<SERVICE>_*
// variables and the ${VAR}s of services.yaml) reach the server where each
// scheme says, and the server accepts each call. Without credentials a call
// is not sent at all, or, under grant none, sent without them and refused.
func TestSecuritySchemes(t *testing.T) {
	var mu sync.Mutex
	verified := map[string]int{}
	srv, err := specserver.Start("specs/security.yaml", func(w http.ResponseWriter, r *http.Request, op string, _ map[string]string) {
		w.WriteHeader(http.StatusNoContent)
	}, func(_ context.Context, scheme string, _ []string, cred string) error {
		if want, ok := accepted[scheme]; !ok || cred != want {
			return fmt.Errorf("%s: wrong credential", scheme)
		}
		mu.Lock()
		verified[scheme]++
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := runtime.WithLookupEnv(func(k string) (string, bool) {
		v, ok := map[string]string{
			"TPGEN_SECURITY_API_KEY":          accepted["apiKey"], // every apiKey scheme...
			"TPGEN_SECURITY_API_KEY_QUERYKEY": accepted["queryKey"],
			"ROUNDTRIP_APP_KEY":               accepted["appKey"], // api_keys: appKey: ${ROUNDTRIP_APP_KEY}
			"ROUNDTRIP_PASSWORD":              "basic-pw-Ps64",    // password: ${ROUNDTRIP_PASSWORD}, username: roundtrip
		}[k]
		return v, ok
	})
	all, err := security.New(env, runtime.WithBaseURL(srv.BaseURL()),
		runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"cookieKey": accepted["cookieKey"]}, BearerToken: accepted["bearer"]}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	theme := "dark"
	q := "shoes & socks"
	calls := map[string]func(c *security.Client) error{
		"ListThings": func(c *security.Client) error { return c.ListThings(ctx) },
		"GetThing":   func(c *security.Client) error { return c.GetThing(ctx, "t-1") },
		"Search":     func(c *security.Client) error { return c.Search(ctx, &security.SearchParams{Q: &q}) },
		"GetSession": func(c *security.Client) error { return c.GetSession(ctx, &security.GetSessionParams{Theme: &theme}) },
		"GetMe":      func(c *security.Client) error { return c.GetMe(ctx) },
		"Health":     func(c *security.Client) error { return c.Health(ctx) },
	}
	for name, call := range calls {
		if err := call(all); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if bad := srv.Invalid(); len(bad) > 0 {
		for _, c := range bad {
			t.Errorf("%s: %v", c.Operation, c.Err)
		}
	}
	mu.Lock()
	// ListThings: the API key (first alternative); GetThing: both keys.
	want := map[string]int{"apiKey": 2, "appKey": 1, "queryKey": 1, "cookieKey": 1, "bearer": 1}
	for s, n := range want {
		if verified[s] != n {
			t.Errorf("scheme %s verified %d times, want %d (all: %v)", s, verified[s], n, verified)
		}
	}
	mu.Unlock()

	// Basic credentials only (username from services.yaml, password from
	// its ${VAR}): the default requirement's second alternative.
	basicOnly, err := security.New(runtime.WithLookupEnv(func(k string) (string, bool) {
		if k == "ROUNDTRIP_PASSWORD" {
			return "basic-pw-Ps64", true
		}
		return "", false
	}), runtime.WithBaseURL(srv.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	if err := basicOnly.ListThings(ctx); err != nil {
		t.Errorf("basic alternative: %v", err)
	}
	// GetThing wants both keys or a bearer token: not sent.
	before := len(srv.Calls())
	err = basicOnly.GetThing(ctx, "t-1")
	if !errors.Is(err, runtime.ErrNoCredentials) || len(srv.Calls()) != before || !strings.Contains(err.Error(), "TPGEN_SECURITY_BEARER_TOKEN") {
		t.Errorf("GetThing without its credentials: %v (%d requests)", err, len(srv.Calls())-before)
	}

	// Per call, through the generated methods' options: a token of the
	// caller's own for a bearer requirement, or nothing at all.
	if err := basicOnly.GetMe(ctx, runtime.CallToken(accepted["bearer"])); err != nil {
		t.Errorf("GetMe with runtime.CallToken: %v", err)
	}
	if err := all.GetMe(ctx, runtime.CallWithoutAuth()); !errors.Is(err, runtime.ErrUnauthorized) {
		t.Errorf("GetMe with runtime.CallWithoutAuth: %v", err)
	}

	// Without any credentials New says what the default requirement needs.
	_, err = security.New(noEnv, runtime.WithBaseURL(srv.BaseURL()), runtime.WithAuth(runtime.Auth{Grant: runtime.GrantPassthrough}))
	if !errors.Is(err, runtime.ErrNoCredentials) || !strings.Contains(err.Error(), "TPGEN_SECURITY_API_KEY_APIKEY") {
		t.Errorf("New without credentials: %v", err)
	}
	// Under grant none, calls go without them, and the server refuses them.
	none, err := security.New(noEnv, runtime.WithBaseURL(srv.BaseURL()), runtime.WithAuth(runtime.Auth{Grant: runtime.GrantNone}))
	if err != nil {
		t.Fatal(err)
	}
	if err := none.GetMe(ctx); !errors.Is(err, runtime.ErrUnauthorized) {
		t.Errorf("grant none without credentials: %v", err)
	}
}
