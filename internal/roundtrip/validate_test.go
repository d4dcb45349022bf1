package roundtrip_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/internal/roundtrip/gen/checked"
	"github.com/tpgen/tpgen/internal/roundtrip/gen/unchecked"
	"github.com/tpgen/tpgen/internal/specserver"
	"github.com/tpgen/tpgen/runtime"
)

// answering starts a server for specs/validate.yaml that answers every
// operation with the body set last.
func answering(t *testing.T) (*specserver.Server, func(body string)) {
	t.Helper()
	var mu sync.Mutex
	answer := "{}"
	srv, err := specserver.Start("specs/validate.yaml", func(w http.ResponseWriter, r *http.Request, op string, _ map[string]string) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(answer))
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, func(body string) { mu.Lock(); answer = body; mu.Unlock() }
}

const goodOrder = `{"id":"o1","status":"paid","total":{"amount":"9.50","currency":"EUR"},"lines":[{"sku":"MUG","quantity":2}],"contact":"phone","priority":2,"flag":null,"note":null,"shipping":{"city":"Ghent"}}`

// problemsOf returns the problems of err's InvalidResponseError, and whether
// there is one.
func problemsOf(t *testing.T, err error) ([]string, *runtime.InvalidResponseError) {
	t.Helper()
	var ie *runtime.InvalidResponseError
	if !errors.As(err, &ie) {
		return nil, nil
	}
	var ce *runtime.CallError
	if !errors.As(err, &ce) {
		t.Errorf("an InvalidResponseError outside a CallError: %v", err)
	}
	var out []string
	for _, p := range ie.Problems {
		out = append(out, p.String())
	}
	return out, ie
}

