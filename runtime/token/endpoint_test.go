package token_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime/token"
)

// TestLifetimeCountsFromTheRequest: an endpoint whose answer arrives late (a
// loaded machine, a slow network) counts expires_in from when it answered;
// the token's expiry is counted from when the request was sent, so that it is
// never later than the endpoint's, however late the answer arrives. Counted
// from the answer, it would be late by the delay.
func TestLifetimeCountsFromTheRequest(t *testing.T) {
	const delay = 300 * time.Millisecond
	var issuedAt atomic.Int64 // unix ns
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		issuedAt.Store(time.Now().UnixNano()) // the endpoint's expiry: then + 2 s
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"access_token":"a","token_type":"Bearer","expires_in":2`)
		w.(http.Flusher).Flush()
		time.Sleep(delay) // the rest of the answer is late
		io.WriteString(w, `}`)
	}))
	defer srv.Close()
	sent := time.Now()
	tok, err := (&token.Endpoint{HTTPClient: srv.Client()}).FetchToken(context.Background(),
		&token.Request{Grant: token.ClientCredentials, TokenURL: srv.URL, ClientID: "c", ClientSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	received := time.Now()
	issued := time.Unix(0, issuedAt.Load())
	if received.Sub(sent) < delay {
		t.Fatalf("the answer took %s, less than the delay", received.Sub(sent))
	}
	if tok.Obtained.Before(sent) || tok.Obtained.After(issued) {
		t.Errorf("obtained %s, want between the request (%s) and the endpoint's answer (%s)", tok.Obtained, sent, issued)
	}
	if end := issued.Add(2 * time.Second); tok.Expiry.After(end) {
		t.Errorf("the token expires %s after the endpoint's expiry", tok.Expiry.Sub(end))
	}
}
