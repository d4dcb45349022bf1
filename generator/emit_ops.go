package generator

import (
	"fmt"
	"github.com/tpgen/tpgen/internal/envname"
	"strings"

	"github.com/dave/jennifer/jen"
)

// genClient renders the Client, New, the API interface and the service's defaults.
func genClient(pkg *Package) []jen.Code {
	var out []jen.Code
	out = append(out, jen.Comment("The generated code needs a runtime this version of tpgen supports.").Line().
		Const().Id("_").Op("=").Qual(runtimePkg, "SupportPackageIsVersion1"))

	rd := pkg.Runtime
	cfg := jen.Dict{jen.Id("Name"): jen.Lit(pkg.Service)}
	set := func(field, v string) {
		if v != "" {
			cfg[jen.Id(field)] = jen.Lit(v)
		}
	}
	set("BaseURL", rd.BaseURL)
	set("TokenURL", rd.TokenURL)
	set("Issuer", rd.Issuer)
	set("ClientID", rd.ClientID)
	set("ClientIDEnv", rd.ClientIDEnv)
	set("ClientSecretEnv", rd.ClientSecretEnv)
	set("Audience", rd.Audience)
	set("Resource", rd.Resource)
	set("SubjectTokenType", rd.SubjectTokenType)
	set("RequestedTokenType", rd.RequestedTokenType)
	set("MessageIDHeader", rd.MessageIDHeader)
	if rd.Grant != "" {
		cfg[jen.Id("Grant")] = grantCode(rd.Grant)
	}
	if rd.Scopes != nil {
		cfg[jen.Id("Scopes")] = stringsLit(rd.Scopes)
	}
	if rd.ClientAuth == "post" {
		cfg[jen.Id("ClientAuth")] = jen.Qual(runtimePkg, "ClientAuthPost")
	}
	if rd.TimeoutNanos > 0 {
		cfg[jen.Id("Timeout")] = durationCode(rd.TimeoutNanos)
	}
	out = append(out, jen.Comment("serviceConfig holds the service's defaults from services.yaml; secrets are only named, never held.").Line().
		Var().Id("serviceConfig").Op("=").Qual(runtimePkg, "ServiceConfig").Values(cfg))

	out = append(out, jen.Comment(fmt.Sprintf("Client calls the %s service. It is safe for concurrent use; create one and reuse it.", pkg.Service)).Line().
		Type().Id("Client").Struct(jen.Id("svc").Op("*").Qual(runtimePkg, "Service")))

	out = append(out, comments("New returns a Client. Options override the defaults generated from services.yaml and the\nTPGEN_"+envName(pkg.Service)+"_* environment variables; see the package README.").Line().
		Func().Id("New").Params(jen.Id("opts").Op("...").Qual(runtimePkg, "Option")).Params(jen.Op("*").Id("Client"), jen.Error()).Block(
		jen.List(jen.Id("svc"), jen.Err()).Op(":=").Qual(runtimePkg, "NewService").Call(jen.Id("serviceConfig"), jen.Id("opts").Op("...")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Op("&").Id("Client").Values(jen.Dict{jen.Id("svc"): jen.Id("svc")}), jen.Nil()),
	))

	out = append(out, comments("Runtime returns the client's runtime service: its HTTPClient for calls the spec does not\ndescribe, and its base URL.").Line().
		Func().Params(jen.Id("c").Op("*").Id("Client")).Id("Runtime").Params().Op("*").Qual(runtimePkg, "Service").Block(jen.Return(jen.Id("c").Dot("svc"))))

	methods := make([]jen.Code, 0, len(pkg.Operations))
	for _, op := range pkg.Operations {
		methods = append(methods, jen.Id(op.Name).Add(signature(op)...))
	}
	out = append(out, jen.Comment(fmt.Sprintf("API lists the operations of the %s service, so that consumers can fake the Client in tests.", pkg.Service)).Line().
		Type().Id("API").Interface(methods...))
	out = append(out, jen.Var().Id("_").Id("API").Op("=").Parens(jen.Op("*").Id("Client")).Parens(jen.Nil()))
	if len(pkg.ErrorModels) > 0 {
		out = append(out, jen.Comment("Constructors of the declared error bodies, for runtime.ResponseError.Model."))
		out = append(out, genErrorModels(pkg)...)
	}
	return out
}

