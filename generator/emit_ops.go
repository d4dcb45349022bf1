package generator

import (
	"fmt"
	"github.com/tpgen/tpgen/internal/envname"
	"strings"

	"github.com/dave/jennifer/jen"
)

// genClient renders the Client, New and the service's defaults.
func genClient(pkg *Package) []jen.Code {
	out := []jen.Code{handshake()}

	rd := pkg.Runtime
	cfg := fieldValues{"Name": jen.Lit(pkg.Service)}
	set := func(field, v string) {
		if v != "" {
			cfg[field] = jen.Lit(v)
		}
	}
	set("BaseURL", rd.BaseURL)
	set("TokenURL", rd.TokenURL)
	set("Issuer", rd.Issuer)
	set("ClientID", rd.ClientID)
	set("ClientIDEnv", rd.ClientIDEnv)
	set("ClientSecretEnv", rd.ClientSecretEnv)
	if rd.Audiences != nil {
		cfg["Audiences"] = stringsLit(rd.Audiences)
	}
	if rd.Resources != nil {
		cfg["Resources"] = stringsLit(rd.Resources)
	}
	set("SubjectTokenType", rd.SubjectTokenType)
	set("RequestedTokenType", rd.RequestedTokenType)
	set("ActorTokenEnv", rd.ActorTokenEnv)
	set("ActorTokenType", rd.ActorTokenType)
	set("MessageIDHeader", rd.MessageIDHeader)
	if rd.Grant != "" {
		cfg["Grant"] = grantCode(rd.Grant)
	}
	if rd.Scopes != nil {
		cfg["Scopes"] = stringsLit(rd.Scopes)
	}
	switch rd.ClientAuth {
	case "post":
		cfg["ClientAuth"] = jen.Qual(tokenPkg, "ClientSecretPost")
	case "basic":
		// Written, so not left to the issuer's metadata.
		cfg["ClientAuth"] = jen.Qual(tokenPkg, "ClientSecretBasic")
	}
	if rd.TimeoutNanos > 0 {
		cfg["Timeout"] = durationCode(rd.TimeoutNanos)
	}
	if ts := rd.TokenStore; ts.Kind != "" {
		store := fieldValues{"Kind": jen.Lit(ts.Kind)}
		for _, f := range [][2]string{{"Addr", ts.Addr}, {"Username", ts.Username}, {"PasswordEnv", ts.PasswordEnv},
			{"KeyPrefix", ts.KeyPrefix}, {"EncryptionKeyEnv", ts.EncryptionKeyEnv}} {
			if f[1] != "" {
				store[f[0]] = jen.Lit(f[1])
			}
		}
		if ts.TLS {
			store["TLS"] = jen.True()
		}
		cfg["TokenStore"] = jen.Qual(runtimePkg, "TokenStoreConfig").Add(inOrder(store, tokenStoreFields))
	}
	if rd.ValidateResponses {
		cfg["ValidateResponses"] = jen.True()
	}
	set("APIKeyEnv", rd.APIKeyEnv)
	if len(pkg.Schemes) > 0 {
		cfg["Schemes"] = jen.Index().Qual(runtimePkg, "SecurityScheme").ValuesFunc(func(g *jen.Group) {
			for _, sc := range pkg.Schemes {
				g.Add(inOrder(schemeCode(sc), securitySchemeFields))
			}
		})
	}
	if pkg.Security != nil {
		cfg["Security"] = requirementsCode(pkg.Security)
	}
	out = append(out, comments("serviceConfig holds the service's defaults from services.yaml; secrets are only named, never held.").Line().
		Var().Id("serviceConfig").Op("=").Qual(runtimePkg, "ServiceConfig").Add(inOrder(cfg, serviceConfigFields)))

	out = append(out, comments(fmt.Sprintf("Client calls the %s service. It is safe for concurrent use; create one and reuse it.", pkg.Service)).Line().
		Type().Id("Client").Struct(jen.Id("svc").Op("*").Qual(runtimePkg, "Service")))

	out = append(out, comments("New returns a Client. Options override the defaults generated from services.yaml and the TPGEN_"+envName(pkg.Service)+"_* environment variables; see the package README.").Line().
		Func().Id("New").Params(jen.Id("opts").Op("...").Qual(runtimePkg, "Option")).Params(jen.Op("*").Id("Client"), jen.Error()).Block(
		jen.List(jen.Id("svc"), jen.Err()).Op(":=").Qual(runtimePkg, "NewService").Call(jen.Id("serviceConfig"), jen.Id("opts").Op("...")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Op("&").Id("Client").Values(jen.Dict{jen.Id("svc"): jen.Id("svc")}), jen.Nil()),
	))

	out = append(out, comments("Runtime returns the client's runtime service: its HTTPClient for calls the spec does not describe, and its base URL.").Line().
		Func().Params(jen.Id("c").Op("*").Id("Client")).Id("Runtime").Params().Op("*").Qual(runtimePkg, "Service").Block(jen.Return(jen.Id("c").Dot("svc"))))

	if len(pkg.ErrorModels) > 0 {
		out = append(out, comments("Constructors of the declared error bodies, for runtime.ResponseError.Model."))
		out = append(out, genErrorModels(pkg)...)
	}
	return out
}

