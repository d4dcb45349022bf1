package roundtrip_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/internal/roundtrip/gen/paging"
	"github.com/tpgen/tpgen/internal/specserver"
	"github.com/tpgen/tpgen/runtime"
)

const pagingToken = "paging-token-Rk86"

// pagingServer serves specs/paging.yaml's operations over items 1..n, three
// a page unless the call asks for another size, checking every request
// against the spec and its bearer token; answer, when set, answers instead
// of the well-behaved handler (the attacks), returning false to leave a
// request to it.
type pagingServer struct {
	*specserver.Server
	n      int
	answer func(w http.ResponseWriter, r *http.Request, op string) bool
}

func startPaging(t *testing.T, n int) *pagingServer {
	t.Helper()
	ps := &pagingServer{n: n}
	srv, err := specserver.Start("specs/paging.yaml", ps.serve, func(_ context.Context, scheme string, _ []string, cred string) error {
		if scheme != "bearer" || cred != pagingToken {
			return fmt.Errorf("%s: wrong credential %q", scheme, cred)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ps.Server = srv
	return ps
}

func (ps *pagingServer) client(t *testing.T) *paging.Client {
	t.Helper()
	c, err := paging.New(runtime.WithBaseURL(ps.BaseURL()), runtime.WithAuth(runtime.Auth{BearerToken: pagingToken}),
		runtime.WithLookupEnv(func(string) (string, bool) { return "", false }))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// page returns the items from offset, size many at most, and whether more follow.
func (ps *pagingServer) page(offset, size int) ([]paging.Item, bool) {
	var out []paging.Item
	for id := offset + 1; id <= min(offset+size, ps.n); id++ {
		out = append(out, paging.Item{ID: id})
	}
	return out, offset+size < ps.n
}

func intParam(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil {
		return v
	}
	return def
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (ps *pagingServer) serve(w http.ResponseWriter, r *http.Request, op string, _ map[string]string) {
	if ps.answer != nil && ps.answer(w, r, op) {
		return
	}
	switch op {
	case "listLinked": // pages numbered from 1, GitHub's way
		pg, per := intParam(r, "page", 1), intParam(r, "per_page", 3)
		items, more := ps.page((pg-1)*per, per)
		last := fmt.Sprintf(`<%s/linked?page=%d&per_page=%d>; rel="last"`, ps.BaseURL(), (ps.n+per-1)/per, per)
		if more {
			w.Header().Add("Link", fmt.Sprintf(`<%s/linked?page=%d&per_page=%d>; rel="next", %s`, ps.BaseURL(), pg+1, per, last))
		} else {
			w.Header().Add("Link", last)
		}
		writeJSON(w, items)
	case "listByHeader": // an opaque cursor: the offset, spelt out
		off := 0
		if c := r.URL.Query().Get("cursor"); c != "" {
			off, _ = strconv.Atoi(strings.TrimPrefix(c, "after-"))
		}
		size := intParam(r, "limit", 3)
		items, more := ps.page(off, size)
		if more {
			w.Header().Set("X-Next-Cursor", fmt.Sprintf("after-%d", off+size))
		}
		writeJSON(w, items)
	case "listByField": // a cursor on every page; has_more says which is the last
		off := 0
		if c := r.URL.Query().Get("cursor"); c != "" {
			off, _ = strconv.Atoi(strings.TrimPrefix(c, "f"))
		}
		items, more := ps.page(off, 3)
		writeJSON(w, map[string]any{"data": items, "meta": map[string]any{"next_cursor": fmt.Sprintf("f%d", off+3), "has_more": more}})
	case "listAfter": // the items after the one named, and whether more follow
		items, more := ps.page(intParam(r, "starting_after", 0), intParam(r, "limit", 3))
		writeJSON(w, map[string]any{"data": items, "has_more": more})
	case "listNumbered": // a full last page is possible: total says when to stop
		pg, per := intParam(r, "page", 1), intParam(r, "per_page", 3)
		items, _ := ps.page((pg-1)*per, per)
		writeJSON(w, map[string]any{"results": items, "total": ps.n})
	case "listOffsets":
		items, _ := ps.page(intParam(r, "offset", 0), intParam(r, "limit", 3))
		writeJSON(w, map[string]any{"items": items})
	}
}

// collect runs an iteration to its end: the ids yielded, and the errors.
func collect(seq iter.Seq2[*paging.Item, error]) (ids []int, errs []error) {
	for it, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, it.ID)
	}
	return ids, errs
}

func ids(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// TestPagingStyles iterates over every style of services.yaml's pagination
// through the generated XxxAll methods against a server that pages: every
// item comes once, in order, the pages end where the rule of the style says
// (an exact count of requests: one more would be a page fetched past the
// end), and every page carries the token, the iteration's one message id,
// and the call's header parameters and options.
func TestPagingStyles(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		n     int
		iter  func(c *paging.Client) iter.Seq2[*paging.Item, error]
		calls int
	}{
		{"link header", 7, func(c *paging.Client) iter.Seq2[*paging.Item, error] { return c.ListLinkedAll(ctx, nil) }, 3},
		{"link header, a size of the caller's", 7, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListLinkedAll(ctx, &paging.ListLinkedParams{PerPage: ptr(5)})
		}, 2},
		{"header cursor", 7, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListByHeaderAll(ctx, &paging.ListByHeaderParams{XTenant: ptr("acme")}, runtime.CallHeader("X-Trace", "t1"))
		}, 3},
		{"header cursor, a size of the caller's", 6, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListByHeaderAll(ctx, &paging.ListByHeaderParams{Limit: ptr(4), XTenant: ptr("acme")})
		}, 2},
		{"body field cursor ended by has_more", 7, func(c *paging.Client) iter.Seq2[*paging.Item, error] { return c.ListByFieldAll(ctx, nil) }, 3},
		{"last item's id ended by has_more", 7, func(c *paging.Client) iter.Seq2[*paging.Item, error] { return c.ListAfterAll(ctx, nil) }, 3},
		{"last item's id from the caller's", 7, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListAfterAll(ctx, &paging.ListAfterParams{StartingAfter: ptr(3), Limit: ptr(2)})
		}, 2},
		{"page numbers ended by total", 6, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListNumberedAll(ctx, nil) // no size sent: only total can tell that page 2 is the last
		}, 2},
		{"page numbers from the caller's page", 7, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListNumberedAll(ctx, &paging.ListNumberedParams{Page: ptr(2), PerPage: ptr(3)})
		}, 2},
		{"offsets ended by an empty page", 6, func(c *paging.Client) iter.Seq2[*paging.Item, error] { return c.ListOffsetsAll(ctx, nil) }, 3},
		{"offsets ended by a short page", 7, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListOffsetsAll(ctx, &paging.ListOffsetsParams{Limit: ptr(3)})
		}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := startPaging(t, tc.n)
			got, errs := collect(tc.iter(ps.client(t)))
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			want := ids(1, tc.n)
			if strings.Contains(tc.name, "caller's page") || strings.Contains(tc.name, "from the caller's") {
				want = ids(4, tc.n) // from page 2, or after item 3
			}
			if !slices.Equal(got, want) {
				t.Errorf("items %v, want %v", got, want)
			}
			calls := ps.Calls()
			if len(calls) != tc.calls {
				t.Errorf("%d requests, want %d: %v", len(calls), tc.calls, calls)
			}
			for _, c := range ps.Invalid() {
				t.Errorf("request not as the spec says: %s?%s: %v", c.Path, c.Query, c.Err)
			}
			mid := calls[0].Header.Get("X-Message-Id")
			for i, c := range calls {
				if got := c.Header.Get("Authorization"); got != "Bearer "+pagingToken {
					t.Errorf("page %d: Authorization %q", i+1, got)
				}
				if got := c.Header.Get("X-Message-Id"); got == "" || got != mid {
					t.Errorf("page %d: message id %q, want the iteration's %q", i+1, got, mid)
				}
				if strings.HasPrefix(tc.name, "header") && c.Header.Get("X-Tenant") != "acme" {
					t.Errorf("page %d: the header parameter X-Tenant was not sent again", i+1)
				}
				if tc.name == "header cursor" && c.Header.Get("X-Trace") != "t1" {
					t.Errorf("page %d: the call option's header was not sent again", i+1)
				}
			}
		})
	}
}

