package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// pagingSpec adds the operation's tpgenimpl.Paging to its table.
func pagingSpec(op *model.Method, d fieldValues) {
	p := op.Paging
	if p == nil {
		return
	}
	pv := fieldValues{"Next": jen.Qual(model.ImplPkg, nextConsts[p.Next])}
	set := func(field, v string) {
		if v != "" {
			pv[field] = jen.Lit(v)
		}
	}
	path := func(field string, names []string) {
		if len(names) > 0 {
			pv[field] = stringsLit(names)
		}
	}
	path("Items", p.Items)
	set("Header", p.Header)
	path("Field", p.Field)
	set("Param", p.Param)
	set("Size", p.Size)
	if p.First != 0 {
		pv["First"] = jen.Lit(int(p.First))
	}
	path("HasMore", p.HasMore)
	path("Total", p.Total)
	d["Paging"] = jen.Op("&").Qual(model.ImplPkg, "Paging").Add(inOrder(pv, pagingFields))
}

// genPaging renders the method that iterates over every item of every
// page: one call of the runtime's Pages, which the operation's table drives.
func genPaging(op *model.Method) jen.Code {
	p := op.Paging
	if p == nil {
		return jen.Null()
	}
	item := typeCode(p.Item)
	params := []jen.Code{jen.Id("ctx").Qual("context", "Context")}
	args := []jen.Code{jen.Id("ctx"), jen.Id("c").Dot("svc"), jen.Op("&").Id(op.VarName), jen.Id("opts"), jen.Nil(), jen.Nil()}
	for _, pp := range op.PathParams {
		params = append(params, jen.Id(pp.Name).Add(typeCode(pp.Type)))
	}
	if op.Body != nil {
		params = append(params, jen.Id("body").Add(typeCode(op.Body.Type)))
		args[5] = jen.Id("body")
	}
	if op.ParamsType != "" {
		params = append(params, jen.Id("params").Op("*").Id(op.ParamsType))
		args[4] = jen.Id("params")
	}
	params = append(params, jen.Id("opts").Op("...").Qual(model.RuntimePkg, "CallOption"))
	for _, pp := range op.PathParams {
		args = append(args, pathText(pp))
	}
	doc := fmt.Sprintf("calls %s for each page of its results and yields every %s of every page, in order: %s (services.yaml's pagination).", op.Name, itemWords(p.Item), pagingWords(p)) +
		"\n\nAn error is yielded once and ends the iteration; leaving the loop stops the fetching. Every page is a call" +
		" with the client's credentials, opts and one message id; [runtime.CallMaxPages] bounds the pages" +
		" ([runtime.DefaultMaxPages]), and a service that repeats a cursor ends the iteration with an error."
	return jen.Line().Add(docComment(p.Method, doc, "", op.Deprecated)).Line().
		Func().Params(jen.Id("c").Op("*").Id("Client")).Id(p.Method).Params(params...).
		Qual("iter", "Seq2").Types(item, jen.Error()).Block(
		jen.Return(jen.Qual(model.ImplPkg, "Pages").Types(item).Call(args...)),
	).Line()
}

// itemWords names the item type in the doc: "Order" for *Order.
func itemWords(t *model.Type) string {
	if t.Kind == model.KindPointer {
		t = t.Elem
	}
	return t.Expr()
}

// nextConsts are tpgenimpl's NextKind constants.
var nextConsts = [...]string{
	model.NextLink: "NextLink", model.NextHeader: "NextHeader", model.NextField: "NextField",
	model.NextLastItem: "NextLastItem", model.NextPage: "NextPage", model.NextOffset: "NextOffset",
}

// pagingWords says how the next page is found, for the method's doc.
func pagingWords(p *model.Paging) string {
	switch p.Next {
	case model.NextField:
		return fmt.Sprintf("the next page's cursor is the body's %s, sent back as the query parameter %s", strings.Join(p.Field, "."), p.Param)
	case model.NextLastItem:
		return fmt.Sprintf("the next page's cursor is the last item's %s, sent as the query parameter %s; an empty page is the last", strings.Join(p.Field, "."), p.Param)
	case model.NextHeader:
		return fmt.Sprintf("the next page's cursor is the %s header, sent back as the query parameter %s", p.Header, p.Param)
	case model.NextLink:
		return `the next page is the Link header's rel="next" URL, followed only on the service's own origin`
	case model.NextPage:
		return fmt.Sprintf("pages are numbered in the query parameter %s, from %d", p.Param, p.First)
	case model.NextOffset:
		return fmt.Sprintf("pages start at the offset in the query parameter %s", p.Param)
	}
	return ""
}