func envName(service string) string {
	p := strings.TrimPrefix(strings.TrimSuffix(envname.Prefix(service), "_"), "TPGEN_")
	return p
}

// durationCode writes a duration as Go would: 30 * time.Second.
func durationCode(ns int64) jen.Code {
	for _, u := range []struct {
		name string
		ns   int64
	}{{"Hour", 3600e9}, {"Minute", 60e9}, {"Second", 1e9}, {"Millisecond", 1e6}, {"Microsecond", 1e3}} {
		if ns%u.ns == 0 {
			return jen.Lit(int(ns/u.ns)).Op("*").Qual("time", u.name)
		}
	}
	return jen.Qual("time", "Duration").Call(jen.Lit(int(ns)))
}

var grantConsts = map[string]string{
	"none": "GrantNone", "client_credentials": "GrantClientCredentials", "token_exchange": "GrantTokenExchange",
	"passthrough": "GrantPassthrough", "auto": "GrantAuto",
}

func grantCode(g string) jen.Code { return jen.Qual(runtimePkg, grantConsts[g]) }

func stringsLit(ss []string) jen.Code {
	vals := make([]jen.Code, len(ss))
	for i, s := range ss {
		vals[i] = jen.Lit(s)
	}
	return jen.Index().String().Values(vals...)
}

// signature renders an operation's parameters and results.
func signature(op *Operation) []jen.Code {
	params := []jen.Code{jen.Id("ctx").Qual("context", "Context")}
	for _, p := range op.PathParams {
		params = append(params, jen.Id(p.Name).Add(typeCode(p.Type)))
	}
	if op.Body != nil {
		params = append(params, jen.Id("body").Add(typeCode(op.Body.Type)))
	}
	if op.ParamsType != "" {
		params = append(params, jen.Id("params").Op("*").Id(op.ParamsType))
	}
	var results []jen.Code
	if op.Result.Kind != ResultNone {
		results = append(results, typeCode(op.Result.Type))
	}
	results = append(results, jen.Error())
	return []jen.Code{jen.Params(params...), jen.Params(results...)}
}

// genOperation renders an operation's variable, params struct and method.
func genOperation(op *Operation) jen.Code {
	g := &jen.Statement{}
	opv := jen.Dict{jen.Id("ID"): jen.Lit(op.ID), jen.Id("Method"): jen.Lit(op.Method), jen.Id("Path"): jen.Lit(op.Path)}
	if op.Grant != "" {
		opv[jen.Id("Grant")] = grantCode(op.Grant)
	}
	if op.Scopes != nil {
		opv[jen.Id("Scopes")] = stringsLit(op.Scopes)
	}
	if op.Audience != "" {
		opv[jen.Id("Audience")] = jen.Lit(op.Audience)
	}
	if op.Resource != "" {
		opv[jen.Id("Resource")] = jen.Lit(op.Resource)
	}
	if specs := responseSpecs(op); len(specs) > 0 {
		opv[jen.Id("Responses")] = jen.Index().Qual(runtimePkg, "ResponseSpec").ValuesFunc(func(g *jen.Group) {
			for _, sp := range specs {
				g.Values(sp)
			}
		})
	}
	g.Var().Id(op.VarName).Op("=").Qual(runtimePkg, "Operation").Values(opv).Line().Line()

	if op.ParamsType != "" {
		fields := make([]jen.Code, 0, len(op.Params))
		for _, p := range op.Params {
			doc := fmt.Sprintf("%s is the %s parameter %q", p.Name, p.In, p.WireName)
			if p.Required {
				doc += " (required)"
			}
			doc += "."
			if d := cleanDoc(p.Doc); d != "" {
				doc += "\n" + d
			}
			if p.Deprecated {
				doc += "\n\nDeprecated: the API marks this parameter as deprecated."
			}
			fields = append(fields, comments(doc).Line().Id(p.Name).Add(typeCode(p.Type)))
		}
		g.Add(comments(fmt.Sprintf("%s holds the query, header and cookie parameters of %s. Nil pointers and empty\nlists are not sent.", op.ParamsType, op.Name))).Line()
		g.Type().Id(op.ParamsType).Struct(fields...).Line().Line()
	}

	first := fmt.Sprintf("calls %s %s", op.Method, op.Path)
	if s := strings.TrimSpace(cleanDoc(op.Summary)); s != "" {
		first += ": " + strings.ReplaceAll(s, "\n", " ")
	}
	if !strings.HasSuffix(first, ".") {
		first += "."
	}
	doc := op.Description
	if op.Description == op.Summary {
		doc = ""
	}
	g.Add(docComment(op.Name, first, doc+resultDoc(op), op.Deprecated)).Line()
	g.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(op.Name).Add(signature(op)...).BlockFunc(func(b *jen.Group) {
		genMethodBody(b, op)
	}).Line()
	return g
}

