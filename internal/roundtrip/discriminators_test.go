package roundtrip_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/internal/roundtrip/gen/discriminators"
	"github.com/tpgen/tpgen/internal/specserver"
	"github.com/tpgen/tpgen/runtime"
)

// TestPinnedDiscriminators has a server send unions whose variants pin the
// discriminator property (enum, const, and inside allOf members), so that the
// wire carries "search", "code_interpreter", "created", "deleted", not the
// schema names; every body it sends is first validated against the spec's
// schema by kin-openapi. The generated client must dispatch on those values.
// Before pinned values were read, ValueByDiscriminator failed with
// `unknown type "search"`.
func TestPinnedDiscriminators(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("specs/discriminators.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// conform fails the test unless body is an instance of the component
	// schema, by JSON Schema 2020-12 (OpenAPI 3.1: const, oneOf exactly one).
	conform := func(schema string, body []byte) {
		t.Helper()
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		if err := doc.Components.Schemas[schema].Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
			t.Fatalf("the server's %s does not conform to the spec: %v\n%s", schema, err, body)
		}
	}
	tools := []string{`{"type":"search","query":"otters"}`, `{"type":"code_interpreter","language":"go"}`}
	events := []string{`{"kind":"created","id":"e1","name":"otter"}`, `{"kind":"deleted","id":"e2"}`}
	for _, b := range tools {
		conform("Tool", []byte(b))
	}
	for _, b := range events {
		conform("Event", []byte(b))
	}
	srv, err := specserver.Start("specs/discriminators.yaml", func(w http.ResponseWriter, r *http.Request, op string, _ map[string]string) {
		w.Header().Set("Content-Type", "application/json")
		switch op {
		case "listTools":
			io.WriteString(w, "["+tools[0]+","+tools[1]+"]")
		case "listEvents":
			io.WriteString(w, "["+events[0]+","+events[1]+"]")
		case "echoTool":
			body, _ := io.ReadAll(r.Body)
			w.Write(body)
		}
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	defer func() {
		for _, c := range srv.Invalid() {
			t.Errorf("%s %s does not conform to the spec: %v", c.Method, c.Path, c.Err)
		}
	}()
	c, err := discriminators.New(noEnv, runtime.WithBaseURL(srv.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	got, err := c.ListTools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d tools, want 2", len(got))
	}
	if v, err := got[0].ValueByDiscriminator(); err != nil {
		t.Errorf("tools[0]: %v", err)
	} else if s, ok := v.(*discriminators.SearchTool); !ok || s.Query != "otters" || s.Type != discriminators.SearchToolTypeSearch {
		t.Errorf("tools[0] = %#v, want the SearchTool", v)
	}
	if v, err := got[1].ValueByDiscriminator(); err != nil {
		t.Errorf("tools[1]: %v", err)
	} else if ct, ok := v.(*discriminators.CodeTool); !ok || ct.Language == nil || *ct.Language != "go" {
		t.Errorf("tools[1] = %#v, want the CodeTool", v)
	}

	evs, err := c.ListEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	if v, err := evs[0].ValueByDiscriminator(); err != nil {
		t.Errorf("events[0]: %v", err)
	} else if e, ok := v.(*discriminators.Created); !ok || e.Name != "otter" || e.ID != "e1" {
		t.Errorf("events[0] = %#v, want the Created event", v)
	}
	if v, err := evs[1].ValueByDiscriminator(); err != nil {
		t.Errorf("events[1]: %v", err)
	} else if e, ok := v.(*discriminators.Deleted); !ok || e.ID != "e2" {
		t.Errorf("events[1] = %#v, want the Deleted event", v)
	}

	// A variant the client builds travels with its pinned value, which the
	// server validates, and comes back as the same variant.
	var tool discriminators.Tool
	if err := tool.FromSearchTool(&discriminators.SearchTool{Type: discriminators.SearchToolTypeSearch, Query: "seals"}); err != nil {
		t.Fatal(err)
	}
	back, err := c.EchoTool(ctx, tool)
	if err != nil {
		t.Fatal(err)
	}
	conform("Tool", back)
	if v, err := back.ValueByDiscriminator(); err != nil {
		t.Errorf("echo: %v", err)
	} else if s, ok := v.(*discriminators.SearchTool); !ok || s.Query != "seals" {
		t.Errorf("echo = %#v, want the SearchTool", v)
	}
}
