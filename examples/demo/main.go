// Command demo calls the example's generated clients (examples/gen) the way a
// real service would, against local stand-ins: an OAuth2/OIDC provider and the
// four backend services, which check every request against their spec and
// verify every token. It prints each outgoing call, each token request, the
// message ids and the Server-Timing header a caller would see.
//
//	go run ./examples/demo
package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"time"

	"github.com/tpgen/tpgen/examples/gen/inventory"
	"github.com/tpgen/tpgen/examples/gen/orders"
	"github.com/tpgen/tpgen/examples/gen/pets"
	"github.com/tpgen/tpgen/examples/gen/profiles"
	"github.com/tpgen/tpgen/examples/internal/shop"
	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/jwt"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// printer is the clients' Observer: one line per call and per token request.
type printer struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *printer) ObserveCall(_ context.Context, r *runtime.Record) {
	tok := "-"
	if r.Status == 0 && r.Err != nil {
		tok = "none sent"
	} else if r.Grant == runtime.GrantPassthrough {
		tok = "passthrough (the caller's own)"
	} else if r.Grant != runtime.GrantNone {
		tok = fmt.Sprintf("%s, fetched in %s", r.Grant, ms(r.Token))
		if r.TokenCache {
			tok = fmt.Sprintf("%s, from cache", r.Grant)
		}
	}
	if r.Grant == runtime.GrantNone && r.Scheme != "" {
		tok = "none; the spec's " + r.Scheme + " credentials"
	}
	status := fmt.Sprint(r.Status)
	if r.Err != nil {
		status += " (" + firstLine(r.Err.Error()) + ")"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "    call  %-24s %s %-6s token: %-42s round trip %-7s decode %-7s msg %s\n",
		r.Service+"."+r.Operation, status, "", tok, ms(r.RoundTrip), ms(r.Decode), r.MessageID)
}

func (p *printer) ObserveToken(_ context.Context, e *runtime.TokenEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	what := "token request"
	if e.Background {
		what = "token refresh (background)"
	}
	fmt.Fprintf(p.w, "    auth  %-24s %s for %s: %s (msg %s)\n", e.Service+"."+e.Operation, e.Grant, what, ms(e.Duration), e.MessageID)
}