// resultDoc says how declared error responses come back.
func resultDoc(op *Operation) string {
	var errs []string
	for _, r := range op.Responses {
		if !r.Success && r.Kind == BodyJSON && r.Type != nil {
			errs = append(errs, fmt.Sprintf("%s (*%s)", r.Status, typeString(r.Type)))
		}
	}
	if len(errs) == 0 {
		return ""
	}
	return "\n\nDeclared errors come back as *runtime.ResponseError with Model set: " + strings.Join(errs, ", ") + "."
}

// zero is the expression a method returns beside an error.
func zero(op *Operation) jen.Code {
	if op.Result.Kind == ResultNone {
		return nil
	}
	return zeroOf(op.Result.Type)
}

func zeroOf(t *Type) jen.Code {
	if t.nilable() {
		return jen.Nil()
	}
	u := underlying(t)
	switch {
	case u.Kind == KindBuiltin && u.Name == "string":
		if t.Kind == KindNamed {
			return jen.Id(t.Decl.Name).Call(jen.Lit(""))
		}
		return jen.Lit("")
	case u.Kind == KindBuiltin && u.Name == "bool":
		return jen.False()
	case u.Kind == KindBuiltin:
		if t.Kind == KindNamed {
			return jen.Id(t.Decl.Name).Call(jen.Lit(0))
		}
		return jen.Lit(0)
	case u.Kind == KindNamed && u.Decl.Kind == DeclEnum:
		return jen.Op("*").New(typeCode(t))
	}
	return jen.Op("*").New(typeCode(t))
}

func ret(op *Operation, err jen.Code) jen.Code {
	if z := zero(op); z != nil {
		return jen.Return(z, err)
	}
	return jen.Return(err)
}

// failIf returns `if err != nil { return zero, c.svc.Fail(ctx, &op, err) }`.
func failIf(op *Operation) jen.Code {
	return jen.If(jen.Err().Op("!=").Nil()).Block(ret(op, jen.Id("c").Dot("svc").Dot("Fail").Call(jen.Id("ctx"), jen.Op("&").Id(op.VarName), jen.Err())))
}

