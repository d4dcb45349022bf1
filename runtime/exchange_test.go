package runtime_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

func TestTokenExchange(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.actor = authserver.DefaultTXClientID // every token must be an exchanged one
	obs := &observer{}
	svc := txService(t, auth, a, runtime.GrantTokenExchange, runtime.WithObserver(obs))
	alice, bob := user(t, auth, "alice", nil), user(t, auth, "bob", nil)

	// Interleaved calls of two users, concurrently: each always gets a token
	// for itself, and each user's token is exchanged once.
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			sub, tok := "alice", alice
			if i%2 == 1 {
				sub, tok = "bob", bob
			}
			e, err := getOrder(runtime.ContextWithCallerToken(context.Background(), "Bearer "+tok), svc, "1")
			if err != nil {
				t.Error(err)
				return
			}
			if e.Subject != sub || e.Actor != authserver.DefaultTXClientID {
				t.Errorf("%s's call reached the service as %q (actor %q)", sub, e.Subject, e.Actor)
			}
		})
	}
	wg.Wait()
	if got := auth.TokenRequestsFor(authserver.GrantTokenExchange); got != 2 {
		t.Errorf("exchanges = %d, want 2 (one per user)", got)
	}
	if got := auth.TokenRequests(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
	for _, r := range auth.TokenLog() {
		if r.SubjectTokenType != token.TypeAccessToken || !r.HasSubjectToken || r.ClientID != authserver.DefaultTXClientID {
			t.Errorf("exchange request %+v", r)
		}
	}
	// The exchanged tokens differ per user, and neither is the caller's own token.
	byUser := map[string]map[string]bool{}
	for _, h := range a.Hits() {
		tok := strings.TrimPrefix(h.Auth, "Bearer ")
		if tok == alice || tok == bob {
			t.Fatal("the caller's token reached the service")
		}
		if byUser[h.Claims.Subject] == nil {
			byUser[h.Claims.Subject] = map[string]bool{}
		}
		byUser[h.Claims.Subject][tok] = true
	}
	if len(byUser) != 2 || len(byUser["alice"]) != 1 || len(byUser["bob"]) != 1 {
		t.Errorf("tokens per user: %v", byUser)
	}
	for _, r := range obs.Records() {
		if r.Grant != runtime.GrantTokenExchange {
			t.Errorf("record grant %s", r.Grant)
		}
	}

	// An external, opaque caller token is exchanged too.
	e, err := getOrder(runtime.ContextWithCallerToken(context.Background(), "opaque-upstream-token"), svc, "1")
	if err != nil || !strings.HasPrefix(e.Subject, "ext-") || e.Actor != authserver.DefaultTXClientID {
		t.Errorf("external subject: %+v %v", e, err)
	}
}

// TestTokenExchangeNoSubject: without a caller token the call fails before
// anything is sent.
func TestTokenExchangeNoSubject(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	for _, g := range []runtime.Grant{runtime.GrantTokenExchange, runtime.GrantPassthrough} {
		t.Run(g.String(), func(t *testing.T) {
			svc := txService(t, auth, a, g)
			ctx := runtime.ContextWithMessageID(context.Background(), "mid-no-subject")
			_, err := getOrder(ctx, svc, "1")
			var ce *runtime.CallError
			if !errors.As(err, &ce) || ce.Service != "orders" || ce.Operation != "getOrder" || ce.MessageID != "mid-no-subject" {
				t.Fatalf("error %T %v", err, err)
			}
			// Work for no caller is not an anonymous caller: another sentinel of the family.
			if !errors.Is(err, runtime.ErrNoCallerToken) || errors.Is(err, runtime.ErrAnonymous) {
				t.Errorf("errors.Is: ErrNoCallerToken %v, ErrAnonymous %v", errors.Is(err, runtime.ErrNoCallerToken), errors.Is(err, runtime.ErrAnonymous))
			}
			if !strings.Contains(err.Error(), "runtime.Middleware") || !strings.Contains(err.Error(), g.String()) {
				t.Errorf("error does not say what to do: %v", err)
			}
			if auth.TokenRequests() != 0 || auth.DiscoveryRequests() != 0 || len(a.Hits()) != 0 {
				t.Errorf("requests were sent: token %d, discovery %d, api %d", auth.TokenRequests(), auth.DiscoveryRequests(), len(a.Hits()))
			}
		})
	}
}

// TestTokenExchangeMiddleware: the caller's token travels from an incoming
// request, through Middleware and the context, into the exchange.
func TestTokenExchangeMiddleware(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.actor = authserver.DefaultTXClientID
	svc := txService(t, auth, a, runtime.GrantTokenExchange)
	app := httptest.NewServer(runtime.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := getOrder(r.Context(), svc, "1")
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		w.Write([]byte(e.Subject))
	})))
	defer app.Close()
	for _, sub := range []string{"carol", "dave", "carol"} {
		req, _ := http.NewRequest("GET", app.URL, nil)
		req.Header.Set("Authorization", "Bearer "+user(t, auth, sub, nil))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != sub {
			t.Errorf("%s: %d %q", sub, resp.StatusCode, b)
		}
	}
	// A Basic Authorization is not a caller token.
	req, _ := http.NewRequest("GET", app.URL, nil)
	req.SetBasicAuth("u", "p")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 502 {
		t.Errorf("Basic caller: status %d, want 502 (no subject token)", resp.StatusCode)
	}
}
