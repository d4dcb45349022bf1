package roundtrip_test

// A hostile backend against the generated XxxAll methods: cursors that try
// to add parameters, pages too big to read, a page that redirects elsewhere,
// a page that fails once and is retried, and the caller's own values (its
// params, one iterator ranged twice or at once).

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/internal/roundtrip/gen/paging"
	"github.com/tpgen/tpgen/runtime"
)

// TestPagingCursorIsData: a body cursor holding &, =, #, a line break or
// non-ASCII text is sent back as the one value of the cursor parameter,
// never as parameters or a fragment of its own; a number is sent as
// written; a cursor that is neither (true, an object) ends the iteration
// with an error, unsent.
func TestPagingCursorIsData(t *testing.T) {
	for _, tc := range []struct {
		name, cursor string // cursor: JSON
		want         string // the cursor the second request carries; "" for none
	}{
		{"parameters", `"x&limit=1000&cursor=y"`, "x&limit=1000&cursor=y"},
		{"fragment", `"a#b"`, "a#b"},
		{"line break", `"a\r\nX-Injected: 1"`, "a\r\nX-Injected: 1"},
		{"unicode", `"ä/..%2F"`, "ä/..%2F"},
		{"number", `1e3`, "1e3"},
		{"boolean", `true`, ""},
		{"object", `{"a":1}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := startPaging(t, 0)
			ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool {
				if r.URL.Query().Has("cursor") {
					writeJSON(w, map[string]any{"data": []paging.Item{{ID: 2}}, "meta": map[string]any{"has_more": false}})
					return true
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"data":[{"id":1}],"meta":{"next_cursor":%s,"has_more":true}}`, tc.cursor)
				return true
			}
			got, errs := collect(ps.client(t).ListByFieldAll(context.Background(), nil))
			calls := ps.Calls()
			if tc.want == "" {
				if len(errs) != 1 || !strings.Contains(errs[0].Error(), "neither a string nor a number") || len(calls) != 1 || !slices.Equal(got, []int{1}) {
					t.Fatalf("items %v, errors %v after %d requests, want the first page and one error", got, errs, len(calls))
				}
				return
			}
			if len(errs) > 0 || !slices.Equal(got, []int{1, 2}) || len(calls) != 2 {
				t.Fatalf("items %v, errors %v after %d requests", got, errs, len(calls))
			}
			q, err := url.ParseQuery(calls[1].Query)
			if err != nil || len(q) != 1 || len(q["cursor"]) != 1 || q.Get("cursor") != tc.want {
				t.Errorf("the second request's query %q, want only cursor=%q", calls[1].Query, tc.want)
			}
		})
	}
}