func genMethodBody(b *jen.Group, op *Operation) {
	b.Var().Id("req").Qual(runtimePkg, "Request")
	for _, st := range pathCode(op) {
		b.Add(st)
	}
	if len(op.Params) > 0 {
		var required []string
		for _, p := range op.Params {
			if p.Required {
				required = append(required, p.WireName)
			}
		}
		if len(required) > 0 {
			msg := fmt.Sprintf("params must not be nil: it holds the required parameters %s", strings.Join(required, ", "))
			b.If(jen.Id("params").Op("==").Nil()).Block(
				ret(op, jen.Id("c").Dot("svc").Dot("Fail").Call(jen.Id("ctx"), jen.Op("&").Id(op.VarName), jen.Qual("errors", "New").Call(jen.Lit(msg)))))
			paramsCode(b, op)
		} else {
			b.If(jen.Id("params").Op("!=").Nil()).BlockFunc(func(g *jen.Group) { paramsCode(g, op) })
		}
	}
	if op.Body != nil {
		bodyCode(b, op)
	}
	if a := acceptHeader(op); a != "" {
		b.Id("req").Dot("Accept").Op("=").Lit(a)
	}
	call := func(method string, targets ...jen.Code) *jen.Statement {
		args := append([]jen.Code{jen.Id("ctx"), jen.Op("&").Id(op.VarName), jen.Op("&").Id("req")}, targets...)
		return jen.Id("c").Dot("svc").Dot(method).Call(args...)
	}
	res := op.Result
	switch res.Kind {
	case ResultNone:
		b.Return(call("Call"))
	case ResultValue:
		b.Var().Id("out").Add(typeCode(res.Type))
		b.If(jen.Err().Op(":=").Add(call("Call", jen.Op("&").Id("out"))), jen.Err().Op("!=").Nil()).Block(
			jen.Return(zeroOf(res.Type), jen.Err()))
		b.Return(jen.Id("out"), jen.Nil())
	case ResultStruct:
		b.Id("out").Op(":=").Op("&").Id(res.Decl.Name).Values()
		var targets []jen.Code
		seen := map[int]bool{}
		for _, r := range op.Responses {
			if r.Success && r.Type != nil && !seen[r.Target] {
				seen[r.Target] = true
				targets = append(targets, jen.Op("&").Id("out").Dot(r.Field))
			}
		}
		b.List(jen.Id("resp"), jen.Err()).Op(":=").Add(call("CallResponse", targets...))
		b.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err()))
		b.Defer().Id("resp").Dot("Close").Call()
		b.Id("out").Dot("StatusCode").Op("=").Id("resp").Dot("StatusCode")
		for _, h := range res.Headers {
			fn := "HeaderValue"
			if h.List {
				fn = "HeaderValues"
			}
			b.If(
				jen.List(jen.Id("out").Dot(h.Name), jen.Err()).Op("=").Qual(runtimePkg, fn).Call(jen.Id("resp").Dot("Header"), jen.Lit(h.WireName), parseFunc(h.Elem)),
				jen.Err().Op("!=").Nil(),
			).Block(jen.Return(jen.Nil(), jen.Id("resp").Dot("Fail").Call(jen.Err())))
		}
		b.Return(jen.Id("out"), jen.Nil())
	}
}

// responseSpecs describes the declared responses to the runtime. A default
// response that is the only success covers 2xx as a success and everything
// else as an error of the same shape.
func responseSpecs(op *Operation) []jen.Dict {
	var out []jen.Dict
	for _, r := range op.Responses {
		d := jen.Dict{}
		switch {
		case r.Code != 0:
			d[jen.Id("Code")] = jen.Lit(r.Code)
		case r.RangeFrom != 0:
			d[jen.Id("Class")] = jen.Lit(r.RangeFrom / 100)
		case r.Success:
			d[jen.Id("Class")] = jen.Lit(2)
		}
		if r.Success {
			d[jen.Id("Success")] = jen.True()
			if r.Type != nil && r.Target != 0 {
				d[jen.Id("Target")] = jen.Lit(r.Target)
			}
		}
		if kind := bodyKindConst(r); kind != "" {
			d[jen.Id("Body")] = jen.Qual(runtimePkg, kind)
		}
		if !r.Success && r.Model != "" {
			d[jen.Id("Model")] = jen.Id(r.Model)
		}
		out = append(out, d)
		if r.Success && r.Code == 0 && r.RangeFrom == 0 {
			// The default response as the only success: non-2xx answers are errors.
			e := jen.Dict{}
			if r.Kind == BodyJSON && r.Type != nil {
				e[jen.Id("Body")] = jen.Qual(runtimePkg, "BodyJSON")
			}
			out = append(out, e)
		}
	}
	return out
}

func bodyKindConst(r *Response) string {
	if r.Type == nil {
		return ""
	}
	switch r.Kind {
	case BodyJSON:
		return "BodyJSON"
	case BodyText:
		return "BodyText"
	case BodyBinary:
		return "BodyBinary"
	}
	return ""
}

// genErrorModels renders the constructors of declared error bodies.
func genErrorModels(pkg *Package) []jen.Code {
	var out []jen.Code
	for _, m := range pkg.ErrorModels {
		out = append(out, jen.Func().Id(m.Func).Params().Any().Block(jen.Return(jen.New(typeCode(m.Type)))))
	}
	return out
}

