package roundtrip_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/tpgen/tpgen/internal/roundtrip/gen/names"
	"github.com/tpgen/tpgen/runtime"
)

// TestPropertyNamesInTags sends and receives an object whose property names
// a struct tag cannot carry ("a,b", "a,omitempty" beside "a", a quote, a
// backslash, an emoji, "", "-"): the server sees every one under its exact
// name, and the answer decodes to what was sent. With the names in tags,
// encoding/json would send "a,b" as "a" and the others under the Go field's
// name.
func TestPropertyNamesInTags(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = nil
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("the server got %s: %v", body, err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	c, err := names.New(noEnv, runtime.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	a, minus, xy := "plain a", "minus", "x and y"
	sent := &names.Odd{A: &a, Minus: &minus, XY: &xy, AdditionalProperties: map[string]any{
		"a,omitempty": "not a", "a,b": float64(7), `q"uote`: "q", `back\slash`: "b", "😀": true, "": "empty",
	}}
	back, err := c.Echo(context.Background(), sent)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": "plain a", "-": "minus", "x y": "x and y", "a,omitempty": "not a", "a,b": float64(7), `q"uote`: "q", `back\slash`: "b", "😀": true, "": "empty"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the server got %v, want %v", got, want)
	}
	if *back.A != a || *back.Minus != minus || *back.XY != xy || !reflect.DeepEqual(back.AdditionalProperties, sent.AdditionalProperties) {
		t.Errorf("decoded %+v, want %+v", back, sent)
	}
}