// TestResponseValidation: with validate_responses: true in services.yaml, a
// success body that lacks a required property or holds an enum value the
// spec does not list fails the call, naming each place by its JSON path;
// null counts as present, optional properties may be absent, unions are not
// looked into. Off by default, and both ways switchable at run time.
func TestResponseValidation(t *testing.T) {
	srv, answer := answering(t)
	c, err := checked.New(noEnv, runtime.WithBaseURL(srv.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name, body string
		want       []string // problems; none: the call succeeds
	}{
		{"good", goodOrder, nil},
		{"only what is required", `{"id":"o1","status":"pending","total":{"amount":"1","currency":"USD"},"lines":[],"contact":{"anything":1}}`, nil},
		{"required null is present", `{"id":"o1","status":null,"total":null,"lines":null,"contact":null}`, nil},
		{"empty object", `{}`, []string{
			"$.contact: required property is missing", "$.id: required property is missing", "$.lines: required property is missing",
			"$.status: required property is missing", "$.total: required property is missing"}},
		{"nested and in lists", `{"id":"o1","status":"paid","total":{"amount":"1"},"lines":[{"sku":"A","quantity":1},{"quantity":3}],"contact":"x","shipping":{}}`, []string{
			"$.lines[1].sku: required property is missing", "$.shipping.city: required property is missing", "$.total.currency: required property is missing"}},
		{"unknown enum values", `{"id":"o1","status":"refunded","total":{"amount":"1","currency":"GBP"},"lines":[],"contact":"x","priority":7,"flag":"blue"}`, []string{
			`$.flag: "blue" is not one of the values of OrderFlag that the spec lists`,
			`$.priority: 7 is not one of the values of OrderPriority that the spec lists`,
			`$.status: "refunded" is not one of the values of Status that the spec lists`,
			`$.total.currency: "GBP" is not one of the values of MoneyCurrency that the spec lists`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answer(tc.body)
			order, err := c.GetOrder(ctx, "o1")
			got, ie := problemsOf(t, err)
			if tc.want == nil {
				if err != nil || order == nil {
					t.Fatalf("GetOrder = %v, %v; want the order", order, err)
				}
				return
			}
			if ie == nil {
				t.Fatalf("GetOrder = %+v, %v; want an InvalidResponseError", order, err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if ie.StatusCode != 200 || ie.Body == nil || ie.More != 0 {
				t.Errorf("status %d, body %v, more %d", ie.StatusCode, ie.Body, ie.More)
			}
			if !strings.Contains(err.Error(), "checked.getOrder: 200 response does not match the spec: "+tc.want[0]) {
				t.Errorf("Error() = %s", err)
			}
		})
	}

	// A list, and a map whose keys the body chose: a key is quoted and
	// escaped in the path, so it cannot end the path or start a line.
	answer(`[` + goodOrder + `,{"id":"o2"}]`)
	_, err = c.ListOrders(ctx)
	if got, _ := problemsOf(t, err); len(got) != 4 || got[0] != "$[1].contact: required property is missing" {
		t.Errorf("ListOrders problems %q (%v)", got, err)
	}
	answer(`{"ams-1":{"count":3,"state":"ok"},"x\"] \n$.fake":{"state":"gone"},"b":{"count":1}}`)
	_, err = c.GetStock(ctx)
	got, _ := problemsOf(t, err)
	want := []string{`$["x\"] \n$.fake"].count: required property is missing`, `$["x\"] \n$.fake"].state: "gone" is not one of the values of LevelState that the spec lists`}
	if strings.Join(got, "|") != strings.Join(want, "|") || strings.Contains(err.Error(), "\n") {
		t.Errorf("GetStock problems %q, want %q (%q)", got, want, err)
	}

	// Many problems: the first MaxResponseProblems, and how many more.
	var many strings.Builder
	many.WriteString(`{"id":"o","status":"paid","total":{"amount":"1","currency":"EUR"},"contact":"x","lines":[`)
	for i := range 30 {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`{"quantity":1}`)
	}
	many.WriteString("]}")
	answer(many.String())
	_, err = c.GetOrder(ctx, "o")
	if got, ie := problemsOf(t, err); ie == nil || len(got) != runtime.MaxResponseProblems || ie.More != 30-runtime.MaxResponseProblems ||
		!strings.HasSuffix(err.Error(), fmt.Sprintf("(and %d more)", 30-runtime.MaxResponseProblems)) && !strings.Contains(err.Error(), fmt.Sprintf("(and %d more)", 30-runtime.MaxResponseProblems)) {
		t.Errorf("30 problems: %d kept, %v", len(got), err)
	}

	// Off by default; switched at run time both ways.
	answer(`{}`)
	u, err := unchecked.New(noEnv, runtime.WithBaseURL(srv.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.GetOrder(ctx, "o1"); err != nil {
		t.Errorf("without validate_responses: %v", err)
	}
	for _, tc := range []struct {
		name string
		opts []runtime.Option
		want bool
	}{
		{"option on", []runtime.Option{noEnv, runtime.WithResponseValidation(true)}, true},
		{"environment on", []runtime.Option{envOf("TPGEN_UNCHECKED_VALIDATE_RESPONSES", "true")}, true},
		{"option off wins over the environment", []runtime.Option{envOf("TPGEN_UNCHECKED_VALIDATE_RESPONSES", "true"), runtime.WithResponseValidation(false)}, false},
	} {
		u, err := unchecked.New(append(tc.opts, runtime.WithBaseURL(srv.BaseURL()))...)
		if err != nil {
			t.Fatal(err)
		}
		_, err = u.GetOrder(ctx, "o1")
		if _, ie := problemsOf(t, err); (ie != nil) != tc.want {
			t.Errorf("unchecked, %s: %v", tc.name, err)
		}
	}
	for _, tc := range []struct {
		name string
		opts []runtime.Option
	}{
		{"option off", []runtime.Option{noEnv, runtime.WithResponseValidation(false)}},
		{"environment off", []runtime.Option{envOf("TPGEN_CHECKED_VALIDATE_RESPONSES", "false")}},
	} {
		c, err := checked.New(append(tc.opts, runtime.WithBaseURL(srv.BaseURL()))...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetOrder(ctx, "o1"); err != nil {
			t.Errorf("checked, %s: %v", tc.name, err)
		}
	}
	if _, err := checked.New(envOf("TPGEN_CHECKED_VALIDATE_RESPONSES", "sometimes"), runtime.WithBaseURL(srv.BaseURL())); err == nil || !strings.Contains(err.Error(), "TPGEN_CHECKED_VALIDATE_RESPONSES") {
		t.Errorf("a value that is no boolean: %v", err)
	}
}

// envOf is an environment that holds one variable.
func envOf(name, value string) runtime.Option {
	return runtime.WithLookupEnv(func(k string) (string, bool) {
		if k == name {
			return value, true
		}
		return "", false
	})
}