// pathCode builds req.Path from literal segments and path parameters.
func pathCode(op *Operation) []jen.Code {
	var code []jen.Code
	var parts []jen.Code
	rest := op.Path
	byWire := map[string]*Param{}
	done := map[*Param]bool{}
	for _, p := range op.PathParams {
		byWire[p.WireName] = p
	}
	for {
		loc := pathVarRE.FindStringSubmatchIndex(rest)
		if loc == nil {
			if rest != "" {
				parts = append(parts, jen.Lit(rest))
			}
			break
		}
		if loc[0] > 0 {
			parts = append(parts, jen.Lit(rest[:loc[0]]))
		}
		p := byWire[pathVarName(rest[loc[2]:loc[3]])]
		if p != nil {
			expr, pre := pathParamCode(op, p)
			if !done[p] {
				code = append(code, pre...) // formatted once, used at each place
				done[p] = true
			}
			parts = append(parts, expr)
		}
		rest = rest[loc[1]:]
	}
	if len(parts) == 0 {
		parts = append(parts, jen.Lit(""))
	}
	var sum *jen.Statement
	for i, p := range parts {
		if i == 0 {
			sum = jen.Add(p)
		} else {
			sum = sum.Op("+").Add(p)
		}
	}
	code = append(code, jen.Id("req").Dot("Path").Op("=").Add(sum))
	return code
}

func pathParamCode(op *Operation, p *Param) (jen.Code, []jen.Code) {
	style := jen.Qual(runtimePkg, p.Style)
	v := jen.Id(p.Name)
	switch p.Shape {
	case ShapeList:
		return jen.Qual(runtimePkg, "PathList").Call(style, jen.Lit(p.Explode), jen.Lit(p.WireName), formatList(p.Elem, v)), nil
	case ShapeJSON:
		return jen.Qual(runtimePkg, "PathParam").Call(jen.Qual(runtimePkg, "StyleSimple"), jen.Lit(p.WireName), jen.Qual(runtimePkg, "FormatJSON").Call(v)), nil
	case ShapeObject:
		tmp := p.Local
		pre := []jen.Code{
			jen.List(jen.Id(tmp), jen.Err()).Op(":=").Qual(runtimePkg, "PathObject").Call(style, jen.Lit(p.Explode), jen.Lit(p.WireName), v),
			failIf(op),
		}
		return jen.Id(tmp), pre
	}
	return jen.Qual(runtimePkg, "PathParam").Call(style, jen.Lit(p.WireName), formatValue(p.Elem, v)), nil
}

// formatValue turns a value of type t into its parameter text.
func formatValue(t *Type, v jen.Code) jen.Code {
	switch k := scalarKind(t); k {
	case "String":
		if t.Kind == KindNamed {
			return jen.String().Call(v)
		}
		return v
	case "Int", "Float", "Bool":
		return jen.Qual(runtimePkg, "Format"+k).Call(v)
	case "Time":
		if t.Kind == KindNamed {
			v = jen.Qual("time", "Time").Call(v)
		}
		return jen.Qual(runtimePkg, "FormatTime").Call(v)
	case "Date":
		if t.Kind == KindNamed {
			v = jen.Qual(runtimePkg, "Date").Call(v)
		}
		return jen.Qual(runtimePkg, "FormatDate").Call(v)
	}
	return jen.Qual(runtimePkg, "FormatJSON").Call(v)
}

// scalarKind names the runtime's Format and Parse helpers for t: String,
// Int, Float, Bool, Time, Date, or "" when t has no text form of its own.
func scalarKind(t *Type) string {
	u := underlying(t)
	if u.Kind == KindNamed && u.Decl.Kind == DeclEnum {
		u = u.Decl.EnumBase
	}
	switch {
	case u.Kind == KindBuiltin && u.Name == "string":
		return "String"
	case u.Kind == KindBuiltin && strings.HasPrefix(u.Name, "int"):
		return "Int"
	case u.Kind == KindBuiltin && strings.HasPrefix(u.Name, "float"):
		return "Float"
	case u.Kind == KindBuiltin && u.Name == "bool":
		return "Bool"
	case u.Kind == KindExternal && u.Pkg == "time":
		return "Time"
	case u.Kind == KindExternal && u.Name == "Date":
		return "Date"
	}
	return ""
}

// formatFunc is the runtime function value formatting one element of type t.
func formatFunc(t *Type) jen.Code {
	switch k := scalarKind(t); k {
	case "String", "Int", "Float", "Bool":
		return jen.Qual(runtimePkg, "Format"+k).Types(typeCode(t))
	}
	return jen.Func().Params(jen.Id("v").Add(typeCode(t))).String().Block(jen.Return(formatValue(t, jen.Id("v"))))
}

