package tpgenimpl_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// TestPagesSizeIsNotThePageParam: a pagination whose size parameter is the
// page number's or offset's own (services.yaml `offset: {param: limit}`
// with `size: limit`, which the generator lets through) would read the
// offset as the page size and skip or repeat items; Pages refuses it before
// any request, with an error that names the parameter.
func TestPagesSizeIsNotThePageParam(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[1,2,3]`))
	}))
	defer srv.Close()
	svc := newService(t, runtime.ServiceConfig{Name: "shop", BaseURL: srv.URL, Grant: runtime.GrantNone})
	for _, next := range []tpgenimpl.NextKind{tpgenimpl.NextPage, tpgenimpl.NextOffset} {
		op := &tpgenimpl.Operation{ID: "listThings", Method: "GET", Path: "/things", Accept: "application/json",
			Params:    []tpgenimpl.Param{{Name: "limit", In: tpgenimpl.InQuery, Style: tpgenimpl.StyleForm, Explode: true}},
			Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true, Body: tpgenimpl.BodyJSON}},
			Paging:    &tpgenimpl.Paging{Next: next, Param: "limit", Size: "limit", First: 1}}
		limit := 3
		var errs []error
		for _, err := range tpgenimpl.Pages[int](context.Background(), svc, op, nil, &struct{ Limit *int }{&limit}, nil) {
			if err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), `size and the page's parameter are both "limit"`) {
			t.Errorf("kind %d: errors %v, want one about the parameter", next, errs)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}
