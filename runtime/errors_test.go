package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// problem is a declared error body, as generated code declares one.
type problem struct {
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Seen   string `json:"seen"`
}

var opDeclared = tpgenimpl.Operation{ID: "getOrder", Method: "GET", Path: "/orders/{id}",
	Params: []tpgenimpl.Param{{Name: "id"}}, Accept: "application/json",
	Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true, Body: tpgenimpl.BodyJSON},
		{Code: 404, Body: tpgenimpl.BodyJSON, Model: func() any { return new(problem) }}}}

// TestDeclaredErrorSays: the text of a declared error names what the body
// said (RFC 9457 title and detail), not only the status, and never what the
// call sent, however the body spells it.
func TestDeclaredErrorSays(t *testing.T) {
	const tok = "eyJhbGciOiJub25lIn0.outgoing-token-Zp31"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(404)
		switch r.URL.Path {
		case "/orders/42":
			fmt.Fprint(w, `{"type":"about:blank","title":"no such order","status":404,"detail":"order 42 does not exist"}`)
		case "/orders/echo":
			// The sent token, its first letter as a JSON escape: byte for byte
			// it is not the token, decoded it is.
			fmt.Fprintf(w, `{"title":"bad","seen":"\u00%x%s"}`, tok[0], tok[1:])
		}
	}))
	defer srv.Close()
	svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(srv.URL))
	ctx := runtime.ContextWithCallOptions(context.Background(), runtime.CallToken(tok))
	var out any
	err := tpgenimpl.Invoke(ctx, svc, &opDeclared, nil, nil, nil, &out, "42")
	if err == nil || !strings.Contains(err.Error(), "orders.getOrder: 404 Not Found (message id ") ||
		!strings.HasSuffix(err.Error(), "): no such order: order 42 does not exist") {
		t.Errorf("error = %v, want the problem's title and detail", err)
	}
	if p, ok := runtime.ErrorModel[*problem](err); !ok || p.Detail != "order 42 does not exist" {
		t.Errorf("model = %+v, %v", p, ok)
	}

	err = tpgenimpl.Invoke(ctx, svc, &opDeclared, nil, nil, nil, &out, "echo")
	var re *runtime.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %T %v", err, err)
	}
	if strings.Contains(err.Error(), tok[1:]) || strings.Contains(string(re.Body), tok[1:]) {
		t.Errorf("the error shows the token: %v / %s", err, re.Body)
	}
	if p, ok := runtime.ErrorModel[*problem](err); !ok || p.Seen != "[redacted]" {
		t.Errorf("model = %+v, %v; want the token redacted", p, ok)
	}
	if !strings.HasSuffix(err.Error(), ": bad") {
		t.Errorf("error = %v", err)
	}
}

// TestSentinels: each condition an application handles differently matches
// its sentinel with errors.Is, and no other.
func TestSentinels(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/orders/401":
			w.WriteHeader(401)
		case "/orders/403":
			w.WriteHeader(403)
		case "/orders/429":
			w.Header().Set("Retry-After", "120") // longer than the call may wait: not retried
			w.WriteHeader(429)
		case "/orders/big":
			fmt.Fprint(w, `"`+strings.Repeat("x", 4096)+`"`)
		case "/orders/slow":
			time.Sleep(200 * time.Millisecond)
		}
	}))
	defer api.Close()
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/down":
			w.WriteHeader(503)
		case "/refuses":
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":"invalid_client"}`)
		case "/refresh-token":
			fmt.Fprint(w, `{"access_token":"a-refresh-token-Qx81","token_type":"N_A","issued_token_type":"urn:ietf:params:oauth:token-type:refresh_token"}`)
		}
	}))
	defer idp.Close()
	closed := func() string { // a port nothing listens on
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return "http://" + l.Addr().String() + "/token"
	}()
	plain := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(api.URL), runtime.WithMaxResponseBytes(1024))
	cc := func(tokenURL string) *runtime.Service {
		return newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(api.URL), runtime.WithAuth(runtime.Auth{
			TokenURL:     tokenURL,
			Grant:        runtime.GrantClientCredentials,
			ClientID:     "id",
			ClientSecret: "secret-value-1",
		}))
	}
	tx := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL(api.URL), runtime.WithAuth(runtime.Auth{
		TokenURL:     idp.URL + "/refresh-token",
		Grant:        runtime.GrantTokenExchange,
		ClientID:     "id",
		ClientSecret: "secret-value-1",
	}))
	caller := runtime.ContextWithCallerToken(context.Background(), "caller-token-1234")
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	sentinels := []error{runtime.ErrUnauthorized, runtime.ErrForbidden, runtime.ErrRateLimited, runtime.ErrResponseTooLarge,
		runtime.ErrTokenEndpointUnreachable, runtime.ErrTokenRefused, runtime.ErrAnonymous, runtime.ErrNoCallerToken, context.DeadlineExceeded}
	for _, tt := range []struct {
		name string
		svc  *runtime.Service
		ctx  context.Context
		path string
		want []error
	}{
		{"401", plain, context.Background(), "401", []error{runtime.ErrUnauthorized}},
		{"403", plain, context.Background(), "403", []error{runtime.ErrForbidden}},
		{"429", plain, context.Background(), "429", []error{runtime.ErrRateLimited}},
		{"too large", plain, context.Background(), "big", []error{runtime.ErrResponseTooLarge}},
		{"deadline", plain, short, "slow", []error{context.DeadlineExceeded}},
		{"token endpoint 503", cc(idp.URL + "/down"), context.Background(), "1", []error{runtime.ErrTokenEndpointUnreachable}},
		{"token endpoint not listening", cc(closed), context.Background(), "1", []error{runtime.ErrTokenEndpointUnreachable}},
		{"token endpoint refuses", cc(idp.URL + "/refuses"), context.Background(), "1", []error{runtime.ErrTokenRefused}},
		{"refresh token issued", tx, caller, "1", []error{runtime.ErrTokenRefused}},
		{"no caller token", tx, context.Background(), "1", []error{runtime.ErrNoCallerToken}},
		{"anonymous caller", tx, runtime.ContextWithCallerToken(context.Background(), ""), "1", []error{runtime.ErrAnonymous, runtime.ErrNoCallerToken}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out any
			err := tpgenimpl.Invoke(tt.ctx, tt.svc, &opDeclared, nil, nil, nil, &out, tt.path)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range sentinels {
				want := false
				for _, w := range tt.want {
					want = want || w == s
				}
				if errors.Is(err, s) != want {
					t.Errorf("errors.Is(%v, %v) = %v", err, s, !want)
				}
			}
		})
	}
	// A failure remembered (token.ErrBackoff) is still the failure it was.
	svc := cc(idp.URL + "/down")
	for range 2 {
		var out any
		err := tpgenimpl.Invoke(context.Background(), svc, &opDeclared, nil, nil, nil, &out, "1")
		if !errors.Is(err, runtime.ErrTokenEndpointUnreachable) {
			t.Errorf("error %v is not ErrTokenEndpointUnreachable", err)
		}
		if errors.Is(err, token.ErrBackoff) {
			return
		}
	}
	t.Error("the second call was not answered from the remembered failure")
}
