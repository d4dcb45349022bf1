package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// TestTokenEndpointFailures: whatever goes wrong at the token endpoint, the call
// fails with a *token.Error that says where and why, carries the message id,
// and shows neither the client secret nor any token. The failure is remembered
// for a second: calls then fail at once, with the same status, without a request.
func TestTokenEndpointFailures(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.anyActor = true
	alice := user(t, auth, "alice", nil)
	tests := []struct {
		name       string
		fault      authserver.Fault
		secret     string // a wrong secret instead of a fault
		ctxTimeout time.Duration
		opts       []runtime.Option
		status     int
		code, desc string
		errIs      error  // errors.Is(err, errIs)
		errText    string // in Error()
	}{
		{name: "500 html", fault: authserver.Fault{Status: 500, Body: "<html><b>Internal</b> error</html>", ContentType: "text/html"},
			status: 500, errText: "500 Internal Server Error"},
		{name: "400 invalid_client", fault: authserver.Fault{Status: 400, Body: `{"error":"invalid_client","error_description":"client authentication failed"}`},
			status: 400, code: "invalid_client", desc: "client authentication failed", errText: "invalid_client (client authentication failed)"},
		{name: "real provider, wrong secret", secret: "wrong-secret-Zx81",
			status: 401, code: "invalid_client", errText: "401 Unauthorized: invalid_client"},
		{name: "garbage 200", fault: authserver.Fault{Status: 200, Body: "surprise! not json", ContentType: "application/json"},
			status: 200, errText: "is not a JSON token response"},
		{name: "200 without access_token", fault: authserver.Fault{Status: 200, Body: `{"token_type":"Bearer","expires_in":300}`},
			status: 200, errText: "no access_token"},
		{name: "timeout: context deadline", fault: authserver.Fault{Hang: true}, ctxTimeout: 300 * time.Millisecond,
			errIs: context.DeadlineExceeded},
		{name: "timeout: token.Config.Timeout", fault: authserver.Fault{Delay: 3 * time.Second},
			opts: []runtime.Option{runtime.WithAuth(runtime.Auth{Tokens: token.Config{Timeout: 200 * time.Millisecond}})}, errIs: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		for _, grant := range []runtime.Grant{runtime.GrantClientCredentials, runtime.GrantTokenExchange} {
			t.Run(tt.name+"/"+grant.String(), func(t *testing.T) {
				auth.SetFault(tt.fault)
				defer auth.Reset()
				id, secret := authserver.DefaultTXClientID, authserver.DefaultTXClientSecret
				if tt.secret != "" {
					secret = tt.secret
				}
				clock := &fakeClock{t: time.Now()}
				opts := append([]runtime.Option{runtime.WithAuth(runtime.Auth{
					TokenURL:     auth.TokenURL(),
					ClientID:     id,
					ClientSecret: secret,
					Tokens:       token.Config{Now: clock.Now},
				})}, tt.opts...)
				svc := txService(t, auth, a, grant, opts...)
				ctx := runtime.ContextWithMessageID(runtime.ContextWithCallerToken(context.Background(), alice), "mid-"+strings.ReplaceAll(t.Name(), "/", "-"))
				if tt.ctxTimeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.ctxTimeout)
					defer cancel()
				}
				apiBefore := len(a.Hits())
				start := time.Now()
				_, err := getOrder(ctx, svc, "1")
				// A refused or failed token request fails the call, retries
				// included, well before the 15 s token timeout: a bound that
				// tells waiting out the timeout from failing, with room for a
				// loaded machine.
				if d := time.Since(start); d > 10*time.Second {
					t.Errorf("the call took %s", d)
				}
				te := asTokenError(t, err)
				if te.Service != "orders" || te.Operation != "getOrder" || te.Grant.String() != grant.String() || te.TokenURL != auth.TokenURL() ||
					te.MessageID != runtime.MessageIDFrom(ctx) || te.StatusCode != tt.status || te.Code != tt.code || (tt.desc != "" && te.Description != tt.desc) {
					t.Errorf("token.Error %+v", te)
				}
				if tt.errIs != nil && !errors.Is(err, tt.errIs) {
					t.Errorf("errors.Is(err, %v) is false: %v", tt.errIs, err)
				}
				msg := err.Error()
				if !strings.Contains(msg, tt.errText) || !strings.Contains(msg, te.MessageID) || !strings.Contains(msg, "orders.getOrder") {
					t.Errorf("Error() = %q", msg)
				}
				for _, s := range []string{secret, alice, "surprise"} {
					if strings.Contains(msg, s) || strings.Contains(fmt.Sprintf("%+v", te), s) {
						t.Errorf("error shows %.12q…: %s", s, msg)
					}
				}
				if len(a.Hits()) != apiBefore {
					t.Error("the call reached the service without a token")
				}
				// The failure is remembered for a moment: the next call fails at
				// once with it, without a request. (A request still in flight
				// when its caller gave up is joined instead.)
				if tt.ctxTimeout == 0 {
					requests := auth.TokenRequests()
					ctx2 := runtime.ContextWithMessageID(runtime.ContextWithCallerToken(context.Background(), alice), "mid-again")
					_, err := getOrder(ctx2, svc, "1")
					again := asTokenError(t, err)
					if !errors.Is(err, token.ErrBackoff) || auth.TokenRequests() != requests {
						t.Errorf("the next call made %d token requests: %v", auth.TokenRequests()-requests, err)
					}
					if again.StatusCode != te.StatusCode || again.Code != te.Code || again.MessageID != "mid-again" ||
						again.RetryAfter <= 0 || again.RetryAfter > time.Second || (tt.errIs != nil && !errors.Is(err, tt.errIs)) {
						t.Errorf("remembered failure %+v", again)
					}
				}
				// Once the endpoint recovers and the moment has passed, so does the service.
				auth.Reset()
				clock.Advance(time.Second)
				if tt.secret == "" {
					if _, err := getOrder(runtime.ContextWithCallerToken(context.Background(), alice), svc, "1"); err != nil {
						t.Errorf("after recovery: %v", err)
					}
				}
			})
		}
	}
}

