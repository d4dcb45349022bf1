package tpgenimpl

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/internal/link"
	"github.com/tpgen/tpgen/runtime/internal/quote"
)

// Paging is how an operation's pages follow each other, from services.yaml's
// pagination: where a page's items are, how the next page is asked for, and
// what says that a page is the last.
type Paging struct {
	// Items is the path of the items array in the body, one property name a
	// step; empty when the body is the array.
	Items []string
	// Next is how the next page is found; Header or Field, and Param,
	// complete it.
	Next NextKind
	// Header is the response header that holds the next page's cursor
	// (NextHeader), Field the path of the body field that does (NextField),
	// or of the field of the page's last item (NextLastItem).
	Header string
	Field  []string
	// Param is the query parameter that the cursor (NextHeader, NextField),
	// the page number (NextPage) or the offset (NextOffset) is sent in.
	Param string
	// Size is the query parameter that says how many items a page holds
	// (NextPage, NextOffset): when the call sends it, a page with fewer
	// items is the last.
	Size string
	// First is the number of the first page (NextPage), which the call
	// fetches when its parameters give no page number.
	First int64
	// HasMore is the path of a boolean body field: false ends the pages.
	HasMore []string
	// Total is the path of an integer body field: the number of items in all
	// pages (NextPage, NextOffset).
	Total []string
}

// NextKind is how the next page is asked for.
type NextKind uint8

// Kinds of next page.
const (
	NextLink     NextKind = iota + 1 // the Link header's rel="next" URL (RFC 8288)
	NextHeader                       // a cursor in a response header, sent back in Param
	NextField                        // a cursor in a body field, sent back in Param
	NextLastItem                     // a cursor in a field of the page's last item (Stripe's starting_after), sent in Param
	NextPage                         // page numbers in Param: First, First+1, ...
	NextOffset                       // item offsets in Param: 0, then the items so far
)

// Pages is what a generated paging method (ListOrdersAll) does: it calls op
// as Invoke would, with the method's arguments, then again for each next page
// that op.Paging finds, and yields every item of every page in order.
//
// An error (a failed call, a page that does not decode, a service that
// breaks the rules below) is yielded once, with the zero T, and ends the
// iteration; the items of the pages before it have been yielded. A loop that
// stops early stops the fetching: no page is asked for after the last item
// the loop took.
//
// What a service answers decides nothing about where calls go: every page is
// a call of op through the Service, to its base URL, with its credentials,
// message id (one for the whole iteration, unless the context has one) and
// call options. A next link (NextLink) is followed only when it resolves to
// the base URL's origin and to a path under the base URL's; one to anywhere
// else ends the iteration with an error before anything is sent there. A
// cursor or link met before, one longer than 64 KiB, and a page beyond the limit
// (runtime.CallMaxPages, runtime.DefaultMaxPages; runtime.ErrTooManyPages),
// end it with an error too, so that no service can keep the loop going for
// ever.
//
// Pages is not inlined: inlined, its closure would be compiled again in
// every method that calls it.
//
//go:noinline
func Pages[T any](ctx context.Context, s *runtime.Service, op *Operation, opts []runtime.CallOption, params, body any, path ...string) iter.Seq2[T, error] {
	// Only this loop is made per item type, and generated code pages structs
	// as pointers (T is *Order), which share one instantiation: a client may
	// page a hundred types. Decoding and the rules run in the pager, on an any.
	return func(yield func(T, error) bool) {
		p := newPager(ctx, s, op, opts, params, body, path)
		for p.more() {
			var items []T // a new slice a page: decoding into a used one would keep old items' fields
			err := p.fetch(&items)
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
		}
	}
}

// pager holds the state of one iteration; it is not generic, so that each
// item type adds only Pages' small loop to a client.
type pager struct {
	ctx        context.Context
	s          *runtime.Service
	e          link.Engine
	op         *Operation
	pg         *Paging
	req        link.Request
	next       bool  // another page is to be fetched
	err        error // what ends the iteration before the first page, if anything
	pages, max int
	seen       map[[sha256.Size]byte]bool // cursors and links asked for
	number     int64                      // NextPage: the page fetched next; NextOffset: its offset
	size       int64                      // the page size the call sends, 0 when it sends none
	before     int64                      // items in the pages before the iteration's first (for Total)
	count      int64                      // items in the pages fetched
}

