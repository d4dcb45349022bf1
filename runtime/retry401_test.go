package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// TestUnauthorizedRetry: a 401 from the service makes the runtime forget the
// token and try once more with a fresh one, replaying a replayable body.
func TestUnauthorizedRetry(t *testing.T) {
	// The same operation with a body that can be sent again (JSON) and one
	// that cannot (a stream).
	opCreate := tpgenimpl.Operation{ID: "createOrder", Method: "POST", Path: "/orders", RequestBody: tpgenimpl.BodyJSON,
		ContentType: "application/json", Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true}}}
	opUpload := opCreate
	opUpload.RequestBody = tpgenimpl.BodyBinary
	const body = `{"item":"valve","qty":3}`
	tests := []struct {
		name         string
		revoke       int  // how many valid tokens the service refuses
		stream       bool // a body that cannot be replayed
		raw          bool // through HTTPClient
		wantStatus   int
		wantAttempts int
		wantTokens   int64 // token requests
		wantBodies   int   // requests with the body that reached the service
	}{
		{name: "refused once", revoke: 1, wantStatus: 200, wantAttempts: 2, wantTokens: 2, wantBodies: 2},
		{name: "refused twice: one retry only", revoke: 2, wantStatus: 401, wantAttempts: 2, wantTokens: 2, wantBodies: 2},
		{name: "not refused", revoke: 0, wantStatus: 200, wantAttempts: 1, wantTokens: 1, wantBodies: 1},
		{name: "stream body: no retry", revoke: 1, stream: true, wantStatus: 401, wantAttempts: 1, wantTokens: 1, wantBodies: 1},
		{name: "raw client", revoke: 1, raw: true, wantStatus: 200, wantAttempts: 2, wantTokens: 2, wantBodies: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := startProvider(t)
			a := newAPI(t, auth, "orders-api")
			a.revokeNext = tt.revoke
			obs := &observer{}
			svc := ccService(t, auth, a, runtime.WithObserver(obs), runtime.WithRetry(runtime.NoRetry))
			var status int
			if tt.raw {
				req, _ := http.NewRequest("POST", a.URL+"/orders", strings.NewReader(body)) // GetBody is set
				resp, err := svc.HTTPClient().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				status = resp.StatusCode
			} else {
				var err error
				if tt.stream {
					err = tpgenimpl.Invoke(context.Background(), svc, &opUpload, nil, nil, strings.NewReader(body), nil)
				} else {
					err = tpgenimpl.Invoke(context.Background(), svc, &opCreate, nil, nil, json.RawMessage(body), nil)
				}
				status = 200
				var re *runtime.ResponseError
				if errors.As(err, &re) {
					status = re.StatusCode
				} else if err != nil {
					t.Fatal(err)
				}
			}
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d", status, tt.wantStatus)
			}
			if got := auth.TokenRequests(); got != tt.wantTokens {
				t.Errorf("token requests = %d, want %d", got, tt.wantTokens)
			}
			hits := a.Hits()
			if len(hits) != tt.wantBodies {
				t.Fatalf("service got %d requests, want %d", len(hits), tt.wantBodies)
			}
			for i, h := range hits {
				if h.Body != body {
					t.Errorf("request %d body %q, want %q", i, h.Body, body)
				}
			}
			if len(hits) == 2 && hits[0].Auth == hits[1].Auth {
				t.Error("the retry sent the refused token again")
			}
			recs := obs.Records()
			if len(recs) != 1 || recs[0].Attempts != tt.wantAttempts || recs[0].Status != tt.wantStatus {
				t.Fatalf("records %+v", recs)
			}
			// A token that was refused is not used again by later calls.
			if tt.revoke == 1 && !tt.stream {
				if _, err := getOrder(context.Background(), svc, "1"); err != nil {
					t.Errorf("next call: %v", err)
				}
				if got := auth.TokenRequests(); got != tt.wantTokens {
					t.Errorf("next call fetched a token: %d requests", got)
				}
			}
		})
	}
}
