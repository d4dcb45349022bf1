package runtime_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

func TestClientCredentials(t *testing.T) {
	auth := startProvider(t)
	tests := []struct {
		name       string
		opts       []runtime.Option
		issuer     bool // discovery instead of a token URL
		wantAuth   string
		wantScope  string
		wantScopes []string
	}{
		{name: "basic, discovery", issuer: true, wantAuth: "client_secret_basic"},
		{name: "basic, token URL", opts: []runtime.Option{runtime.WithAuth(runtime.Auth{TokenURL: auth.TokenURL()})}, wantAuth: "client_secret_basic"},
		{name: "client_secret_post", issuer: true, opts: []runtime.Option{runtime.WithAuth(runtime.Auth{ClientAuth: token.ClientSecretPost})}, wantAuth: "client_secret_post"},
		{name: "scopes", issuer: true, opts: []runtime.Option{runtime.WithAuth(runtime.Auth{Scopes: []string{"orders.write", "orders.read", "orders.write"}})},
			wantAuth: "client_secret_basic", wantScope: "orders.read orders.write", wantScopes: []string{"orders.read", "orders.write"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth.ResetCounters()
			a := newAPI(t, auth, "orders-api")
			obs := &observer{}
			opts := append([]runtime.Option{runtime.WithObserver(obs)}, tt.opts...)
			if !tt.issuer {
				opts = append(opts, runtime.WithAuth(runtime.Auth{Issuer: ""}))
			}
			svc := ccService(t, auth, a, opts...)
			const n = 20
			for i := range n {
				e, err := getOrder(context.Background(), svc, "42")
				if err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
				if e.Subject != authserver.DefaultCCClientID || e.Actor != "" || !slices.Equal(e.Scopes, tt.wantScopes) {
					t.Fatalf("call %d: token says %+v", i, e)
				}
			}
			if got := auth.TokenRequests(); got != 1 {
				t.Errorf("token requests = %d, want 1 for %d calls", got, n)
			}
			// Discovery is fetched once per issuer and process, shared by every
			// Service: at most once here, never without an issuer.
			if got := auth.DiscoveryRequests(); got > 1 || (!tt.issuer && got != 0) {
				t.Errorf("discovery requests = %d, want at most 1 (and 0 without an issuer)", got)
			}
			log := auth.TokenLog()
			if len(log) != 1 {
				t.Fatalf("token log %+v", log)
			}
			if r := log[0]; r.GrantType != authserver.GrantClientCredentials || r.ClientAuth != tt.wantAuth ||
				r.ClientID != authserver.DefaultCCClientID || r.Scope != tt.wantScope || !slices.Equal(r.Audience, []string{"orders-api"}) {
				t.Errorf("token request %+v", r)
			}
			if hits := a.Hits(); len(hits) != n {
				t.Errorf("api saw %d calls, want %d", len(hits), n)
			}
			recs := obs.Records()
			if len(recs) != n {
				t.Fatalf("%d records", len(recs))
			}
			for i, r := range recs {
				if r.Grant != runtime.GrantClientCredentials || r.TokenCache != (i > 0) || r.Status != 200 || r.Attempts != 1 ||
					r.Service != "orders" || r.Operation != "getOrder" || r.Path != "/orders/{id}" || r.Err != nil {
					t.Errorf("record %d: %+v", i, r)
				}
			}
		})
	}
}

// TestOperationScopes checks that an operation's own scopes get their own token.
func TestOperationScopes(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	svc := ccService(t, auth, a, runtime.WithAuth(runtime.Auth{Scopes: []string{"orders.read"}}))
	write := tpgenimpl.Operation{ID: "createOrder", Method: "POST", Path: "/orders", Scopes: []string{"orders.write", "orders.read"},
		RequestBody: tpgenimpl.BodyJSON, ContentType: "application/json",
		Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true, Body: tpgenimpl.BodyJSON}}}
	none := tpgenimpl.Operation{ID: "health", Method: "GET", Path: "/health", Grant: runtime.GrantNone,
		Responses: []tpgenimpl.ResponseSpec{{Success: true}}}
	ctx := context.Background()
	for range 3 {
		if _, err := getOrder(ctx, svc, "1"); err != nil {
			t.Fatal(err)
		}
		var e echo
		if err := tpgenimpl.Invoke(ctx, svc, &write, nil, nil, struct{}{}, &e); err != nil || !slices.Equal(e.Scopes, []string{"orders.read", "orders.write"}) {
			t.Errorf("createOrder token scopes %v, %v", e.Scopes, err)
		}
	}
	a.optional = true
	if err := tpgenimpl.Invoke(ctx, svc, &none, nil, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if h := a.Hits(); h[len(h)-1].Auth != "" {
		t.Error("GrantNone operation sent Authorization")
	}
	if got := auth.TokenRequests(); got != 2 {
		t.Errorf("token requests = %d, want 2 (one per scope set)", got)
	}
}

// TestSingleFlight: many cold calls at once share one token request.
func TestSingleFlight(t *testing.T) {
	auth := startProvider(t)
	// A slow endpoint keeps the request in flight while every caller arrives.
	auth.SetFault(authserver.Fault{Delay: 300 * time.Millisecond})
	a := newAPI(t, auth, "orders-api")
	svc := ccService(t, auth, a, runtime.WithAuth(runtime.Auth{TokenURL: auth.TokenURL()}))
	const n = 500
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			<-start
			_, err := getOrder(context.Background(), svc, "7")
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := auth.TokenRequests(); got != 1 {
		t.Errorf("token requests = %d, want 1 for %d concurrent cold calls", got, n)
	}
	if got := len(a.Hits()); got != n {
		t.Errorf("api saw %d calls, want %d", got, n)
	}
}

// TestSingleFlightCallerGivesUp: a caller whose context ends stops waiting, but
// the shared token request goes on and serves the others.
func TestSingleFlightCallerGivesUp(t *testing.T) {
	auth := startProvider(t)
	auth.SetFault(authserver.Fault{Delay: 400 * time.Millisecond})
	a := newAPI(t, auth, "orders-api")
	svc := ccService(t, auth, a)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	var patientErr error
	wg.Go(func() { _, patientErr = getOrder(context.Background(), svc, "1") })
	time.Sleep(20 * time.Millisecond)
	_, err := getOrder(ctx, svc, "1")
	te := asTokenError(t, err)
	if te.StatusCode != 0 || te.Operation != "getOrder" {
		t.Errorf("impatient caller: %+v", te)
	}
	wg.Wait()
	if patientErr != nil {
		t.Errorf("patient caller: %v", patientErr)
	}
	if got := auth.TokenRequests(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
}