// TestDiscoveryFailure: an issuer whose discovery fails gives a *token.Error,
// and discovery is tried again on the next call.
func TestDiscoveryFailure(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	broken := newForeignHost(t) // answers every path with JSON that names no token endpoint
	// Discovery results are kept per issuer for the process: an issuer path of
	// its own keeps this test from finding what an earlier test's provider, on
	// a reused port, left there.
	issuer := broken.URL + "/" + runtime.NewMessageID()
	svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(a.URL), runtime.WithAuth(runtime.Auth{
		Issuer:       issuer,
		Grant:        runtime.GrantClientCredentials,
		ClientID:     authserver.DefaultCCClientID,
		ClientSecret: authserver.DefaultCCClientSecret,
	}))
	_, err := getOrder(context.Background(), svc, "1")
	te := asTokenError(t, err)
	if te.TokenURL != issuer || !strings.Contains(err.Error(), "no token_endpoint") || strings.Contains(err.Error(), authserver.DefaultCCClientSecret) {
		t.Errorf("%+v: %v", te, err)
	}
	// The failure is remembered: calls right after it fail at once, without
	// asking the issuer again, and say so.
	before := len(broken.Auths())
	for range 20 {
		_, err = getOrder(context.Background(), svc, "1")
		if !errors.Is(err, token.ErrBackoff) || !strings.Contains(err.Error(), "no token_endpoint") {
			t.Fatalf("a call right after a failed discovery: %v, want token.ErrBackoff naming the failure", err)
		}
	}
	if n := len(broken.Auths()); n != before {
		t.Errorf("20 calls after a failed discovery fetched it %d more times, want 0", n-before)
	}
}