func newPager(ctx context.Context, s *runtime.Service, op *Operation, opts []runtime.CallOption, params, body any, path []string) *pager {
	if len(opts) > 0 {
		ctx = runtime.ContextWithCallOptions(ctx, opts...)
	}
	if runtime.MessageIDFrom(ctx) == "" {
		// One id for the pages of one iteration: logs join them.
		ctx = runtime.ContextWithMessageID(ctx, runtime.NewMessageID())
	}
	e := engineOf(s)
	p := &pager{ctx: ctx, s: s, e: e, op: op, pg: op.Paging, next: true,
		max: e.MaxPages(ctx), seen: map[[sha256.Size]byte]bool{}}
	if p.pg == nil {
		p.err = e.Fail(ctx, op.link(), errors.New("the operation has no paging (a bug in the generated code)"))
		return p
	}
	pg := p.pg
	if pg.Size != "" && pg.Size == pg.Param {
		// The page number or offset would be read as the page size, and
		// replace it from the second page on: pages skipped or repeated.
		p.err = e.Fail(ctx, op.link(), fmt.Errorf("pagination: size and the page's parameter are both %q (fix services.yaml and generate again)", pg.Param))
		return p
	}
	if err := op.encode(&p.req, path, params, body); err != nil {
		p.err = e.Fail(ctx, op.link(), err)
		return p
	}
	p.req.Accept = op.Accept
	if p.req.Stream != nil {
		p.err = e.Fail(ctx, op.link(), errors.New("a streamed request body cannot be sent again for the next page"))
		return p
	}
	if pg.Size != "" {
		if v, ok := queryValue(p.req.RawQuery, pg.Size); ok {
			p.size, _ = strconv.ParseInt(v, 10, 64) // unreadable: no short-page rule
		}
	}
	switch pg.Next {
	case NextPage, NextOffset:
		if pg.Next == NextPage {
			p.number = pg.First
		}
		if v, ok := queryValue(p.req.RawQuery, pg.Param); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				p.err = e.Fail(ctx, op.link(), fmt.Errorf("query parameter %s: %q is not a whole number, which paging needs", pg.Param, quote.Truncate(v, 60)))
				return p
			}
			p.number = n
		}
		if pg.Next == NextOffset {
			p.before = p.number
		} else if p.number > pg.First {
			p.before = (p.number - pg.First) * p.size // 0 when the size is not known
		}
	case NextHeader, NextField, NextLastItem:
		if v, ok := queryValue(p.req.RawQuery, pg.Param); ok && v != "" {
			p.seen[sha256.Sum256([]byte(v))] = true // the caller's cursor
		}
	case NextLink:
		p.seen[sha256.Sum256([]byte(p.req.Path+"?"+p.req.RawQuery))] = true // the first page, as a link would name it
	}
	return p
}

// more reports whether another page is to be fetched (or the error that
// ended the iteration before the first is to be reported).
func (p *pager) more() bool { return p.next || p.err != nil }

// fetch calls op for the next page, decodes its items into items (a
// pointer to an empty slice), and settles the request of the page after it;
// the error ends the iteration (the items decoded are still yielded).
func (p *pager) fetch(items any) error {
	p.next = false
	if p.err != nil {
		err := p.err
		p.err = nil
		return err
	}
	p.pages++
	return p.where(p.call(items))
}

// call sends the page's request and reads its answer.
func (p *pager) call(items any) error {
	resp, err := p.e.Do(p.ctx, p.op.link(), p.req)
	if err != nil {
		return err
	}
	if err := p.page(resp, items); err != nil {
		resp.Close()
		return err
	}
	return resp.Close()
}

// where says which page an error of a page after the first came from, so
// that a log line tells how far the iteration got; the error stays what it
// was for errors.As and errors.Is.
func (p *pager) where(err error) error {
	if err == nil || p.pages < 2 {
		return err
	}
	return fmt.Errorf("%w (page %d of the iteration)", err, p.pages)
}

