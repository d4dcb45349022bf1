package config

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Pagination is an operation's pagination: where a page's items are and how
// the next page is asked for. The generator checks the names against the
// spec (the parameters are the operation's query parameters, the paths are
// in its success response's schema) and emits a method that iterates over
// every item of every page.
type Pagination struct {
	Pos Pos // of the pagination: key
	// Items is the path of the items array in the body ("data",
	// "result.items"); "" when the body is the array.
	Items Path
	// Style is how the next page is found: one of the Page* constants.
	Style string
	// From is the response header (PageHeader), the body field (PageField)
	// or the field of the last item (PageLastItem) that holds the next
	// page's cursor.
	From    string
	FromPos Pos
	// Param is the query parameter the cursor, page number or offset is
	// sent in; "" for PageLink.
	Param    string
	ParamPos Pos
	// First is the number of the first page (PageNumber; default 1).
	First int64
	// Size is the query parameter of the page size (PageNumber,
	// PageOffset): a page with fewer items than the call asked for is the
	// last.
	Size    string
	SizePos Pos
	// HasMore is a boolean body field whose false ends the pages; Total an
	// integer body field, the number of items in all pages (PageNumber,
	// PageOffset).
	HasMore Path
	Total   Path
}

// Path is a dot-separated path of JSON property names, with where it is written.
type Path struct {
	Names []string
	Pos   Pos
}

// String returns the path as written.
func (p Path) String() string { return strings.Join(p.Names, ".") }

// Styles of pagination.
const (
	PageLink   = "link"   // next: {link_header: true}: the Link header's rel="next" URL
	PageHeader = "header" // next: {header: X-Next-Cursor, param: cursor}
	PageField  = "field"  // next: {field: meta.next, param: cursor}
	// PageLastItem: next: {last_item: id, param: starting_after}: the cursor
	// is a field of the page's last item (Stripe's way).
	PageLastItem = "last_item"
	PageNumber   = "page"   // page: {param: page, first: 1}
	PageOffset   = "offset" // offset: {param: offset}
)

var (
	paginationKeys = []string{"items", "next", "page", "offset", "size", "has_more", "total"}
	nextKeys       = []string{"link_header", "header", "field", "last_item", "param"}
	pageKeys       = []string{"param", "first"}
	offsetKeys     = []string{"param"}
	paginationHint = map[string]string{
		"cursor":    "a cursor is found by next: {header: ..., param: ...} or next: {field: ..., param: ...}",
		"link":      "did you mean next: {link_header: true}?",
		"limit":     "the page size parameter is size:",
		"per_page":  "the page size parameter is size:",
		"page_size": "the page size parameter is size:",
		"param":     "param belongs under next:, page: or offset:",
	}
)

// pagination decodes an operation's pagination: mapping.
func (d *decoder) pagination(pre string, k, n *yaml.Node) *Pagination {
	pre += "pagination: "
	es, ok := d.entries(pre, "pagination", n)
	if !ok {
		return nil
	}
	p := &Pagination{Pos: d.pos(k)}
	var styleAt *yaml.Node // the key that chose the style
	choose := func(style string, at *yaml.Node) bool {
		if styleAt != nil {
			d.errorf(pre, at, "%s and %s are two ways of finding the next page: keep one", styleAt.Value, at.Value)
			return false
		}
		p.Style, styleAt = style, at
		return true
	}
	for _, e := range es {
		switch e.key {
		case "items":
			p.Items = d.jsonPath(pre, "items", e.v)
		case "next":
			if choose("", e.k) {
				d.next(pre, e.v, p)
			}
		case "page":
			if choose(PageNumber, e.k) {
				d.pageParam(pre, e, p, pageKeys)
			}
		case "offset":
			if choose(PageOffset, e.k) {
				d.pageParam(pre, e, p, offsetKeys)
			}
		case "size":
			p.Size, _ = d.paramName(pre, "size", e.v)
			p.SizePos = d.pos(e.v)
		case "has_more":
			p.HasMore = d.jsonPath(pre, "has_more", e.v)
		case "total":
			p.Total = d.jsonPath(pre, "total", e.v)
		default:
			d.unknownKey(pre, e.k, "pagination", paginationKeys, paginationHint)
		}
	}
	switch {
	case styleAt == nil:
		d.errorf(pre, k, "say how the next page is found: next: {link_header: true}, next: {header: X-Next-Cursor, param: cursor}, next: {field: next_cursor, param: cursor}, page: {param: page} or offset: {param: offset}")
	case p.Style == PageNumber || p.Style == PageOffset:
		// One parameter cannot be both the page (or offset) and the page's
		// size: the runtime would read the one as the other and fetch until
		// its page limit.
		if n := nodeAt(es, "size"); n != nil && p.Size != "" && p.Size == p.Param {
			d.errorf(pre, n, "size names %s, which is %s's parameter too: size is the page size's own parameter; leave it out when the operation has none", p.Size, p.Style) // the style is its key: page, offset
		}
	case p.Style == "":
	default: // a cursor or a link: it says where the pages end, and nothing else may
		if n := nodeAt(es, "total"); n != nil {
			d.errorf(pre, n, "total counts items for page: and offset:; with next: the page without a next cursor or link is the last (has_more: can end it too)")
		}
		if n := nodeAt(es, "size"); n != nil {
			d.errorf(pre, n, "size ends numbered pages and offsets at a short page; with next: a short page may still have a next one, and the page without a next cursor or link is the last")
		}
	}
	return p
}

