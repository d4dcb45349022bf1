package generator

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// pagingSpec adds the operation's tpgenimpl.Paging to its table.
func pagingSpec(op *Operation, d fieldValues) {
	p := op.Paging
	if p == nil {
		return
	}
	pv := fieldValues{"Next": jen.Qual(implPkg, p.Next)}
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
	d["Paging"] = jen.Op("&").Qual(implPkg, "Paging").Add(inOrder(pv, pagingFields))
}

// genPaging renders the method that iterates over every item of every
// page: one call of the runtime's Pages, which the operation's table drives.
func genPaging(op *Operation) jen.Code {
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
	params = append(params, jen.Id("opts").Op("...").Qual(runtimePkg, "CallOption"))
	for _, pp := range op.PathParams {
		args = append(args, pathText(pp))
	}
	doc := fmt.Sprintf("calls %s for each page of its results and yields every %s of every page, in order: %s (services.yaml's pagination).", op.Name, itemWords(p.Item), p.Describe) +
		"\n\nAn error is yielded once and ends the iteration; leaving the loop stops the fetching. Every page is a call" +
		" with the client's credentials, opts and one message id; [runtime.CallMaxPages] bounds the pages" +
		" ([runtime.DefaultMaxPages]), and a service that repeats a cursor ends the iteration with an error."
	return jen.Line().Add(docComment(p.Method, doc, "", op.Deprecated)).Line().
		Func().Params(jen.Id("c").Op("*").Id("Client")).Id(p.Method).Params(params...).
		Qual("iter", "Seq2").Types(item, jen.Error()).Block(
		jen.Return(jen.Qual(implPkg, "Pages").Types(item).Call(args...)),
	).Line()
}

// itemWords names the item type in the doc: "Order" for *Order.
func itemWords(t *Type) string {
	if t.Kind == KindPointer {
		t = t.Elem
	}
	return typeString(t)
}