// handshake refers to the runtime version the generated code needs: with
// another runtime, the package fails to compile at this line.
func handshake() jen.Code {
	return comments("The generated code needs a runtime this version of tpgen supports.").Line().
		Const().Id("_").Op("=").Qual(implPkg, "SupportPackageIsVersion5")
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

// schemeCode writes a runtime.SecurityScheme's fields.
func schemeCode(sc SecurityScheme) fieldValues {
	d := fieldValues{"Name": jen.Lit(sc.Name), "Kind": jen.Qual(runtimePkg, sc.Kind)}
	for _, f := range []struct{ name, v string }{{"In", sc.In}, {"Param", sc.Param}, {"SecretEnv", sc.SecretEnv},
		{"Username", sc.Username}, {"UsernameEnv", sc.UsernameEnv}} {
		if f.v != "" {
			d[f.name] = jen.Lit(f.v)
		}
	}
	return d
}

// requirementsCode writes security requirements: [][]string{{"a"}, {"b", "c"}}.
func requirementsCode(reqs [][]string) jen.Code {
	return jen.Index().Index().String().ValuesFunc(func(g *jen.Group) {
		for _, r := range reqs {
			vals := make([]jen.Code, len(r))
			for i, n := range r {
				vals[i] = jen.Lit(n)
			}
			g.Values(vals...)
		}
	})
}

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
	// Per-call settings, the same for every method (runtime.CallOption).
	params = append(params, jen.Id("opts").Op("...").Qual(runtimePkg, "CallOption"))
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
	opv := fieldValues{"ID": jen.Lit(op.ID), "Method": jen.Lit(op.Method), "Path": jen.Lit(op.Path)}
	if op.Query != "" {
		opv["Query"] = jen.Lit(op.Query)
	}
	if op.Grant != "" {
		opv["Grant"] = grantCode(op.Grant)
	}
	if op.Scopes != nil {
		opv["Scopes"] = stringsLit(op.Scopes)
	}
	if op.Audiences != nil {
		opv["Audiences"] = stringsLit(op.Audiences)
	}
	if op.Resources != nil {
		opv["Resources"] = stringsLit(op.Resources)
	}
	if op.Security != nil {
		opv["Security"] = requirementsCode(op.Security)
	}
	if specs := responseSpecs(op); len(specs) > 0 {
		opv["Responses"] = jen.Index().Qual(implPkg, "ResponseSpec").ValuesFunc(func(g *jen.Group) {
			for _, sp := range specs {
				g.Add(inOrder(sp, responseSpecFields))
			}
		})
	}
	requestSpec(op, opv)
	pagingSpec(op, opv)
	g.Var().Id(op.VarName).Op("=").Qual(implPkg, "Operation").Add(inOrder(opv, operationFields)).Line().Line()

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
			fields = append(fields, fieldComments(doc).Line().Id(p.Name).Add(typeCode(p.Type)))
		}
		g.Add(comments(fmt.Sprintf("%s holds the query, header and cookie parameters of %s. Nil pointers and empty lists are not sent.", op.ParamsType, op.Name))).Line()
		g.Type().Id(op.ParamsType).Struct(fields...).Line().Line()
	}

	first := fmt.Sprintf("calls %s %s", op.Method, op.writtenPath())
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
	g.Add(genPaging(op))
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