// TestPagingMessageIDFromContext: a message id the context carries (the
// incoming request's) is the one of every page.
func TestPagingMessageIDFromContext(t *testing.T) {
	ps := startPaging(t, 7)
	ctx := runtime.ContextWithMessageID(context.Background(), "mid-from-caller")
	if _, errs := collect(ps.client(t).ListOffsetsAll(ctx, nil)); len(errs) > 0 {
		t.Fatal(errs)
	}
	for i, c := range ps.Calls() {
		if got := c.Header.Get("X-Message-Id"); got != "mid-from-caller" {
			t.Errorf("page %d: message id %q", i+1, got)
		}
	}
}

// recorder is a second server, another origin: it records whether it was
// called, and with which Authorization.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string
}

func startRecorder(t *testing.T) *recorder {
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.auth = append(rec.auth, r.Header.Get("Authorization"))
		rec.mu.Unlock()
		writeJSON(w, []paging.Item{{ID: 100}})
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (r *recorder) calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.auth)
}

// TestPagingLinkElsewhere: a backend whose Link header sends the next page
// to another host (absolutely, scheme-relatively), to another scheme, with
// a user name, or out of the base URL's path (directly, by dot segments, by
// escaped ones a server may still resolve, by a backslash) must not get the
// next call, and with it the token: the iteration yields
// the first page, then one error, and the other server is never called.
func TestPagingLinkElsewhere(t *testing.T) {
	other := startRecorder(t)
	host := strings.TrimPrefix(other.URL, "http://")
	for _, link := range []func(base string) string{
		func(string) string { return other.URL + "/v1/linked?page=2" },
		func(string) string { return "//" + host + "/v1/linked?page=2" },
		func(base string) string { return strings.Replace(base, "http://", "https://", 1) + "/linked?page=2" },
		func(base string) string {
			return strings.Replace(base, "http://", "http://user:pw@", 1) + "/linked?page=2"
		},
		func(base string) string { return strings.TrimSuffix(base, "/v1") + "/admin/linked?page=2" },
		func(string) string { return "../admin?page=2" },
		func(string) string { return "/v1x/linked?page=2" },
		func(string) string { return "/v1/%2e%2e/admin?page=2" },
		func(string) string { return `/v1/..%5Cadmin?page=2` },
		// A path parameter after the dots: Tomcat and Spring strip it and resolve "..".
		func(string) string { return "/v1/..;/admin?page=2" },
		func(string) string { return "/v1/%2e%2e;x/admin?page=2" },
	} {
		ps := startPaging(t, 7)
		target := link(ps.BaseURL())
		t.Run(target, func(t *testing.T) {
			ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool {
				w.Header().Set("Link", "<"+target+`>; rel="next"`)
				writeJSON(w, []paging.Item{{ID: 1}})
				return true
			}
			got, errs := collect(ps.client(t).ListLinkedAll(context.Background(), nil))
			if !slices.Equal(got, []int{1}) {
				t.Errorf("items %v, want the first page's", got)
			}
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), "Link header's next page") {
				t.Errorf("errors %v, want one about the link", errs)
			}
			if n := len(ps.Calls()); n != 1 {
				t.Errorf("the service got %d requests, want 1", n)
			}
		})
	}
	if got := other.calls(); len(got) > 0 {
		t.Errorf("the other origin was called %d times, Authorization %q", len(got), got)
	}
}

