package generator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/generator/config"
)

// Paging is an operation's pagination from services.yaml, checked against
// the operation: the parameters are its query parameters, the paths are in
// its success body's type. The emitter writes it as a tpgenimpl.Paging and
// a method (Method) that iterates over every item of every page.
type Paging struct {
	Method string // the iterating method's Go name: ListOrdersAll
	Item   *Type  // the type of one item
	Items  []string
	Next   string   // a tpgenimpl NextKind constant: NextLink, NextHeader, NextField, NextPage, NextOffset
	Header string   // NextHeader: the response header with the cursor
	Field  []string // NextField: the path of the body field with the cursor
	Param  string
	Size   string
	First  int64
	// HasMore and Total are paths of body fields (see tpgenimpl.Paging).
	HasMore []string
	Total   []string
	// Describe says in words how the next page is found, for the method's doc.
	Describe string
}

// pagingNext maps services.yaml's styles to the runtime's NextKind constants.
var pagingNext = map[string]string{
	config.PageLink: "NextLink", config.PageHeader: "NextHeader", config.PageField: "NextField", config.PageLastItem: "NextLastItem",
	config.PageNumber: "NextPage", config.PageOffset: "NextOffset",
}

// pagination checks each operation's pagination and names its method. It
// runs after every operation has its method name, so that the spec's own
// names win over the iterating methods'.
func (b *builder) pagination(ops []*Operation, spec map[string]*opRef, methods *namespace) {
	byID := map[string]*Operation{}
	for _, op := range ops {
		byID[op.ID] = op
	}
	for _, o := range b.svc.Overrides {
		pg := o.Pagination
		if pg == nil {
			continue
		}
		op := byID[o.ID]
		if op == nil {
			// Not an operationId at all is reported by checkOverrides.
			if spec[o.ID] != nil {
				b.errs = append(b.errs, pg.Pos.Errorf("service %q: operation %q: pagination: the operation is not generated (include/exclude leave it out)", b.svc.Name, o.ID))
			}
			continue
		}
		if p := b.paging(op, pg); p != nil {
			p.Method = methods.claim(op.Name + "All")
			op.Paging = p
		}
	}
}

