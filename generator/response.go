package generator

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/internal/goname"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// The response side of an operation: declared responses and the result.

// statusOrder sorts responses: exact codes, then ranges, then default.
func statusOrder(s string) (int, int) {
	if s == "default" {
		return 2, 0
	}
	if n, err := strconv.Atoi(s); err == nil {
		return 0, n
	}
	if len(s) == 3 && (s[1] == 'X' || s[1] == 'x') {
		return 1, int(s[0]-'0') * 100
	}
	return 3, 0
}

func (b *builder) responses(op *model.Method, r *opRef, source string) {
	if r.op.Responses == nil {
		op.Result = &model.Result{Kind: model.ResultNone}
		return
	}
	statuses := sortedStatuses(r.op.Responses.Map())
	has2xx := slices.ContainsFunc(statuses, func(s string) bool { return strings.HasPrefix(s, "2") })
	has3xx := slices.ContainsFunc(statuses, func(s string) bool { return strings.HasPrefix(s, "3") })
	for _, s := range statuses {
		rr := r.op.Responses.Value(s)
		if rr == nil || rr.Value == nil {
			continue
		}
		class, n := statusOrder(s)
		if class == 3 {
			b.note("responses keyed by something other than a status code, range or default, left out", r.method+" "+r.path, strconv.Quote(s))
			continue
		}
		resp := &model.Response{Status: s}
		if rr.Value.Description != nil {
			resp.Doc = *rr.Value.Description
		}
		switch class {
		case 0:
			resp.Code = n
			resp.Success = n/100 == 2 || (!has2xx && n/100 == 3)
		case 1:
			resp.RangeFrom = n
			resp.Success = n == 200 || (!has2xx && n == 300)
		case 2:
			resp.Success = !has2xx && !has3xx
		}
		b.response(op, resp, rr, len(statuses), source)
		op.Responses = append(op.Responses, resp)
	}
	op.Result = b.result(op)
}

// sortedStatuses are a responses object's keys, most specific first: codes,
// then ranges, then default (see statusOrder).
func sortedStatuses[V any](m map[string]V) []string {
	statuses := sortedKeys(m)
	sort.SliceStable(statuses, func(i, j int) bool {
		ci, ni := statusOrder(statuses[i])
		cj, nj := statusOrder(statuses[j])
		if ci != cj {
			return ci < cj
		}
		return ni < nj
	})
	return statuses
}

// response types one declared response of op, of statuses in all: its body
// and, for a success, its headers. Its types are named after the operation
// and the status, or after the shared response it refers to.
func (b *builder) response(op *model.Method, resp *model.Response, rr *openapi3.ResponseRef, statuses int, source string) {
	s := resp.Status
	hint := op.Name + "Response"
	if !resp.Success {
		hint = op.Name + goname.SuffixName(s) + "Error"
	} else if statuses > 1 && s != "200" {
		hint = op.Name + goname.SuffixName(s) + "Response"
	}
	src, headerBase := source+" response "+s, op.Name
	if comp := componentName(rr.Ref, "responses"); comp != "" {
		// A shared response: its types are named after it.
		if h := b.componentHint(comp, "Response"); h != "" {
			hint, src, headerBase = h, "components/responses/"+comp, h
		}
	}
	ct, mt := pickContent(rr.Value.Content)
	if mt != nil {
		resp.ContentType = ct
		switch kind := mediaKind(ct); {
		case kind == model.BodyJSON && !isBinary(mt.Schema):
			resp.Kind = model.BodyJSON
			resp.Type = b.typer.typeOf(mt.Schema, hint, src)
		case kind == model.BodyText:
			resp.Kind, resp.Type = model.BodyText, model.TString
		default:
			resp.Kind, resp.Type = model.BodyBinary, model.TReadCloser
		}
	}
	if resp.Success {
		resp.Headers = b.responseHeaders(rr.Value.Headers, headerBase, src)
	}
}