func genMethodBody(b *jen.Group, op *Operation) {
	res := op.Result
	// What the method returns on an error.
	fail := []jen.Code{jen.Err()}
	switch res.Kind {
	case ResultValue:
		fail = []jen.Code{zeroOf(res.Type), jen.Err()}
	case ResultStruct:
		fail = []jen.Code{jen.Nil(), jen.Err()}
	}
	if op.PathVar != "" {
		// A list or object among the path parameters: the runtime serialises
		// them all (by reflection; such operations are rare).
		vals := []jen.Code{jen.Op("&").Id(op.VarName)}
		for _, p := range op.PathParams {
			vals = append(vals, jen.Id(p.Name))
		}
		b.List(jen.Id(op.PathVar), jen.Err()).Op(":=").Qual(implPkg, "PathValues").Call(vals...)
		b.If(jen.Err().Op("!=").Nil()).Block(jen.Return(fail...))
	}
	invoke := func(out jen.Code) *jen.Statement {
		args := []jen.Code{jen.Id("ctx"), jen.Id("c").Dot("svc"), jen.Op("&").Id(op.VarName), jen.Id("opts"), jen.Nil(), jen.Nil(), out}
		if op.ParamsType != "" {
			args[4] = jen.Id("params")
		}
		if op.Body != nil {
			args[5] = jen.Id("body")
		}
		if op.PathVar != "" {
			args = append(args, jen.Id(op.PathVar).Op("..."))
		} else {
			for _, p := range op.PathParams {
				args = append(args, pathText(p))
			}
		}
		return jen.Qual(implPkg, "Invoke").Call(args...)
	}
	switch res.Kind {
	case ResultNone:
		b.Return(invoke(jen.Nil()))
	case ResultValue:
		b.Var().Id("out").Add(typeCode(res.Type))
		b.If(jen.Err().Op(":=").Add(invoke(jen.Op("&").Id("out"))), jen.Err().Op("!=").Nil()).Block(jen.Return(fail...))
		b.Return(jen.Id("out"), jen.Nil())
	case ResultStruct:
		b.Id("out").Op(":=").New(jen.Id(res.Decl.Name))
		b.If(jen.Err().Op(":=").Add(invoke(jen.Id("out"))), jen.Err().Op("!=").Nil()).Block(jen.Return(fail...))
		b.Return(jen.Id("out"), jen.Nil())
	}
}

// pathText is the text of a single-valued path parameter, as Invoke takes
// it: strings as they are, other scalars through the runtime's Format
// functions, anything else as JSON.
func pathText(p *Param) jen.Code {
	v := jen.Id(p.Name)
	switch scalarKind(p.Type) {
	case "String":
		if p.Type.Kind == KindNamed {
			return jen.String().Parens(v)
		}
		return v
	case "Int":
		return jen.Qual(implPkg, "FormatInt").Call(jen.Int64().Parens(v))
	case "Float":
		return jen.Qual(implPkg, "FormatFloat").Call(jen.Float64().Parens(v))
	case "Bool":
		return jen.Qual(implPkg, "FormatBool").Call(jen.Bool().Parens(v))
	case "Time":
		return jen.Qual(implPkg, "FormatTime").Call(jen.Qual("time", "Time").Parens(v))
	case "Date":
		return jen.Qual(implPkg, "FormatDate").Call(jen.Qual(runtimePkg, "Date").Parens(v))
	}
	return jen.Qual(implPkg, "FormatJSON").Call(v)
}