// TestPagingLinkRelative: a relative next link on the service's own origin
// is followed, with the token.
func TestPagingLinkRelative(t *testing.T) {
	ps := startPaging(t, 4)
	ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool {
		pg := intParam(r, "page", 1)
		if pg == 1 {
			w.Header().Set("Link", `<linked?page=2>; rel="next"`) // relative to /v1/linked
		}
		writeJSON(w, []paging.Item{{ID: pg}})
		return true
	}
	got, errs := collect(ps.client(t).ListLinkedAll(context.Background(), nil))
	if len(errs) > 0 || !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("items %v, errors %v", got, errs)
	}
	for _, c := range ps.Calls() {
		if c.Header.Get("Authorization") != "Bearer "+pagingToken || !strings.HasPrefix(c.Path, "/v1/linked") {
			t.Errorf("request %s with Authorization %q", c.Path, c.Header.Get("Authorization"))
		}
	}
}

// TestPagingRepeatedCursor: a backend that gives a cursor (or link) asked
// for before would keep the loop going for ever; the iteration ends with an
// error at the first repetition, after exactly the pages before it.
func TestPagingRepeatedCursor(t *testing.T) {
	cases := []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request, op string) bool
		iter   func(c *paging.Client) iter.Seq2[*paging.Item, error]
		calls  int
	}{
		{"the same header cursor", func(w http.ResponseWriter, r *http.Request, op string) bool {
			w.Header().Set("X-Next-Cursor", "same")
			writeJSON(w, []paging.Item{{ID: 1}})
			return true
		}, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListByHeaderAll(context.Background(), nil)
		}, 2},
		{"the caller's own cursor", func(w http.ResponseWriter, r *http.Request, op string) bool {
			w.Header().Set("X-Next-Cursor", "start")
			writeJSON(w, []paging.Item{{ID: 1}})
			return true
		}, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListByHeaderAll(context.Background(), &paging.ListByHeaderParams{Cursor: ptr("start")})
		}, 1},
		{"a circle of body cursors", func(w http.ResponseWriter, r *http.Request, op string) bool {
			next := map[string]string{"": "a", "a": "b", "b": "a"}[r.URL.Query().Get("cursor")]
			writeJSON(w, map[string]any{"data": []paging.Item{{ID: 1}}, "meta": map[string]any{"next_cursor": next, "has_more": true}})
			return true
		}, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListByFieldAll(context.Background(), nil)
		}, 3},
		{"a last item met before", func(w http.ResponseWriter, r *http.Request, op string) bool {
			writeJSON(w, map[string]any{"data": []paging.Item{{ID: 1}}, "has_more": true})
			return true
		}, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListAfterAll(context.Background(), nil)
		}, 2},
		{"a link back to the first page", func(w http.ResponseWriter, r *http.Request, op string) bool {
			w.Header().Set("Link", `<`+r.URL.Path+`>; rel="next"`) // the first call sends no query
			writeJSON(w, []paging.Item{{ID: 1}})
			return true
		}, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListLinkedAll(context.Background(), nil)
		}, 1},
		{"a link to itself", func(w http.ResponseWriter, r *http.Request, op string) bool {
			w.Header().Set("Link", `</v1/linked?page=2>; rel="next"`)
			writeJSON(w, []paging.Item{{ID: 1}})
			return true
		}, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListLinkedAll(context.Background(), nil)
		}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := startPaging(t, 0)
			ps.answer = tc.answer
			got, errs := collect(tc.iter(ps.client(t)))
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), "asked for before") {
				t.Errorf("errors %v, want one about the repeated cursor", errs)
			}
			if len(got) != tc.calls {
				t.Errorf("%d items, want one a page (%d)", len(got), tc.calls)
			}
			if n := len(ps.Calls()); n != tc.calls {
				t.Errorf("%d requests, want %d", n, tc.calls)
			}
		})
	}
}