// next decodes next: one of link_header, header or field, with param for the last two.
func (d *decoder) next(pre string, n *yaml.Node, p *Pagination) {
	es, ok := d.entries(pre, "next", n)
	if !ok {
		return
	}
	var from *yaml.Node // the key that says where the cursor is
	fromKey := false    // one was written, good or not
	set := func(style string, at *yaml.Node) {
		if from != nil {
			d.errorf(pre, at, "next: %s and %s are two places for the cursor: keep one", from.Value, at.Value)
			return
		}
		p.Style, from = style, at
	}
	var paramAt *yaml.Node
	for _, e := range es {
		switch e.key {
		case "link_header":
			fromKey = true
			if v, ok := d.boolean(pre, "next.link_header", e.v); ok {
				if !v {
					d.errorf(pre, e.v, "next.link_header: false finds no page: leave it out and say where the cursor is (header: or field:)")
					continue
				}
				set(PageLink, e.k)
			}
		case "header":
			fromKey = true
			if v, ok := d.plain(pre, "next.header", e.v); ok {
				if !headerName.MatchString(v) {
					d.errorf(pre, e.v, "next.header %s is not an HTTP header name", quote(v))
					continue
				}
				set(PageHeader, e.k)
				p.From, p.FromPos = v, d.pos(e.v)
			}
		case "field":
			fromKey = true
			if path := d.jsonPath(pre, "next.field", e.v); path.Names != nil {
				set(PageField, e.k)
				p.From, p.FromPos = path.String(), path.Pos
			}
		case "last_item":
			fromKey = true
			if path := d.jsonPath(pre, "next.last_item", e.v); path.Names != nil {
				set(PageLastItem, e.k)
				p.From, p.FromPos = path.String(), path.Pos
			}
		case "param":
			p.Param, _ = d.paramName(pre, "next.param", e.v)
			p.ParamPos, paramAt = d.pos(e.v), e.k
		default:
			d.unknownKey(pre, e.k, "next", nextKeys, nil)
		}
	}
	switch {
	case !fromKey:
		d.errorf(pre, n, "next: say where the next page is: link_header: true, header: <name>, field: <path> or last_item: <path>")
	case p.Style == PageLink && paramAt != nil:
		d.errorf(pre, paramAt, "next.param is not used with link_header: the link is the whole next request")
	case from != nil && p.Style != PageLink && paramAt == nil:
		d.errorf(pre, from, "next.%s needs param: the query parameter the cursor is sent back in", from.Value)
	}
}

// pageParam decodes page: or offset:, a mapping with param (and first).
func (d *decoder) pageParam(pre string, e entry, p *Pagination, keys []string) {
	es, ok := d.entries(pre, e.key, e.v)
	if !ok {
		return
	}
	for _, pe := range es {
		switch pe.key {
		case "param":
			p.Param, _ = d.paramName(pre, e.key+".param", pe.v)
			p.ParamPos = d.pos(pe.v)
		case "first":
			if pe.v.Kind != yaml.ScalarNode || pe.v.ShortTag() != "!!int" || pe.v.Decode(&p.First) != nil || p.First < 0 {
				d.wrongKind(pre, e.key+".first", pe.v, "a whole number, 0 or more")
			}
		default:
			d.unknownKey(pre, pe.k, e.key, keys, nil)
		}
	}
	if p.Param == "" && !hasKey(es, "param") {
		d.errorf(pre, e.k, "%s needs param: the query parameter the %s is sent in", e.key, map[string]string{"page": "page number", "offset": "offset"}[e.key])
	}
	if e.key == "page" && !hasKey(es, "first") {
		p.First = 1
	}
}

// paramName decodes the name of a query parameter.
func (d *decoder) paramName(pre, key string, n *yaml.Node) (string, bool) {
	return d.plain(pre, key, n)
}

// jsonPath decodes a dot-separated path of property names.
func (d *decoder) jsonPath(pre, key string, n *yaml.Node) Path {
	v, ok := d.plain(pre, key, n)
	if !ok {
		return Path{}
	}
	names := strings.Split(v, ".")
	for _, s := range names {
		if s == "" {
			d.errorf(pre, n, "%s %s has an empty step: write property names separated by single dots (data, meta.next_cursor)", key, quote(v))
			return Path{}
		}
	}
	return Path{Names: names, Pos: d.pos(n)}
}

func hasKey(es []entry, key string) bool { return nodeAt(es, key) != nil }

func nodeAt(es []entry, key string) *yaml.Node {
	for _, e := range es {
		if e.key == key {
			return e.k
		}
	}
	return nil
}

// String describes the pagination for messages: "next: {header: X-Next-Cursor, param: cursor}".
func (p *Pagination) String() string {
	switch p.Style {
	case PageLink:
		return "next: {link_header: true}"
	case PageHeader:
		return fmt.Sprintf("next: {header: %s, param: %s}", p.From, p.Param)
	case PageField:
		return fmt.Sprintf("next: {field: %s, param: %s}", p.From, p.Param)
	case PageLastItem:
		return fmt.Sprintf("next: {last_item: %s, param: %s}", p.From, p.Param)
	case PageNumber:
		return fmt.Sprintf("page: {param: %s, first: %d}", p.Param, p.First)
	}
	return fmt.Sprintf("offset: {param: %s}", p.Param)
}