// page reads one response: its items, then where the next page is.
func (p *pager) page(resp link.Response, out any) error {
	var raw json.RawMessage
	if err := read(resp, p.op.Responses, p.targets(&raw), false); err != nil {
		return err
	}
	if raw == nil {
		return nil // a success without a body (204): no items, no next page
	}
	var top map[string]json.RawMessage // the body's properties, when a path needs them
	items := []byte(raw)
	list := reflect.ValueOf(out).Elem()
	if len(p.pg.Items) > 0 {
		v, err := lookup(raw, p.pg.Items, &top)
		if err != nil {
			return resp.Fail(err)
		}
		items = v
	}
	if len(items) == 0 || string(items) == "null" {
		items = []byte("[]") // no items property: an empty page
	}
	if p.e.ValidateResponses() {
		if problems, more := checkBody(string(items), list.Type()); len(problems) > 0 {
			// The paths are the items'; say them as the body's.
			var in path
			for _, k := range p.pg.Items {
				in.push(step{key: k})
			}
			for i := range problems {
				problems[i].Path = in.String() + strings.TrimPrefix(problems[i].Path, "$")
			}
			return resp.Fail(&runtime.InvalidResponseError{StatusCode: resp.StatusCode(), Problems: problems, More: more})
		}
	}
	if err := json.Unmarshal(items, out); err != nil {
		list.SetLen(0) // what a failed decode left is not yielded
		return resp.Fail(fmt.Errorf("decoding %d response: the items: %w", resp.StatusCode(), err))
	}
	n := list.Len()
	if list.Type().Elem().Kind() == reflect.Pointer {
		for i := range n {
			if list.Index(i).IsNil() {
				list.SetLen(0)
				return resp.Fail(fmt.Errorf("decoding %d response: item %d of the page is null", resp.StatusCode(), i))
			}
		}
	}
	p.count += int64(n)
	last, err := p.last(resp, raw, items, &top, n)
	if err != nil || last {
		return err
	}
	if p.pages >= p.max {
		return resp.Fail(fmt.Errorf("%w: stopped after %d pages (runtime.CallMaxPages allows more)", runtime.ErrTooManyPages, p.max))
	}
	p.next = true
	return nil
}

// targets gives every declared success body of op one place, raw: a page
// is read from its text.
func (p *pager) targets(raw *json.RawMessage) []any {
	n := 0
	for _, r := range p.op.Responses {
		n = max(n, r.Target+1)
	}
	t := make([]any, n)
	for i := range t {
		t[i] = raw
	}
	return t
}