func formatList(elem *Type, v jen.Code) jen.Code {
	if elem.Kind == KindBuiltin && elem.Name == "string" {
		return v
	}
	return jen.Qual(runtimePkg, "FormatAll").Call(v, formatFunc(elem))
}

// paramsCode writes query, header and cookie parameters; it runs inside
// `if params != nil`.
func paramsCode(g *jen.Group, op *Operation) {
	var hasQuery, hasHeader bool
	for _, p := range op.Params {
		hasQuery = hasQuery || p.In == "query"
		hasHeader = hasHeader || p.In != "query"
	}
	if hasQuery {
		g.Var().Id("q").Qual(runtimePkg, "Query")
	}
	if hasHeader {
		g.Id("req").Dot("Header").Op("=").Make(jen.Qual("net/http", "Header"))
	}
	for _, p := range op.Params {
		field := jen.Id("params").Dot(p.Name)
		val := field
		cond := jen.Code(nil)
		switch {
		case p.Type.Kind == KindPointer:
			cond = jen.Add(field).Op("!=").Nil()
			val = jen.Op("*").Add(jen.Id("params").Dot(p.Name))
		case p.Shape == ShapeList || p.Type.nilable():
			if p.Type.nilable() {
				cond = jen.Add(field).Op("!=").Nil()
			}
		}
		stmts := paramStmts(op, p, val)
		if cond == nil {
			for _, s := range stmts {
				g.Add(s)
			}
		} else {
			g.If(cond).Block(stmts...)
		}
	}
	if hasQuery {
		g.Id("req").Dot("RawQuery").Op("=").Id("q").Dot("Encode").Call()
	}
}

func paramStmts(op *Operation, p *Param, v *jen.Statement) []jen.Code {
	wire := jen.Lit(p.WireName)
	style := jen.Qual(runtimePkg, p.Style)
	var text jen.Code
	switch p.Shape {
	case ShapePrimitive:
		text = formatValue(p.Elem, v)
	case ShapeList:
		if p.In == "query" {
			return []jen.Code{jen.Id("q").Dot("AddList").Call(style, jen.Lit(p.Explode), wire, formatList(p.Elem, v))}
		}
		text = jen.Qual(runtimePkg, "HeaderList").Call(formatList(p.Elem, v))
	case ShapeObject:
		if p.In == "query" {
			return []jen.Code{
				jen.If(jen.Err().Op(":=").Id("q").Dot("AddObject").Call(style, jen.Lit(p.Explode), wire, v), jen.Err().Op("!=").Nil()).Block(
					ret(op, jen.Id("c").Dot("svc").Dot("Fail").Call(jen.Id("ctx"), jen.Op("&").Id(op.VarName), jen.Err()))),
			}
		}
		return []jen.Code{
			jen.List(jen.Id("s"), jen.Err()).Op(":=").Qual(runtimePkg, "HeaderObject").Call(jen.Lit(p.Explode), v),
			failIf(op),
			headerSet(p, jen.Id("s")),
		}
	case ShapeJSON:
		if p.In == "query" {
			return []jen.Code{
				jen.If(jen.Err().Op(":=").Id("q").Dot("AddJSON").Call(wire, v), jen.Err().Op("!=").Nil()).Block(
					ret(op, jen.Id("c").Dot("svc").Dot("Fail").Call(jen.Id("ctx"), jen.Op("&").Id(op.VarName), jen.Err()))),
			}
		}
		text = jen.Qual(runtimePkg, "FormatJSON").Call(v)
	}
	if p.In == "query" {
		return []jen.Code{jen.Id("q").Dot("Add").Call(wire, text)}
	}
	return []jen.Code{headerSet(p, text)}
}

func headerSet(p *Param, text jen.Code) jen.Code {
	if p.In == "cookie" {
		return jen.Qual(runtimePkg, "AddCookie").Call(jen.Id("req").Dot("Header"), jen.Lit(p.WireName), text)
	}
	return jen.Id("req").Dot("Header").Dot("Set").Call(jen.Lit(p.WireName), text)
}