// paging checks pg against op; nil after recording why it does not fit.
func (b *builder) paging(op *Operation, pg *config.Pagination) *Paging {
	pre := fmt.Sprintf("service %q: operation %q: pagination: ", b.svc.Name, op.ID)
	fail := func(at config.Pos, format string, args ...any) *Paging {
		b.errs = append(b.errs, at.Errorf("%s", pre+fmt.Sprintf(format, args...)))
		return nil
	}
	body := pagedBody(op)
	if body == nil {
		return fail(pg.Pos, "%s %s has no JSON success response to read pages from", op.Method, op.writtenPath())
	}
	if op.PathVar != "" {
		return fail(pg.Pos, "operations whose path parameters are lists or objects cannot be paged yet")
	}
	if op.Body != nil && (op.Body.Kind == BodyBinary || op.Body.Kind == BodyMultipart) {
		return fail(pg.Pos, "the request body is streamed and cannot be sent again for the next page")
	}
	p := &Paging{Next: pagingNext[pg.Style], Param: pg.Param, Size: pg.Size, First: pg.First,
		Items: pg.Items.Names, HasMore: pg.HasMore.Names, Total: pg.Total.Names}
	ok := true
	// The items: an array in the body, or the body.
	items := body.Type
	if len(p.Items) > 0 {
		t, err := fieldType(body.Type, p.Items, "the response body")
		if err != "" {
			ok = false
			b.errs = append(b.errs, pg.Items.Pos.Errorf("%s", pre+subject("items", pg.Items.String(), err)))
		}
		items = t
	}
	if items != nil {
		if elem := sliceElem(items); elem != nil {
			// Structs are yielded as pointers, as single results are
			// returned: no copy per item, and one instantiation of the
			// runtime's generic loop for every struct type (see tpgenimpl.Pages).
			if elem.isStruct() {
				elem = pointerTo(elem)
			}
			p.Item = elem
		} else {
			ok = false
			at, what := pg.Pos, "the response body"
			if len(p.Items) > 0 {
				at, what = pg.Items.Pos, fmt.Sprintf("items %q", pg.Items)
			}
			hint := ""
			if len(p.Items) == 0 {
				hint = ": name the body field that holds the items (items: data)"
			}
			b.errs = append(b.errs, at.Errorf("%s", pre+fmt.Sprintf("%s is %s, not an array%s", what, describeType(items), hint)))
		}
	}
	// The parameters.
	check := func(name string, at config.Pos, what string, kinds ...string) {
		if name == "" {
			return
		}
		if err := queryParam(op, name, kinds); err != "" {
			ok = false
			b.errs = append(b.errs, at.Errorf("%s", pre+subject(what, name, err)))
		}
	}
	switch pg.Style {
	case config.PageHeader, config.PageField, config.PageLastItem:
		check(pg.Param, pg.ParamPos, "next.param", "String", "Int")
	case config.PageNumber:
		check(pg.Param, pg.ParamPos, "page.param", "Int")
	case config.PageOffset:
		check(pg.Param, pg.ParamPos, "offset.param", "Int")
	}
	check(pg.Size, pg.SizePos, "size", "Int")
	// The body fields.
	field := func(path config.Path, what string, kinds ...string) {
		if path.Names == nil {
			return
		}
		t, err := fieldType(body.Type, path.Names, "the response body")
		if err == "" && isAny(t) {
			b.note("pagination fields of any type, read as the runtime finds them", op.Method+" "+op.writtenPath(), fmt.Sprintf("%s %s", what, path))
		}
		if err == "" {
			if k := scalarKind(unwrapValue(t)); k != "" && !slices.Contains(kinds, k) || k == "" && !isAny(t) {
				err = fmt.Sprintf("is %s, not %s", describeType(t), kindWords(kinds))
			}
		}
		if err != "" {
			ok = false
			b.errs = append(b.errs, path.Pos.Errorf("%s", pre+subject(what, path.String(), err)))
		}
	}
	field(pg.HasMore, "has_more", "Bool")
	field(pg.Total, "total", "Int")
	switch pg.Style {
	case config.PageField:
		p.Field = strings.Split(pg.From, ".")
		field(config.Path{Names: p.Field, Pos: pg.FromPos}, "next.field", "String", "Int")
		p.Describe = fmt.Sprintf("the next page's cursor is the body's %s, sent back as the query parameter %s", pg.From, pg.Param)
	case config.PageLastItem:
		p.Field = strings.Split(pg.From, ".")
		if p.Item != nil {
			t, err := fieldType(p.Item, p.Field, "an item")
			if err == "" {
				if k := scalarKind(unwrapValue(t)); k != "String" && k != "Int" && !isAny(t) {
					err = fmt.Sprintf("is %s, not a string or an integer", describeType(t))
				}
			}
			if err != "" {
				ok = false
				b.errs = append(b.errs, pg.FromPos.Errorf("%s", pre+subject("next.last_item", pg.From, err)))
			}
		}
		p.Describe = fmt.Sprintf("the next page's cursor is the last item's %s, sent as the query parameter %s; an empty page is the last", pg.From, pg.Param)
	case config.PageHeader:
		p.Header = pg.From
		p.Describe = fmt.Sprintf("the next page's cursor is the %s header, sent back as the query parameter %s", pg.From, pg.Param)
	case config.PageLink:
		p.Describe = `the next page is the Link header's rel="next" URL, followed only on the service's own origin`
	case config.PageNumber:
		p.Describe = fmt.Sprintf("pages are numbered in the query parameter %s, from %d", pg.Param, pg.First)
	case config.PageOffset:
		p.Describe = fmt.Sprintf("pages start at the offset in the query parameter %s", pg.Param)
	}
	if !ok {
		return nil
	}
	return p
}

// pagedBody is the success response a page is read from: the first with a
// JSON body.
func pagedBody(op *Operation) *Response {
	for _, r := range op.Responses {
		if r.Success && r.Kind == BodyJSON && r.Type != nil {
			return r
		}
	}
	return nil
}