// TestPagingPageBodyBounded: WithMaxResponseBytes bounds every page, not
// only the first: a second page larger than the bound (an endless array)
// ends the iteration with an error after the first page's items.
func TestPagingPageBodyBounded(t *testing.T) {
	ps := startPaging(t, 0)
	ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool {
		if r.URL.Query().Get("cursor") == "" {
			w.Header().Set("X-Next-Cursor", "big")
			writeJSON(w, []paging.Item{{ID: 1}})
			return true
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("["))
		for i := range 200_000 {
			fmt.Fprintf(w, `{"id":%d},`, i)
		}
		w.Write([]byte(`{"id":0}]`))
		return true
	}
	c, err := paging.New(runtime.WithBaseURL(ps.BaseURL()), runtime.WithAuth(runtime.Auth{BearerToken: pagingToken}),
		runtime.WithLookupEnv(func(string) (string, bool) { return "", false }), runtime.WithMaxResponseBytes(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	got, errs := collect(c.ListByHeaderAll(context.Background(), nil))
	if !slices.Equal(got, []int{1}) || len(errs) != 1 || !strings.Contains(errs[0].Error(), "65536") {
		t.Errorf("items %d (first %v), errors %v; want the first page's item and one error about the bound", len(got), got[:min(len(got), 3)], errs)
	}
}

// TestPagingRedirectElsewhere: a page that answers 307 to another origin
// does not get the token sent there.
func TestPagingRedirectElsewhere(t *testing.T) {
	other := startRecorder(t)
	ps := startPaging(t, 0)
	ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool {
		if r.URL.Query().Get("cursor") == "" {
			w.Header().Set("X-Next-Cursor", "moved")
			writeJSON(w, []paging.Item{{ID: 1}})
			return true
		}
		http.Redirect(w, r, other.URL+"/v1/by-header?cursor=moved", http.StatusTemporaryRedirect)
		return true
	}
	got, errs := collect(ps.client(t).ListByHeaderAll(context.Background(), nil))
	for _, a := range other.calls() {
		if strings.Contains(a, pagingToken) {
			t.Errorf("the other origin got Authorization %q", a)
		}
	}
	t.Logf("items %v, errors %v, other origin called %d times", got, errs, len(other.calls()))
}

// TestPagingRetriedPageCountedOnce: a page that fails once with 503 is sent
// again with the same cursor, and counts as one page: CallMaxPages(3) gets
// all three pages of nine items.
func TestPagingRetriedPageCountedOnce(t *testing.T) {
	ps := startPaging(t, 9)
	var mu sync.Mutex
	failed := false
	ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Query().Get("cursor") == "after-3" && !failed {
			failed = true
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	got, errs := collect(ps.client(t).ListByHeaderAll(context.Background(), nil, runtime.CallMaxPages(3)))
	if !slices.Equal(got, ids(1, 9)) || len(errs) > 0 {
		t.Fatalf("items %v, errors %v, want 1..9", got, errs)
	}
	var cursors []string
	for _, c := range ps.Calls() {
		q, _ := url.ParseQuery(c.Query)
		cursors = append(cursors, q.Get("cursor"))
	}
	if !slices.Equal(cursors, []string{"", "after-3", "after-3", "after-6"}) {
		t.Errorf("cursors sent %q, want the retried page's twice", cursors)
	}
}

// TestPagingCallerValuesUntouched: the iteration changes nothing of the
// caller's params (the cursor, the page number stay as given), and one
// iterator value ranged twice, or by two goroutines at once, gives every
// item each time.
func TestPagingCallerValuesUntouched(t *testing.T) {
	ps := startPaging(t, 7)
	c := ps.client(t)
	hp := &paging.ListByHeaderParams{Limit: ptr(2)}
	lp := &paging.ListLinkedParams{Page: ptr(1), PerPage: ptr(2)}
	byHeader, linked := c.ListByHeaderAll(context.Background(), hp), c.ListLinkedAll(context.Background(), lp)
	for i := range 2 {
		for name, seq := range map[string]func() ([]int, []error){
			"by header": func() ([]int, []error) { return collect(byHeader) },
			"linked":    func() ([]int, []error) { return collect(linked) },
		} {
			if got, errs := seq(); !slices.Equal(got, ids(1, 7)) || len(errs) > 0 {
				t.Errorf("%s, range %d: items %v, errors %v", name, i+1, got, errs)
			}
		}
	}
	if hp.Cursor != nil || *hp.Limit != 2 || *lp.Page != 1 || *lp.PerPage != 2 {
		t.Errorf("the caller's params changed: %+v %+v", hp, lp)
	}
	var wg sync.WaitGroup
	results := make([][]int, 4)
	for i := range results {
		wg.Go(func() {
			seq := byHeader
			if i%2 == 1 {
				seq = linked
			}
			results[i], _ = collect(seq)
		})
	}
	wg.Wait()
	for i, got := range results {
		if !slices.Equal(got, ids(1, 7)) {
			t.Errorf("concurrent range %d: %v", i, got)
		}
	}
}

// TestPagingErrorSays: an error on a later page names the operation and the
// page it came from, so that a log line says where the iteration stopped.
func TestPagingErrorSays(t *testing.T) {
	ps := startPaging(t, 0)
	ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool {
		n, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
		if n == 2 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"title":"boom"}`))
			return true
		}
		w.Header().Set("X-Next-Cursor", strconv.Itoa(n+1))
		writeJSON(w, []paging.Item{{ID: n}})
		return true
	}
	_, errs := collect(ps.client(t).ListByHeaderAll(context.Background(), nil))
	if len(errs) != 1 {
		t.Fatalf("errors %v", errs)
	}
	var re *runtime.ResponseError
	if !errors.As(errs[0], &re) || re.StatusCode != 500 {
		t.Errorf("the error is not the page's ResponseError: %#v", errs[0])
	}
	for _, want := range []string{"listByHeader", "message id", "(page 3 of the iteration)"} {
		if !strings.Contains(errs[0].Error(), want) {
			t.Errorf("the error does not say %q: %v", want, errs[0])
		}
	}
}

// TestPagingHugeCursor: a cursor (a header, a body field) or a next link of
// 100 KiB would become a next request's URL of up to three times that; the
// iteration ends with an error after the first page instead, unsent.
func TestPagingHugeCursor(t *testing.T) {
	huge := strings.Repeat("c", 100<<10)
	for _, tc := range []struct {
		name   string
		answer func(w http.ResponseWriter)
		iter   func(c *paging.Client) iter.Seq2[*paging.Item, error]
	}{
		{"header", func(w http.ResponseWriter) {
			w.Header().Set("X-Next-Cursor", huge)
			writeJSON(w, []paging.Item{{ID: 1}})
		}, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListByHeaderAll(context.Background(), nil)
		}},
		{"body field", func(w http.ResponseWriter) {
			writeJSON(w, map[string]any{"data": []paging.Item{{ID: 1}}, "meta": map[string]any{"next_cursor": huge, "has_more": true}})
		}, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListByFieldAll(context.Background(), nil)
		}},
		{"link", func(w http.ResponseWriter) {
			w.Header().Set("Link", `</v1/linked?page=`+huge+`>; rel="next"`)
			writeJSON(w, []paging.Item{{ID: 1}})
		}, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListLinkedAll(context.Background(), nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := startPaging(t, 0)
			ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool { tc.answer(w); return true }
			got, errs := collect(tc.iter(ps.client(t)))
			if !slices.Equal(got, []int{1}) || len(errs) != 1 || !strings.Contains(errs[0].Error(), "a next page's URL may carry") {
				t.Errorf("items %v, errors %.300v; want the first page and one error about the cursor's size", got, errs)
			}
			if n := len(ps.Calls()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// TestPagingErrorHidesEchoedToken: a service that echoes the token it was
// sent into a next link to another host, a huge cursor or a cursor that is
// not one gets an error that quotes what it answered; the quote does not
// show the token.
func TestPagingErrorHidesEchoedToken(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(w http.ResponseWriter)
		iter   func(c *paging.Client) iter.Seq2[*paging.Item, error]
	}{
		{"a link elsewhere", func(w http.ResponseWriter) {
			w.Header().Set("Link", `<https://mirror.example/v1/linked?access_token=`+pagingToken+`&page=2>; rel="next"`)
			writeJSON(w, []paging.Item{{ID: 1}})
		}, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListLinkedAll(context.Background(), nil)
		}},
		{"a huge cursor", func(w http.ResponseWriter) {
			w.Header().Set("X-Next-Cursor", pagingToken+strings.Repeat("c", 100<<10))
			writeJSON(w, []paging.Item{{ID: 1}})
		}, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListByHeaderAll(context.Background(), nil)
		}},
		{"a repeated cursor", func(w http.ResponseWriter) {
			w.Header().Set("X-Next-Cursor", "t:"+pagingToken)
			writeJSON(w, []paging.Item{{ID: 1}})
		}, func(c *paging.Client) iter.Seq2[*paging.Item, error] {
			return c.ListByHeaderAll(context.Background(), nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := startPaging(t, 0)
			ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool { tc.answer(w); return true }
			_, errs := collect(tc.iter(ps.client(t)))
			if len(errs) != 1 {
				t.Fatalf("errors %v, want one", errs)
			}
			for _, out := range []string{errs[0].Error(), fmt.Sprintf("%+v", errs[0]), fmt.Sprintf("%#v", errs[0])} {
				if strings.Contains(out, pagingToken) {
					t.Errorf("the error shows the token: %.300s", out)
				}
			}
			if !strings.Contains(errs[0].Error(), "[redacted]") {
				t.Errorf("the error %.300s does not mark what it left out", errs[0])
			}
		})
	}
}

// TestPagingCancelMidPage: the context is cancelled while the second page
// is being answered (the server holds it): the iteration yields the first
// page, then one error that matches context.Canceled, and asks for nothing
// after it.
func TestPagingCancelMidPage(t *testing.T) {
	ps := startPaging(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ps.answer = func(w http.ResponseWriter, r *http.Request, op string) bool {
		if r.URL.Query().Get("cursor") == "" {
			w.Header().Set("X-Next-Cursor", "held")
			writeJSON(w, []paging.Item{{ID: 1}})
			return true
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[{"id":2},`)) // half a page, then the caller gives up
		w.(http.Flusher).Flush()
		cancel()
		<-r.Context().Done()
		return true
	}
	got, errs := collect(ps.client(t).ListByHeaderAll(ctx, nil))
	if !slices.Equal(got, []int{1}) || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("items %v, errors %v; want the first page and context.Canceled", got, errs)
	}
	if n := len(ps.Calls()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}