// TestPagingMaxPages: a backend that pages for ever with ever new cursors
// is stopped at the page limit (the call's, and the default), with an error
// that matches runtime.ErrTooManyPages.
func TestPagingMaxPages(t *testing.T) {
	for _, tc := range []struct {
		opts []runtime.CallOption
		want int
	}{{[]runtime.CallOption{runtime.CallMaxPages(5)}, 5}, {nil, runtime.DefaultMaxPages}} {
		t.Run(strconv.Itoa(tc.want), func(t *testing.T) {
			ps := startPaging(t, 0)
			ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool {
				n, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
				w.Header().Set("X-Next-Cursor", strconv.Itoa(n+1))
				writeJSON(w, []paging.Item{{ID: n}})
				return true
			}
			got, errs := collect(ps.client(t).ListByHeaderAll(context.Background(), nil, tc.opts...))
			if len(errs) != 1 || !errors.Is(errs[0], runtime.ErrTooManyPages) {
				t.Errorf("errors %v, want one ErrTooManyPages", errs)
			}
			if len(got) != tc.want || len(ps.Calls()) != tc.want {
				t.Errorf("%d items from %d requests, want %d", len(got), len(ps.Calls()), tc.want)
			}
		})
	}
	t.Run("0", func(t *testing.T) {
		ps := startPaging(t, 7)
		_, errs := collect(ps.client(t).ListByHeaderAll(context.Background(), nil, runtime.CallMaxPages(0)))
		if len(errs) != 1 || len(ps.Calls()) != 0 {
			t.Errorf("errors %v after %d requests, want one error before any", errs, len(ps.Calls()))
		}
	})
}