// last reports whether the page just read (n items, body raw) is the last,
// and otherwise sets the request for the next one.
func (p *pager) last(resp link.Response, raw, items json.RawMessage, top *map[string]json.RawMessage, n int) (bool, error) {
	pg := p.pg
	if len(pg.HasMore) > 0 {
		v, err := lookup(raw, pg.HasMore, top)
		if err != nil {
			return false, resp.Fail(err)
		}
		var more *bool
		if err := json.Unmarshal(orNull(v), &more); err != nil {
			return false, resp.Fail(fmt.Errorf("paging: %s is not a boolean: %w", strings.Join(pg.HasMore, "."), err))
		}
		if more != nil && !*more {
			return true, nil
		}
	}
	switch pg.Next {
	case NextLink:
		return p.followLink(resp)
	case NextHeader:
		return p.cursor(resp, resp.Header().Get(pg.Header), "header "+pg.Header)
	case NextField:
		v, err := lookup(raw, pg.Field, top)
		if err != nil {
			return false, resp.Fail(err)
		}
		c, err := cursorText(v)
		if err != nil {
			return false, resp.Fail(fmt.Errorf("paging: %s: %w", strings.Join(pg.Field, "."), err))
		}
		return p.cursor(resp, c, "field "+strings.Join(pg.Field, "."))
	case NextLastItem:
		if n == 0 {
			return true, nil // no last item: no cursor
		}
		var list []json.RawMessage
		if err := json.Unmarshal(items, &list); err != nil {
			return false, resp.Fail(fmt.Errorf("paging: the items: %w", err))
		}
		var itemTop map[string]json.RawMessage
		v, err := lookup(list[len(list)-1], pg.Field, &itemTop)
		if err == nil {
			var c string
			if c, err = cursorText(v); err == nil && c == "" {
				err = errors.New("the last item has none")
			}
			if err == nil {
				return p.cursor(resp, c, "last item's "+strings.Join(pg.Field, "."))
			}
		}
		return false, resp.Fail(fmt.Errorf("paging: the cursor %s: %w", strings.Join(pg.Field, "."), err))
	}
	// Numbered pages and offsets: an empty or short page is the last, and so
	// is the page that reaches the total.
	if n == 0 || p.size > 0 && int64(n) < p.size {
		return true, nil
	}
	if len(pg.Total) > 0 {
		v, err := lookup(raw, pg.Total, top)
		if err != nil {
			return false, resp.Fail(err)
		}
		var total *int64
		if err := json.Unmarshal(orNull(v), &total); err != nil {
			return false, resp.Fail(fmt.Errorf("paging: %s is not a whole number: %w", strings.Join(pg.Total, "."), err))
		}
		if total != nil && p.before+p.count >= *total {
			return true, nil
		}
	}
	if pg.Next == NextPage {
		p.number++
	} else {
		p.number += int64(n)
	}
	p.req.RawQuery = setQuery(p.req.RawQuery, pg.Param, strconv.FormatInt(p.number, 10))
	return false, nil
}

// maxCursorBytes bounds a cursor or next link: it goes into the next
// request's URL (escaped, up to three times as long), which servers refuse
// long before this (nginx and Apache at 8 KiB), and a body of many
// megabytes must not become a URL of many more.
const maxCursorBytes = 64 << 10

// tooLong says that a cursor or link of n bytes is not sent.
func tooLong(n int) error {
	return fmt.Errorf("it is %d bytes, more than the %d a next page's URL may carry", n, maxCursorBytes)
}

// cursor sets the next request's cursor; an empty one ends the pages, one
// asked for before is an error (the service would page in a circle).
func (p *pager) cursor(resp link.Response, c, where string) (bool, error) {
	if c == "" {
		return true, nil
	}
	if len(c) > maxCursorBytes {
		return false, resp.Fail(fmt.Errorf("paging: the %s gives cursor %q: %w", where, quote.Truncate(c, 60), tooLong(len(c))))
	}
	if err := p.unseen(c); err != nil {
		return false, resp.Fail(fmt.Errorf("paging: the %s gives cursor %q %w", where, quote.Truncate(c, 60), err))
	}
	p.req.RawQuery = setQuery(p.req.RawQuery, p.pg.Param, c)
	return false, nil
}

// unseen records key, or says that it was asked for before. Keys are kept
// as hashes: a service's cursors may be long, and there are up to max of them.
func (p *pager) unseen(key string) error {
	h := sha256.Sum256([]byte(key))
	if p.seen[h] {
		return errors.New("that was asked for before: the pages would go round in a circle")
	}
	p.seen[h] = true
	return nil
}

// followLink sets the next request to the Link header's next URL, which must
// be on the service's origin under its base path: the next call goes there
// with the service's credentials, so a link elsewhere is refused, unsent.
func (p *pager) followLink(resp link.Response) (bool, error) {
	target := nextLink(resp.Header().Values("Link"))
	if target == "" {
		return true, nil
	}
	if len(target) > maxCursorBytes {
		return false, resp.Fail(fmt.Errorf("paging: the Link header's next page %q: %w", quote.Truncate(target, 120), tooLong(len(target))))
	}
	path, query, err := p.sameService(target)
	if err != nil {
		return false, resp.Fail(fmt.Errorf("paging: the Link header's next page %q: %w", quote.Truncate(target, 120), err))
	}
	if err := p.unseen(path + "?" + query); err != nil {
		return false, resp.Fail(fmt.Errorf("paging: the Link header's next page %q %w", quote.Truncate(target, 120), err))
	}
	p.req.Path, p.req.RawQuery = path, query
	return false, nil
}