// fieldType follows a path of JSON property names through t's structs; the
// string says why it cannot, "" when it can. root names t in it.
func fieldType(t *Type, path []string, root string) (*Type, string) {
	for i, name := range path {
		s := structOf(t)
		if s == nil {
			where := root
			if i > 0 {
				where = strings.Join(path[:i], ".")
			}
			return nil, fmt.Sprintf("%s is %s, not an object with properties", where, describeType(t))
		}
		var f *Field
		var names []string
		for _, sf := range s.Fields {
			names = append(names, sf.JSONName)
			if sf.JSONName == name {
				f = sf
			}
		}
		if f == nil {
			msg := fmt.Sprintf("%s has no property %q", s.Name, name)
			if sg := config.Suggest(name, names); sg != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", sg)
			} else if len(names) > 0 {
				msg += " (it has " + strings.Join(names, ", ") + ")"
			}
			return nil, msg
		}
		t = f.Type
	}
	return t, ""
}

// structOf returns the struct declaration t is, through pointers,
// nullables and defined names; nil when it is none.
func structOf(t *Type) *Decl {
	t = unwrapValue(t)
	if t.Kind == KindNamed && t.Decl.Kind == DeclStruct {
		return t.Decl
	}
	return nil
}

// sliceElem returns the element type of the slice t is, or nil.
func sliceElem(t *Type) *Type {
	t = unwrapValue(t)
	if t.Kind == KindSlice && !(t.Elem.Kind == KindBuiltin && t.Elem.Name == "byte") {
		return t.Elem
	}
	return nil
}

// unwrapValue removes pointers, nullables and defined names around a type.
func unwrapValue(t *Type) *Type {
	for range maxNameChain {
		switch {
		case t.Kind == KindPointer, t.Kind == KindNullable:
			t = t.Elem
		case t.Kind == KindNamed && t.Decl.Kind == DeclDefined:
			t = t.Decl.Underlying
		case t.Kind == KindNamed && t.Decl.Kind == DeclNullable:
			t = t.Decl.Underlying
		default:
			return t
		}
	}
	return t
}

// queryParam checks that op has a primitive query parameter name whose
// values are of one of kinds (scalarKind's names).
func queryParam(op *Operation, name string, kinds []string) string {
	var names []string
	for _, p := range op.Params {
		if p.WireName != name {
			if p.In == "query" {
				names = append(names, p.WireName)
			}
			continue
		}
		switch {
		case p.In != "query":
			return fmt.Sprintf("is a %s parameter; pagination sends it in the query", p.In)
		case p.Shape != ShapePrimitive || !slices.Contains(kinds, scalarKind(p.Elem)):
			return fmt.Sprintf("is %s, not %s", describeType(p.Type), kindWords(kinds))
		}
		return ""
	}
	msg := fmt.Sprintf("%s %s has no query parameter of that name", op.Method, op.writtenPath())
	if s := config.Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	} else if len(names) > 0 {
		msg += " (it has " + strings.Join(names, ", ") + ")"
	}
	return msg
}

func isAny(t *Type) bool {
	t = unwrapValue(t)
	return t.Kind == KindBuiltin && t.Name == "any"
}

// kindWords says scalarKind names in words: "a string or an integer".
func kindWords(kinds []string) string {
	words := map[string]string{"String": "a string", "Int": "an integer", "Bool": "a boolean", "Float": "a number"}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = words[k]
	}
	return strings.Join(out, " or ")
}

// describeType says what a type is, for messages: "an array", "type Order".
func describeType(t *Type) string {
	u := unwrapValue(t)
	switch {
	case u.Kind == KindSlice:
		return "an array"
	case u.Kind == KindMap:
		return "a map"
	case u.Kind == KindNamed && u.Decl.Kind == DeclStruct:
		return "an object (" + u.Decl.Name + ")"
	case u.Kind == KindNamed && u.Decl.Kind == DeclUnion:
		return "a union (" + u.Decl.Name + ")"
	case u.Kind == KindNamed && u.Decl.Kind == DeclEnum:
		return "an enum (" + u.Decl.Name + ")"
	case isAny(u):
		return "of any type"
	}
	return "of type " + typeString(u)
}

// subject joins what a message is about and what is wrong with it:
// `items "x" is an object`, `items "x": Page has no property "x"`.
func subject(what, name, problem string) string {
	if strings.HasPrefix(problem, "is ") {
		return fmt.Sprintf("%s %q %s", what, name, problem)
	}
	return fmt.Sprintf("%s %q: %s", what, name, problem)
}