// TestPagingErrorMidway: a page that fails (a declared 500, a body that does
// not decode) yields the error once, after the items before it, and ends
// the iteration: nothing is fetched after it.
func TestPagingErrorMidway(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fail  func(w http.ResponseWriter)
		check func(err error) bool
	}{
		{"declared 500", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"title":"database on fire"}`))
		}, func(err error) bool {
			var re *runtime.ResponseError
			p, _ := errorModel(err).(*paging.Problem)
			return errors.As(err, &re) && re.StatusCode == 500 && p != nil && p.Title != nil && *p.Title == "database on fire"
		}},
		{"items that are not an array", func(w http.ResponseWriter) {
			w.Header().Set("X-Next-Cursor", "more")
			writeJSON(w, map[string]any{"id": 4})
		}, func(err error) bool {
			var ce *runtime.CallError
			return errors.As(err, &ce) && strings.Contains(err.Error(), "the items")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := startPaging(t, 9)
			ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool {
				if r.URL.Query().Get("cursor") == "after-3" {
					tc.fail(w)
					return true
				}
				return false
			}
			got, errs := collect(ps.client(t).ListByHeaderAll(context.Background(), nil))
			if !slices.Equal(got, ids(1, 3)) {
				t.Errorf("items %v, want the first page's", got)
			}
			if len(errs) != 1 || !tc.check(errs[0]) {
				t.Errorf("errors %v", errs)
			}
			if n := len(ps.Calls()); n != 2 {
				t.Errorf("%d requests, want 2: nothing after the failure", n)
			}
		})
	}
}

func errorModel(err error) any {
	var re *runtime.ResponseError
	if errors.As(err, &re) {
		return re.Model
	}
	return nil
}

// TestPagingBreakStopsFetching: a loop that stops early stops the fetching:
// no page after the one of the last item taken is asked for.
func TestPagingBreakStopsFetching(t *testing.T) {
	for _, tc := range []struct{ take, calls int }{{1, 1}, {3, 1}, {4, 2}} {
		t.Run(strconv.Itoa(tc.take), func(t *testing.T) {
			ps := startPaging(t, 100)
			n := 0
			for _, err := range ps.client(t).ListOffsetsAll(context.Background(), nil) {
				if err != nil {
					t.Fatal(err)
				}
				if n++; n == tc.take {
					break
				}
			}
			if got := len(ps.Calls()); got != tc.calls {
				t.Errorf("%d requests after taking %d items, want %d", got, tc.take, tc.calls)
			}
		})
	}
}

// TestPagingCancel: a context cancelled between pages ends the iteration
// with its error, before the next page is sent.
func TestPagingCancel(t *testing.T) {
	ps := startPaging(t, 100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errs []error
	n := 0
	for _, err := range ps.client(t).ListOffsetsAll(ctx, nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n++; n == 3 {
			cancel()
		}
	}
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("errors %v, want one context.Canceled", errs)
	}
	if got := len(ps.Calls()); got != 1 {
		t.Errorf("%d requests, want 1", got)
	}
}

// TestPagingValidation: with response validation on, a page whose items
// lack a property the schema requires ends the iteration with a
// *runtime.InvalidResponseError at the item's path.
func TestPagingValidation(t *testing.T) {
	ps := startPaging(t, 0)
	ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"data":[{"id":1},{"name":"no id"}],"meta":{"next_cursor":"x","has_more":true}}`))
		return true
	}
	c, err := paging.New(runtime.WithBaseURL(ps.BaseURL()), runtime.WithAuth(runtime.Auth{BearerToken: pagingToken}),
		runtime.WithResponseValidation(true), runtime.WithLookupEnv(func(string) (string, bool) { return "", false }))
	if err != nil {
		t.Fatal(err)
	}
	got, errs := collect(c.ListByFieldAll(context.Background(), nil))
	var ie *runtime.InvalidResponseError
	if len(errs) != 1 || !errors.As(errs[0], &ie) || len(ie.Problems) != 1 || ie.Problems[0].Path != "$.data[1].id" {
		t.Fatalf("errors %v, want one InvalidResponseError at $.data[1].id", errs)
	}
	if len(got) != 0 || len(ps.Calls()) != 1 {
		t.Errorf("%d items from %d requests: an invalid page is not yielded, and ends the pages", len(got), len(ps.Calls()))
	}
}

// TestPagingItemsFresh: every item is decoded into a value of its own: a
// property a later page leaves out is not the earlier page's (a decoder
// that reused the slice would keep it), and a null item is an error, not a
// nil the loop would dereference.
func TestPagingItemsFresh(t *testing.T) {
	ps := startPaging(t, 0)
	ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Query().Get("cursor") {
		case "":
			w.Header().Set("X-Next-Cursor", "2")
			w.Write([]byte(`[{"id":1,"name":"one"},{"id":2,"name":"two"}]`))
		case "2":
			w.Header().Set("X-Next-Cursor", "3")
			w.Write([]byte(`[{"id":3},{"id":4}]`))
		default:
			w.Write([]byte(`[{"id":5},null]`))
		}
		return true
	}
	var items []*paging.Item
	var errs []error
	for it, err := range ps.client(t).ListByHeaderAll(context.Background(), nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, it)
	}
	if len(items) != 4 || items[2].Name != nil || items[3].Name != nil || *items[0].Name != "one" {
		t.Errorf("items %+v: the second page's must have no names", items)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "item 1 of the page is null") {
		t.Errorf("errors %v, want one about the null item", errs)
	}
}