func run(w io.Writer) error {
	auth, err := authserver.Start()
	if err != nil {
		return err
	}
	defer auth.Close()
	sh, err := shop.Start(auth, specDir())
	if err != nil {
		return err
	}
	defer sh.Close()

	obs := &printer{w: w}
	opts := func(service string) []runtime.Option {
		return []runtime.Option{
			runtime.WithBaseURL(sh.BaseURL(service)), runtime.WithAuth(runtime.Auth{
				Issuer:       auth.Issuer(),
				ClientID:     authserver.DefaultTXClientID,
				ClientSecret: authserver.DefaultTXClientSecret,
			}),
			runtime.WithObserver(obs),
		}
	}
	ord, err := orders.New(opts("orders")...)
	if err != nil {
		return err
	}
	inv, err := inventory.New(opts("inventory")...)
	if err != nil {
		return err
	}
	prof, err := profiles.New(opts("profiles")...)
	if err != nil {
		return err
	}
	// The pets API is public but for changes, which take the spec's petsKey
	// API key: PETS_API_KEY (services.yaml), TPGEN_PETS_API_KEY, or this option.
	pet, err := pets.New(runtime.WithBaseURL(sh.BaseURL("pets")), runtime.WithObserver(obs), runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"petsKey": shop.PetsAPIKey}}))
	if err != nil {
		return err
	}

	// The shop's own checkout endpoint: what a team would write with the clients.
	checkout := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		me, err := prof.GetMyProfile(ctx) // passthrough: the caller's own token
		if errors.Is(err, runtime.ErrAnonymous) {
			http.Error(rw, "sign in first", http.StatusUnauthorized) // nothing was sent
			return
		}
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		stock, err := inv.GetStock(ctx, "MUG-1", nil) // client credentials
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		list, err := ord.ListOrders(ctx, &orders.ListOrdersParams{Status: []orders.OrderStatus{orders.OrderStatusPaid}}) // token exchange
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		placed, err := ord.CreateOrder(ctx, &orders.NewOrder{Lines: []orders.OrderLine{{Sku: "MUG-1", Quantity: 1}}}, nil) // client credentials (override)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		found, err := pet.FindPets(ctx, &pets.FindPetsParams{Tags: []string{"dog"}}) // no auth
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(rw, "%s: %d units in ams-1, %d earlier orders, placed %s, %d pets\n",
			me.DisplayName, stock.Levels["ams-1"], len(list.Body), placed.Status, len(found))
	})
	// Middleware verifies every caller's token before the handler runs (a forged
	// one is answered 401): signed by the provider's published keys, for the
	// shop (the provider mints callers' tokens for audience "caller"), not
	// expired. A verified token with userType=system is a system caller, whose
	// calls under grant auto are made as the shop itself.
	callers := &jwt.Verifier{Issuer: auth.Issuer(), Audience: "caller", System: jwt.ClaimIs("userType", "system")}
	// Server-Timing names internal services and timings: only for callers on
	// this machine, and only when they ask (Tp-Diag: 1).
	fromLoopback := func(r *http.Request) bool {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		ip := net.ParseIP(host)
		return ip != nil && ip.IsLoopback()
	}
	front := httptest.NewServer(runtime.Middleware(checkout, runtime.MiddlewareConfig{ServerTiming: fromLoopback, VerifyCaller: callers.VerifyCaller}))
	defer front.Close()

	alice, err := auth.IssueToken("alice", nil)
	if err != nil {
		return err
	}
	bob, err := auth.IssueToken("bob", nil)
	if err != nil {
		return err
	}
	// Unsigned (alg "none"): anyone can write it.
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","userType":"system"}`)) + "."
	for i, req := range []struct{ who, token, mid string }{
		{"alice", alice, "checkout-alice-1"},
		{"alice again (tokens now cached)", alice, "checkout-alice-2"},
		{"bob (his own exchanged token, never alice's)", bob, ""},
		{"nobody (no token: an anonymous caller, refused before anything is sent)", "", ""},
		{"someone with a forged token that claims userType=system (refused by the verifier)", forged, ""},
	} {
		fmt.Fprintf(w, "\n%d. GET /checkout as %s\n", i+1, req.who)
		hr, _ := http.NewRequest(http.MethodGet, front.URL+"/checkout", nil)
		if req.token != "" {
			hr.Header.Set("Authorization", "Bearer "+req.token)
		}
		hr.Header.Set(runtime.DefaultDiagnosticsHeader, "1")
		if req.mid != "" {
			hr.Header.Set("X-Message-Id", req.mid)
		}
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Fprintf(w, "  -> %d %s", resp.StatusCode, body)
		fmt.Fprintf(w, "     X-Message-Id: %s\n", resp.Header.Get("X-Message-Id"))
		if st := resp.Header.Get("Server-Timing"); st != "" {
			fmt.Fprintf(w, "     Server-Timing: %s\n", st)
		}
	}

	fmt.Fprintf(w, "\n6. A background job (no caller at all): profiles' grant auto uses the shop's own identity\n")
	if _, err := prof.GetProfile(runtime.ContextWithMessageID(context.Background(), "nightly-sync"), "alice"); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n7. A declared error comes back typed\n")
	_, err = ord.GetOrder(runtime.ContextWithCallerToken(context.Background(), alice), "00000000-0000-4000-8000-000000000000")
	if p, ok := runtime.ErrorModel[*orders.Problem](err); ok {
		fmt.Fprintf(w, "    error: %v\n    model: *orders.Problem{Title: %q, Status: %d}\n", err, p.Title, p.Status)
	}

	fmt.Fprintf(w, "\n8. The pets API: reading is public, adding a pet sends the spec's API key (X-Pets-Key), and nothing else\n")
	added, err := pet.AddPet(context.Background(), &pets.NewPet{Name: "Tom", Tag: ptr("cat")})
	if err != nil {
		return err
	}
	calls := sh.Servers["pets"].Calls()
	last := calls[len(calls)-1]
	fmt.Fprintf(w, "    added %s (id %d); the backend got X-Pets-Key: %t, Authorization: %t\n", added.Name, added.ID,
		last.Header.Get("X-Pets-Key") == shop.PetsAPIKey, last.Header.Get("Authorization") != "")

	fmt.Fprintf(w, "\nToken endpoint: %d requests (%d client credentials, %d token exchange); discovery fetched %d time(s).\n",
		auth.TokenRequests(), auth.TokenRequestsFor(authserver.GrantClientCredentials), auth.TokenRequestsFor(authserver.GrantTokenExchange), auth.DiscoveryRequests())
	bad := 0
	for _, srv := range sh.Servers {
		bad += len(srv.Invalid())
	}
	fmt.Fprintf(w, "Backends: %d tokens verified, %d requests that did not match their spec.\n", len(sh.Seen()), bad)
	return nil
}

// specDir finds examples/specs next to this file, wherever the demo is run from.
func specDir() string {
	if _, err := os.Stat(filepath.Join("examples", "specs")); err == nil {
		return filepath.Join("examples", "specs")
	}
	_, file, _, _ := goruntime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "specs")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func ptr[T any](v T) *T { return &v }