// sameService resolves a next link against the request it answers and
// returns its path below the base URL and its query, or why it may not be
// followed.
func (p *pager) sameService(target string) (path, query string, err error) {
	base, err := url.Parse(p.s.BaseURL())
	if err != nil {
		return "", "", err // NewService checked it; cannot happen
	}
	sent, err := url.Parse(p.s.BaseURL() + p.req.Path + "?" + p.req.RawQuery)
	if err != nil {
		return "", "", err
	}
	ref, err := url.Parse(strings.TrimSpace(target))
	if err != nil {
		return "", "", fmt.Errorf("not a URL: %w", err)
	}
	u := sent.ResolveReference(ref) // removes dot segments (RFC 3986 §5.2)
	switch {
	case u.User != nil:
		return "", "", errors.New("it carries a user name; only links to the service's own base URL are followed")
	case !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host):
		return "", "", fmt.Errorf("it leads to %s://%s, not to the service's %s://%s: only links to the service's own origin are followed, so that its credentials go nowhere else",
			quote.Truncate(u.Scheme, 20), quote.Truncate(u.Host, 80), base.Scheme, base.Host)
	}
	// Dots that resolving left because they were escaped (%2E%2E), or that a
	// backslash makes a segment of, a server may still resolve: out of the
	// base path, to another service behind the same host.
	// A path parameter (";x", which Tomcat and Spring strip) does not hide one.
	for _, seg := range strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg, _, _ = strings.Cut(seg, ";"); seg == "." || seg == ".." {
			return "", "", errors.New("its path has a dot segment a server could resolve out of the base URL's path")
		}
	}
	basePath := strings.TrimSuffix(base.EscapedPath(), "/")
	rest, ok := strings.CutPrefix(u.EscapedPath(), basePath)
	if !ok || rest != "" && rest[0] != '/' {
		return "", "", fmt.Errorf("its path is not under the base URL's path %q", basePath)
	}
	return rest, u.RawQuery, nil
}

// lookup returns the JSON at path in the body raw (nil when a step is
// absent); top caches the body's own properties between lookups.
func lookup(raw json.RawMessage, path []string, top *map[string]json.RawMessage) (json.RawMessage, error) {
	if *top == nil {
		if err := json.Unmarshal(raw, top); err != nil {
			return nil, fmt.Errorf("paging: the body is not an object with %s: %w", strings.Join(path, "."), err)
		}
	}
	v := (*top)[path[0]]
	for i, name := range path[1:] {
		if len(v) == 0 || string(v) == "null" {
			return nil, nil
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(v, &obj); err != nil {
			return nil, fmt.Errorf("paging: %s is not an object: %w", strings.Join(path[:i+1], "."), err)
		}
		v = obj[name]
	}
	return v, nil
}

// cursorText is the cursor a body field holds: a string, or a number as
// written; null or absent is none.
func cursorText(v json.RawMessage) (string, error) {
	v = json.RawMessage(strings.TrimSpace(string(v)))
	switch {
	case len(v) == 0 || string(v) == "null":
		return "", nil
	case v[0] == '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err != nil {
		return "", errors.New("the cursor is neither a string nor a number")
	}
	return n.String(), nil
}

func orNull(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return v
}

// queryValue returns the (unescaped) value of the first name=value pair
// of a raw query.
func queryValue(raw, name string) (string, bool) {
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == name {
			uv, err := url.QueryUnescape(v)
			return uv, err == nil
		}
	}
	return "", false
}

// setQuery returns raw with name set to value: its pairs dropped, one
// appended, every other pair kept as it was written (its style, its order).
func setQuery(raw, name, value string) string {
	var b strings.Builder
	for _, kv := range strings.Split(raw, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); kv == "" || err == nil && uk == name {
			continue
		}
		b.WriteString(kv)
		b.WriteByte('&')
	}
	b.WriteString(escape(name))
	b.WriteByte('=')
	b.WriteString(escape(value))
	return b.String()
}
