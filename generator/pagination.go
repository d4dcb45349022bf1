package generator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/generator/config"
	"github.com/tpgen/tpgen/generator/internal/goname"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// pagingNext maps services.yaml's styles to how the next page is found.
var pagingNext = map[string]model.PageNext{
	config.PageLink: model.NextLink, config.PageHeader: model.NextHeader, config.PageField: model.NextField, config.PageLastItem: model.NextLastItem,
	config.PageNumber: model.NextPage, config.PageOffset: model.NextOffset,
}

// pagination checks each operation's pagination and names its method. It
// runs after every operation has its method name, so that the spec's own
// names win over the iterating methods'.
func (b *builder) pagination(ops []*model.Method, spec map[string]*opRef, methods *goname.Namespace) {
	byID := map[string]*model.Method{}
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
			p.Method = methods.Claim(op.Name + "All")
			op.Paging = p
		}
	}
}

// paging checks pg against op; nil after recording why it does not fit.
func (b *builder) paging(op *model.Method, pg *config.Pagination) *model.Paging {
	pre := fmt.Sprintf("service %q: operation %q: pagination: ", b.svc.Name, op.ID)
	fail := func(at config.Pos, format string, args ...any) *model.Paging {
		b.errs = append(b.errs, at.Errorf("%s", pre+fmt.Sprintf(format, args...)))
		return nil
	}
	body := pagedBody(op)
	if body == nil {
		return fail(pg.Pos, "%s %s has no JSON success response to read pages from", op.HTTPMethod, op.WrittenPath())
	}
	if op.PathVar != "" {
		return fail(pg.Pos, "operations whose path parameters are lists or objects cannot be paged yet")
	}
	if op.Body != nil && (op.Body.Kind == model.BodyBinary || op.Body.Kind == model.BodyMultipart) {
		return fail(pg.Pos, "the request body is streamed and cannot be sent again for the next page")
	}
	next, known := pagingNext[pg.Style]
	if !known { // config.Load refuses any other style
		return fail(pg.Pos, "unknown pagination style %q", pg.Style)
	}
	p := &model.Paging{Next: next, Param: pg.Param, Size: pg.Size, First: pg.First,
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
			if elem.IsStruct() {
				elem = model.PointerTo(elem)
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
	check := func(name string, at config.Pos, what string, kinds ...model.ScalarKind) {
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
		check(pg.Param, pg.ParamPos, "next.param", model.ScalarString, model.ScalarInt)
	case config.PageNumber:
		check(pg.Param, pg.ParamPos, "page.param", model.ScalarInt)
	case config.PageOffset:
		check(pg.Param, pg.ParamPos, "offset.param", model.ScalarInt)
	}
	check(pg.Size, pg.SizePos, "size", model.ScalarInt)
	// The fields: of the body, or (next.last_item) of an item.
	field := func(root *model.Type, rootWord string, path config.Path, what string, kinds ...model.ScalarKind) {
		if path.Names == nil || root == nil {
			return
		}
		t, err := fieldType(root, path.Names, rootWord)
		if err == "" && isAny(t) {
			b.note("pagination fields of any type, read as the runtime finds them", op.HTTPMethod+" "+op.WrittenPath(), fmt.Sprintf("%s %s", what, path))
		}
		if err == "" {
			if k := unwrapValue(t).ScalarKind(); k != model.ScalarNone && !slices.Contains(kinds, k) || k == model.ScalarNone && !isAny(t) {
				err = fmt.Sprintf("is %s, not %s", describeType(t), kindWords(kinds))
			}
		}
		if err != "" {
			ok = false
			b.errs = append(b.errs, path.Pos.Errorf("%s", pre+subject(what, path.String(), err)))
		}
	}
	const inBody = "the response body"
	field(body.Type, inBody, pg.HasMore, "has_more", model.ScalarBool)
	field(body.Type, inBody, pg.Total, "total", model.ScalarInt)
	switch pg.Style {
	case config.PageField:
		p.Field = strings.Split(pg.From, ".")
		field(body.Type, inBody, config.Path{Names: p.Field, Pos: pg.FromPos}, "next.field", model.ScalarString, model.ScalarInt)
	case config.PageLastItem:
		p.Field = strings.Split(pg.From, ".")
		field(p.Item, "an item", config.Path{Names: p.Field, Pos: pg.FromPos}, "next.last_item", model.ScalarString, model.ScalarInt)
	case config.PageHeader:
		p.Header = pg.From
	}
	if !ok {
		return nil
	}
	return p
}

// pagedBody is the success response a page is read from: the first with a
// JSON body.
func pagedBody(op *model.Method) *model.Response {
	for _, r := range op.Responses {
		if r.Success && r.Kind == model.BodyJSON && r.Type != nil {
			return r
		}
	}
	return nil
}

// fieldType follows a path of JSON property names through t's structs; the
// string says why it cannot, "" when it can. root names t in it.
func fieldType(t *model.Type, path []string, root string) (*model.Type, string) {
	for i, name := range path {
		s := structOf(t)
		if s == nil {
			where := root
			if i > 0 {
				where = strings.Join(path[:i], ".")
			}
			return nil, fmt.Sprintf("%s is %s, not an object with properties", where, describeType(t))
		}
		var f *model.Field
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
func structOf(t *model.Type) *model.Decl {
	t = unwrapValue(t)
	if t.Kind == model.KindNamed && t.Decl.Kind == model.DeclStruct {
		return t.Decl
	}
	return nil
}

// sliceElem returns the element type of the slice t is, or nil.
func sliceElem(t *model.Type) *model.Type {
	t = unwrapValue(t)
	if t.Kind == model.KindSlice && !(t.Elem.Kind == model.KindBuiltin && t.Elem.Name == "byte") {
		return t.Elem
	}
	return nil
}

// unwrapValue removes pointers, nullables and defined names around a type.
func unwrapValue(t *model.Type) *model.Type {
	for range model.MaxNameChain {
		switch {
		case t.Kind == model.KindPointer, t.Kind == model.KindNullable:
			t = t.Elem
		case t.Kind == model.KindNamed && t.Decl.Kind == model.DeclDefined:
			t = t.Decl.Underlying
		case t.Kind == model.KindNamed && t.Decl.Kind == model.DeclNullable:
			t = t.Decl.Underlying
		default:
			return t
		}
	}
	return t
}

// queryParam checks that op has a primitive query parameter name whose
// values are of one of kinds.
func queryParam(op *model.Method, name string, kinds []model.ScalarKind) string {
	var names []string
	for _, p := range op.Params {
		if p.WireName != name {
			if p.In == model.InQuery {
				names = append(names, p.WireName)
			}
			continue
		}
		switch {
		case p.In != model.InQuery:
			return fmt.Sprintf("is a %s parameter; pagination sends it in the query", p.In)
		case p.Shape != model.ShapePrimitive || !slices.Contains(kinds, p.Elem.ScalarKind()):
			return fmt.Sprintf("is %s, not %s", describeType(p.Type), kindWords(kinds))
		}
		return ""
	}
	msg := fmt.Sprintf("%s %s has no query parameter of that name", op.HTTPMethod, op.WrittenPath())
	if s := config.Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	} else if len(names) > 0 {
		msg += " (it has " + strings.Join(names, ", ") + ")"
	}
	return msg
}

func isAny(t *model.Type) bool {
	t = unwrapValue(t)
	return t.Kind == model.KindBuiltin && t.Name == "any"
}

// kindWords says kinds in words: "a string or an integer".
// scalarWords are the kinds pagination asks for, in its messages.
var scalarWords = map[model.ScalarKind]string{
	model.ScalarString: "a string", model.ScalarInt: "an integer", model.ScalarBool: "a boolean", model.ScalarFloat: "a number",
}

func kindWords(kinds []model.ScalarKind) string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = scalarWords[k]
	}
	return strings.Join(out, " or ")
}

// describeType says what a type is, for messages: "an array", "type Order".
func describeType(t *model.Type) string {
	u := unwrapValue(t)
	switch {
	case u.Kind == model.KindSlice:
		return "an array"
	case u.Kind == model.KindMap:
		return "a map"
	case u.Kind == model.KindNamed && u.Decl.Kind == model.DeclStruct:
		return "an object (" + u.Decl.Name + ")"
	case u.Kind == model.KindNamed && u.Decl.Kind == model.DeclUnion:
		return "a union (" + u.Decl.Name + ")"
	case u.Kind == model.KindNamed && u.Decl.Kind == model.DeclEnum:
		return "an enum (" + u.Decl.Name + ")"
	case isAny(u):
		return "of any type"
	}
	return "of type " + u.Expr()
}

// subject joins what a message is about and what is wrong with it:
// `items "x" is an object`, `items "x": Page has no property "x"`.
func subject(what, name, problem string) string {
	if strings.HasPrefix(problem, "is ") {
		return fmt.Sprintf("%s %q %s", what, name, problem)
	}
	return fmt.Sprintf("%s %q: %s", what, name, problem)
}