// requestSpec describes the request to the runtime's Invoke: parameters,
// body and Accept; resultSpec the result struct.
func requestSpec(op *Operation, d fieldValues) {
	var params []jen.Code
	add := func(p *Param, in string) {
		pv := fieldValues{"Name": jen.Lit(p.WireName)}
		if in != "InPath" {
			pv["In"] = jen.Qual(implPkg, in)
		}
		if p.Style != "" && p.Style != "StyleSimple" {
			pv["Style"] = jen.Qual(implPkg, p.Style)
		}
		if p.Explode {
			pv["Explode"] = jen.True()
		}
		if shape := shapeConsts[p.Shape]; shape != "" {
			pv["Shape"] = jen.Qual(implPkg, shape)
		}
		if p.Required && in != "InPath" {
			pv["Required"] = jen.True()
		}
		params = append(params, inOrder(pv, paramFields))
	}
	for _, p := range op.PathParams {
		add(p, "InPath")
	}
	for _, p := range op.Params {
		add(p, inConsts[p.In])
	}
	if len(params) > 0 {
		d["Params"] = jen.Index().Qual(implPkg, "Param").Values(params...)
	}
	if op.Body != nil {
		d["RequestBody"] = jen.Qual(implPkg, requestKinds[op.Body.Kind])
		if op.Body.Kind != BodyMultipart {
			// Multipart's Content-Type carries the boundary, made per call.
			d["ContentType"] = jen.Lit(op.Body.ContentType)
		}
	}
	if a := acceptHeader(op); a != "" {
		d["Accept"] = jen.Lit(a)
	}
	if op.Result.Kind != ResultStruct {
		return
	}
	var bodies []string
	for _, r := range op.Responses {
		if r.Success && r.Type != nil && r.Target == len(bodies) {
			bodies = append(bodies, r.Field)
		}
	}
	rs := fieldValues{}
	if len(bodies) > 0 {
		rs["Bodies"] = stringsLit(bodies)
	}
	if len(op.Result.Headers) > 0 {
		rs["Headers"] = jen.Index().Qual(implPkg, "HeaderSpec").ValuesFunc(func(g *jen.Group) {
			for _, h := range op.Result.Headers {
				hv := fieldValues{"Name": jen.Lit(h.WireName), "Field": jen.Lit(h.Name)}
				if h.List {
					hv["List"] = jen.True()
				}
				g.Add(inOrder(hv, headerSpecFields))
			}
		})
	}
	d["Result"] = jen.Op("&").Qual(implPkg, "ResultSpec").Add(inOrder(rs, resultSpecFields))
}

var (
	inConsts     = map[string]string{"path": "InPath", "query": "InQuery", "header": "InHeader", "cookie": "InCookie"}
	shapeConsts  = map[ParamShape]string{ShapeList: "ShapeList", ShapeObject: "ShapeObject", ShapeJSON: "ShapeJSON"}
	requestKinds = map[BodyKind]string{BodyJSON: "BodyJSON", BodyForm: "BodyForm", BodyMultipart: "BodyMultipart", BodyBinary: "BodyBinary", BodyText: "BodyText"}
)

// responseSpecs describes the declared responses to the runtime. A default
// response that is the only success covers 2xx as a success and everything
// else as an error of the same shape.
func responseSpecs(op *Operation) []fieldValues {
	var out []fieldValues
	for _, r := range op.Responses {
		d := fieldValues{}
		switch {
		case r.Code != 0:
			d["Code"] = jen.Lit(r.Code)
		case r.RangeFrom != 0:
			d["Class"] = jen.Lit(r.RangeFrom / 100)
		case r.Success:
			d["Class"] = jen.Lit(2)
		}
		if r.Success {
			d["Success"] = jen.True()
			if r.Type != nil && r.Target != 0 {
				d["Target"] = jen.Lit(r.Target)
			}
		}
		if kind := bodyKindConst(r); kind != "" {
			d["Body"] = jen.Qual(implPkg, kind)
		}
		if !r.Success && r.Model != "" {
			d["Model"] = jen.Id(r.Model)
		}
		out = append(out, d)
		if r.Success && r.Code == 0 && r.RangeFrom == 0 {
			// The default response as the only success: non-2xx answers are errors.
			e := fieldValues{}
			if r.Kind == BodyJSON && r.Type != nil {
				e["Body"] = jen.Qual(implPkg, "BodyJSON")
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

// scalarKind is the kind of text form values of t have (as the runtime writes
// and reads parameters and headers): String, Int, Float, Bool, Time, Date, or
// "" when t has none and is written as JSON.
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