// bodyCode encodes the request body.
func bodyCode(b *jen.Group, op *Operation) {
	body := op.Body
	ct := jen.Lit(body.ContentType)
	encode := func(g *jen.Group) {
		switch body.Kind {
		case BodyJSON:
			g.Id("req").Dot("JSON").Op("=").Id("body")
			g.Id("req").Dot("ContentType").Op("=").Add(ct)
		case BodyForm:
			g.Id("req").Dot("Form").Op("=").Id("body")
			g.Id("req").Dot("ContentType").Op("=").Add(ct)
		case BodyText:
			g.Id("req").Dot("Body").Op("=").Index().Byte().Call(jen.Id("body"))
			g.Id("req").Dot("ContentType").Op("=").Add(ct)
		case BodyBinary:
			g.Id("req").Dot("BodyStream").Op("=").Id("body")
			g.Id("req").Dot("ContentType").Op("=").Add(ct)
		case BodyMultipart:
			g.List(jen.Id("req").Dot("BodyStream"), jen.Id("req").Dot("ContentType")).Op("=").Qual(runtimePkg, "Multipart").Call(
				jen.Func().Params(jen.Id("w").Op("*").Qual("mime/multipart", "Writer")).Error().BlockFunc(func(mg *jen.Group) {
					multipartCode(mg, body.Type.Elem.Decl)
				}))
		}
	}
	if body.Type.nilable() {
		b.If(jen.Id("body").Op("!=").Nil()).BlockFunc(encode)
	} else {
		encode(b)
	}
}

func multipartCode(g *jen.Group, d *Decl) {
	for _, f := range d.Fields {
		field := jen.Id("body").Dot(f.Name)
		name := jen.Lit(f.JSONName)
		var write jen.Code
		switch {
		case f.Type.Kind == KindPointer && f.Type.Elem == tFile:
			write = jen.If(jen.Add(field).Op("!=").Nil()).Block(
				jen.If(jen.Err().Op(":=").Qual(runtimePkg, "WriteFilePart").Call(jen.Id("w"), name, jen.Op("*").Add(jen.Id("body").Dot(f.Name))), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())))
		case f.Type.Kind == KindSlice && f.Type.Elem == tFile:
			write = jen.For(jen.List(jen.Id("_"), jen.Id("f")).Op(":=").Range().Add(field)).Block(
				jen.If(jen.Err().Op(":=").Qual(runtimePkg, "WriteFilePart").Call(jen.Id("w"), name, jen.Id("f")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())))
		default:
			elem, val, cond := f.Type, jen.Code(field), jen.Code(nil)
			if f.Type.Kind == KindPointer {
				elem, val, cond = f.Type.Elem, jen.Op("*").Add(jen.Id("body").Dot(f.Name)), jen.Add(jen.Id("body").Dot(f.Name)).Op("!=").Nil()
			} else if f.Type.nilable() {
				cond = jen.Add(jen.Id("body").Dot(f.Name)).Op("!=").Nil()
			}
			var w jen.Code
			if isScalar(elem) {
				w = jen.If(jen.Err().Op(":=").Id("w").Dot("WriteField").Call(name, formatValue(elem, val)), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
			} else {
				w = jen.If(jen.Err().Op(":=").Qual(runtimePkg, "WriteJSONPart").Call(jen.Id("w"), name, val), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
			}
			if cond != nil {
				write = jen.If(cond).Block(w)
			} else {
				write = w
			}
		}
		g.Add(write)
	}
	g.Return(jen.Nil())
}

// acceptHeader lists the media types of the declared responses' bodies.
func acceptHeader(op *Operation) string {
	var cts []string
	seen := map[string]bool{}
	for _, r := range op.Responses {
		if r.ContentType != "" && !seen[r.ContentType] && r.ContentType != "*/*" {
			seen[r.ContentType] = true
			cts = append(cts, r.ContentType)
		}
	}
	return strings.Join(cts, ", ")
}

// parseFunc is the runtime function reading a header value of type t.
func parseFunc(t *Type) jen.Code {
	switch k := scalarKind(t); k {
	case "String", "Int", "Float", "Bool":
		return jen.Qual(runtimePkg, "Parse"+k).Types(typeCode(t))
	case "Time", "Date":
		return jen.Qual(runtimePkg, "Parse"+k)
	}
	return jen.Qual(runtimePkg, "ParseString").Types(jen.String())
}