// responseHeaders types a success response's headers, in name order, named
// after base; Content-Type is the runtime's.
func (b *builder) responseHeaders(headers openapi3.Headers, base, src string) []*model.ResponseHeader {
	var out []*model.ResponseHeader
	for _, hn := range sortedKeys(headers) {
		h := headers[hn]
		if h == nil || h.Value == nil || strings.EqualFold(hn, "Content-Type") {
			continue
		}
		rh := &model.ResponseHeader{WireName: hn, Doc: h.Value.Description}
		t := model.TString
		if h.Value.Schema != nil {
			t = b.typer.typeOf(h.Value.Schema, base+goname.ExportedName(hn)+"Header", src+" header "+hn)
		}
		under := model.Underlying(t)
		if t.Kind == model.KindNamed && t.Decl.Kind == model.DeclDefined {
			t = under // headers are typed by what the defined type is made of
		}
		switch {
		case under.Kind == model.KindSlice && under.Elem.Kind != model.KindSlice && isScalar(under.Elem):
			rh.List, rh.Elem, rh.Type = true, under.Elem, t
		case isScalar(under):
			rh.Elem, rh.Type = t, t
		default:
			rh.Elem, rh.Type = model.TString, model.TString // structured headers are kept as text
		}
		out = append(out, rh)
	}
	return out
}

// isScalar reports whether values of t have a text form (headers, form fields).
func isScalar(t *model.Type) bool { return t.ScalarKind() != model.ScalarNone }

// result decides what the method returns: nothing, the one success body, or a
// result struct when there are several bodies or typed headers.
func (b *builder) result(op *model.Method) *model.Result {
	var withBody []*model.Response
	var headers []*model.ResponseHeader
	seenHeader := map[string]bool{}
	for _, r := range op.Responses {
		if !r.Success {
			continue
		}
		if r.Type != nil {
			withBody = append(withBody, r)
		}
		for _, h := range r.Headers {
			if !seenHeader[strings.ToLower(h.WireName)] {
				seenHeader[strings.ToLower(h.WireName)] = true
				headers = append(headers, h)
			}
		}
	}
	sameBody := len(withBody) > 0
	for _, r := range withBody[min(1, len(withBody)):] {
		if !sameType(r.Type, withBody[0].Type) {
			sameBody = false
		}
	}
	switch {
	case len(withBody) == 0 && len(headers) == 0:
		return &model.Result{Kind: model.ResultNone}
	case sameBody && len(headers) == 0:
		for _, r := range withBody {
			r.Target = 0
		}
		t := withBody[0].Type
		if t.IsStruct() {
			t = model.PointerTo(t)
		}
		return &model.Result{Kind: model.ResultValue, Type: t}
	}
	d := b.typer.declare(op.Name+"Result", model.DeclStruct, "", nil)
	d.Role, d.ResultOf = model.RoleResult, op.Name
	fields := goname.NewNamespace("StatusCode")
	d.Fields = append(d.Fields, &model.Field{Name: "StatusCode", Type: model.TInt, Part: model.PartStatus})
	targets := 0
	for _, r := range withBody {
		name := "Body"
		if !sameBody {
			name = "Body" + goname.SuffixName(r.Status)
		}
		if sameBody && r != withBody[0] {
			r.Field, r.Target = withBody[0].Field, withBody[0].Target
			continue
		}
		r.Field = fields.Claim(name)
		r.Target = targets
		targets++
		t := r.Type
		if !t.Nilable() {
			t = model.PointerTo(t)
		}
		d.Fields = append(d.Fields, &model.Field{Name: r.Field, Type: t, Part: model.PartBody, Status: r.Status})
	}
	for _, h := range headers {
		h.Name = fields.Claim(goname.ValueName(h.WireName))
		t := h.Type
		if !t.Nilable() {
			t = model.PointerTo(t)
		}
		d.Fields = append(d.Fields, &model.Field{Name: h.Name, Type: t, Part: model.PartHeader, Header: h.WireName, Doc: h.Doc})
	}
	return &model.Result{Kind: model.ResultStruct, Type: model.PointerTo(model.Named(d)), Decl: d, Headers: headers}
}
