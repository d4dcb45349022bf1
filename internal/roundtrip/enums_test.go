package roundtrip_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/internal/roundtrip/gen/unions"
	"github.com/tpgen/tpgen/internal/specserver"
	"github.com/tpgen/tpgen/runtime"
)

// TestEnumIsKnown: values a service sends that the spec does not list still
// decode, and IsKnown tells them from the listed ones, for string and
// integer enums, inside a nullable too.
func TestEnumIsKnown(t *testing.T) {
	var mu sync.Mutex
	var answer string
	srv, err := specserver.Start("specs/unions.yaml", func(w http.ResponseWriter, r *http.Request, op string, _ map[string]string) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(answer))
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := unions.New(noEnv, runtime.WithBaseURL(srv.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		body                   string
		status                 unions.NotePatchStatus
		statusKnown            bool
		priority               unions.NotePatchPriority
		priorityKnown, hasPrio bool
	}{
		{`{"count":1,"status":"open","priority":2}`, unions.NotePatchStatusOpen, true, unions.NotePatchPriority2, true, true},
		{`{"count":1,"status":"closed","priority":3}`, unions.NotePatchStatusClosed, true, 3, true, true},
		{`{"count":1,"status":"archived","priority":7}`, "archived", false, 7, false, true},
		{`{"count":1,"status":"","priority":0}`, "", false, 0, false, true},
		{`{"count":1,"status":"OPEN"}`, "OPEN", false, 0, false, false},
	} {
		mu.Lock()
		answer = tc.body
		mu.Unlock()
		got, err := c.GetNote(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		status, ok := got.Status.Get()
		if !ok || status != tc.status || status.IsKnown() != tc.statusKnown {
			t.Errorf("%s: status %q (value %v), IsKnown %v; want %q, %v", tc.body, status, ok, status.IsKnown(), tc.status, tc.statusKnown)
		}
		if (got.Priority != nil) != tc.hasPrio {
			t.Fatalf("%s: priority %v", tc.body, got.Priority)
		}
		if got.Priority != nil && (*got.Priority != tc.priority || got.Priority.IsKnown() != tc.priorityKnown) {
			t.Errorf("%s: priority %d, IsKnown %v; want %d, %v", tc.body, *got.Priority, got.Priority.IsKnown(), tc.priority, tc.priorityKnown)
		}
	}
	// Every listed value is known.
	for _, v := range []unions.NotePatchPriority{unions.NotePatchPriority1, unions.NotePatchPriority2, unions.NotePatchPriority3} {
		if !v.IsKnown() {
			t.Errorf("%d.IsKnown() = false", v)
		}
	}
}
