package roundtrip_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/internal/roundtrip/gen/paths"
	"github.com/tpgen/tpgen/runtime"
)

// TestQueryInPath calls operations whose path keys hold a query
// (/responses/compact?beta=true): the server sees the path without it and
// one query, the path's pairs first, then the parameters'; never a second
// '?' or an escaped one in the path.
func TestQueryInPath(t *testing.T) {
	var mu sync.Mutex
	var gotPath, gotQuery string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotPath, gotQuery = r.URL.EscapedPath(), r.URL.RawQuery
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, err := paths.New(noEnv, runtime.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	limit := 5
	for _, tc := range []struct {
		name            string
		call            func() error
		path, wantQuery string
	}{
		{"no parameters", func() error { return c.CompactResponses(ctx, nil) }, "/responses/compact", "beta=true"},
		{"with parameters", func() error {
			return c.CompactResponses(ctx, &paths.CompactResponsesParams{Limit: &limit, Tag: []string{"a", "b&c"}})
		}, "/responses/compact", "beta=true&limit=5&tag=a&tag=b%26c"},
		{"several pairs, a path parameter", func() error { return c.CompactResponse(ctx, "x?y") }, "/responses/x%3Fy/compact", "beta=true&mode=a+b&flag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if gotPath != tc.path || gotQuery != tc.wantQuery {
				t.Errorf("server saw %s?%s, want %s?%s", gotPath, gotQuery, tc.path, tc.wantQuery)
			}
		})
	}
}
