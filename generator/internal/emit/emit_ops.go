package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/tpgen/tpgen/generator/internal/model"
	"github.com/tpgen/tpgen/internal/envname"
)

// genClient renders the Client, New and the service's defaults.
func genClient(pkg *model.Package) []jen.Code {
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
	if rd.Grant != model.GrantUnset {
		cfg["Grant"] = grantCode(rd.Grant)
	}
	if rd.Scopes != nil {
		cfg["Scopes"] = stringsLit(rd.Scopes)
	}
	if rd.ClientAuth != model.ClientAuthUnset {
		// Basic too is written, so not left to the issuer's metadata.
		cfg["ClientAuth"] = jen.Qual(model.TokenPkg, clientAuthConsts[rd.ClientAuth])
	}
	if rd.TimeoutNanos > 0 {
		cfg["Timeout"] = durationCode(rd.TimeoutNanos)
	}
	if ts := rd.TokenStore; ts.Kind != model.StoreUnset {
		store := fieldValues{"Kind": jen.Lit(tokenStoreKinds[ts.Kind])}
		for _, f := range [][2]string{{"Addr", ts.Addr}, {"Username", ts.Username}, {"PasswordEnv", ts.PasswordEnv},
			{"KeyPrefix", ts.KeyPrefix}, {"EncryptionKeyEnv", ts.EncryptionKeyEnv}} {
			if f[1] != "" {
				store[f[0]] = jen.Lit(f[1])
			}
		}
		if ts.TLS {
			store["TLS"] = jen.True()
		}
		cfg["TokenStore"] = jen.Qual(model.RuntimePkg, "TokenStoreConfig").Add(inOrder(store, tokenStoreFields))
	}
	if rd.ValidateResponses {
		cfg["ValidateResponses"] = jen.True()
	}
	set("APIKeyEnv", rd.APIKeyEnv)
	if len(pkg.Schemes) > 0 {
		cfg["Schemes"] = jen.Index().Qual(model.RuntimePkg, "SecurityScheme").ValuesFunc(func(g *jen.Group) {
			for _, sc := range pkg.Schemes {
				g.Add(inOrder(schemeCode(sc), securitySchemeFields))
			}
		})
	}
	if pkg.Security != nil {
		cfg["Security"] = requirementsCode(pkg.Security)
	}
	out = append(out, comments("serviceConfig holds the service's defaults from services.yaml; secrets are only named, never held.").Line().
		Var().Id("serviceConfig").Op("=").Qual(model.RuntimePkg, "ServiceConfig").Add(inOrder(cfg, serviceConfigFields)))

	out = append(out, comments(fmt.Sprintf("Client calls the %s service. It is safe for concurrent use; create one and reuse it.", pkg.Service)).Line().
		Type().Id("Client").Struct(jen.Id("svc").Op("*").Qual(model.RuntimePkg, "Service")))

	out = append(out, comments("New returns a Client. Options override the defaults generated from services.yaml and the TPGEN_"+envName(pkg.Service)+"_* environment variables; see the package README.").Line().
		Func().Id("New").Params(jen.Id("opts").Op("...").Qual(model.RuntimePkg, "Option")).Params(jen.Op("*").Id("Client"), jen.Error()).Block(
		jen.List(jen.Id("svc"), jen.Err()).Op(":=").Qual(model.RuntimePkg, "NewService").Call(jen.Id("serviceConfig"), jen.Id("opts").Op("...")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Op("&").Id("Client").Values(jen.Dict{jen.Id("svc"): jen.Id("svc")}), jen.Nil()),
	))

	out = append(out, comments("Runtime returns the client's runtime service: its HTTPClient for calls the spec does not describe, and its base URL.").Line().
		Func().Params(jen.Id("c").Op("*").Id("Client")).Id("Runtime").Params().Op("*").Qual(model.RuntimePkg, "Service").Block(jen.Return(jen.Id("c").Dot("svc"))))

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
		Const().Id("_").Op("=").Qual(model.ImplPkg, "SupportPackageIsVersion5")
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

// grantConsts are the runtime's constants of the grants.
var grantConsts = [...]string{
	model.GrantNone: "GrantNone", model.GrantClientCredentials: "GrantClientCredentials", model.GrantTokenExchange: "GrantTokenExchange",
	model.GrantPassthrough: "GrantPassthrough", model.GrantAuto: "GrantAuto",
}

// styleConsts are tpgenimpl's constants of the parameter styles.
var styleConsts = [...]string{
	model.StyleSimple: "StyleSimple", model.StyleForm: "StyleForm", model.StyleLabel: "StyleLabel", model.StyleMatrix: "StyleMatrix",
	model.StyleSpaceDelimited: "StyleSpaceDelimited", model.StylePipeDelimited: "StylePipeDelimited", model.StyleDeepObject: "StyleDeepObject",
}

// schemeConsts are the runtime's constants of the scheme kinds.
var schemeConsts = [...]string{
	model.SchemeUnsupported: "SchemeUnsupported", model.SchemeOAuth2: "SchemeOAuth2", model.SchemeAPIKey: "SchemeAPIKey",
	model.SchemeBasic: "SchemeBasic", model.SchemeBearer: "SchemeBearer", model.SchemeMutualTLS: "SchemeMutualTLS",
}

// clientAuthConsts are the token package's constants of the client authentications.
var clientAuthConsts = [...]string{model.ClientAuthBasic: "ClientSecretBasic", model.ClientAuthPost: "ClientSecretPost"}

// tokenStoreKinds are the runtime's words of the token store kinds
// (runtime.TokenStoreMemory, TokenStoreRedis: TestTokenStoreKinds).
var tokenStoreKinds = [...]string{model.StoreMemory: "memory", model.StoreRedis: "redis"}

// keyInWords are the runtime's words of where an API key goes
// (runtime.SecurityScheme.In); an API key is never in the path.
var keyInWords = [...]string{model.InHeader: "header", model.InQuery: "query", model.InCookie: "cookie"}

func grantCode(g model.Grant) jen.Code { return jen.Qual(model.RuntimePkg, grantConsts[g]) }

// schemeCode writes a runtime.SecurityScheme's fields.
func schemeCode(sc model.SecurityScheme) fieldValues {
	d := fieldValues{"Name": jen.Lit(sc.Name), "Kind": jen.Qual(model.RuntimePkg, schemeConsts[sc.Kind])}
	in := sc.Unsupported
	if sc.Kind == model.SchemeAPIKey {
		in = keyInWords[sc.In]
	}
	for _, f := range []struct{ name, v string }{{"In", in}, {"Param", sc.Param}, {"SecretEnv", sc.SecretEnv},
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
func signature(op *model.Method) []jen.Code {
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
	params = append(params, jen.Id("opts").Op("...").Qual(model.RuntimePkg, "CallOption"))
	var results []jen.Code
	if op.Result.Kind != model.ResultNone {
		results = append(results, typeCode(op.Result.Type))
	}
	results = append(results, jen.Error())
	return []jen.Code{jen.Params(params...), jen.Params(results...)}
}

// genOperation renders an operation's variable, params struct and method.
func genOperation(op *model.Method) jen.Code {
	g := &jen.Statement{}
	opv := fieldValues{"ID": jen.Lit(op.ID), "Method": jen.Lit(op.HTTPMethod), "Path": jen.Lit(op.Path)}
	if op.Query != "" {
		opv["Query"] = jen.Lit(op.Query)
	}
	if op.Grant != model.GrantUnset {
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
		opv["Responses"] = jen.Index().Qual(model.ImplPkg, "ResponseSpec").ValuesFunc(func(g *jen.Group) {
			for _, sp := range specs {
				g.Add(inOrder(sp, responseSpecFields))
			}
		})
	}
	requestSpec(op, opv)
	pagingSpec(op, opv)
	g.Var().Id(op.VarName).Op("=").Qual(model.ImplPkg, "Operation").Add(inOrder(opv, operationFields)).Line().Line()

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

	first := fmt.Sprintf("calls %s %s", op.HTTPMethod, op.WrittenPath())
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
func resultDoc(op *model.Method) string {
	var errs []string
	for _, r := range op.Responses {
		if !r.Success && r.Kind == model.BodyJSON && r.Type != nil {
			errs = append(errs, fmt.Sprintf("%s (*%s)", r.Status, r.Type.Expr()))
		}
	}
	if len(errs) == 0 {
		return ""
	}
	return "\n\nDeclared errors come back as *runtime.ResponseError with Model set: " + strings.Join(errs, ", ") + "."
}

func zeroOf(t *model.Type) jen.Code {
	if t.Nilable() {
		return jen.Nil()
	}
	u := model.Underlying(t)
	switch {
	case u.Kind == model.KindBuiltin && u.Name == "string":
		if t.Kind == model.KindNamed {
			return jen.Id(t.Decl.Name).Call(jen.Lit(""))
		}
		return jen.Lit("")
	case u.Kind == model.KindBuiltin && u.Name == "bool":
		return jen.False()
	case u.Kind == model.KindBuiltin:
		if t.Kind == model.KindNamed {
			return jen.Id(t.Decl.Name).Call(jen.Lit(0))
		}
		return jen.Lit(0)
	case u.Kind == model.KindNamed && u.Decl.Kind == model.DeclEnum:
		return jen.Op("*").New(typeCode(t))
	}
	return jen.Op("*").New(typeCode(t))
}

func genMethodBody(b *jen.Group, op *model.Method) {
	res := op.Result
	// What the method returns on an error.
	fail := []jen.Code{jen.Err()}
	switch res.Kind {
	case model.ResultValue:
		fail = []jen.Code{zeroOf(res.Type), jen.Err()}
	case model.ResultStruct:
		fail = []jen.Code{jen.Nil(), jen.Err()}
	}
	if op.PathVar != "" {
		// A list or object among the path parameters: the runtime serialises
		// them all (by reflection; such operations are rare).
		vals := []jen.Code{jen.Op("&").Id(op.VarName)}
		for _, p := range op.PathParams {
			vals = append(vals, jen.Id(p.Name))
		}
		b.List(jen.Id(op.PathVar), jen.Err()).Op(":=").Qual(model.ImplPkg, "PathValues").Call(vals...)
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
		return jen.Qual(model.ImplPkg, "Invoke").Call(args...)
	}
	switch res.Kind {
	case model.ResultNone:
		b.Return(invoke(jen.Nil()))
	case model.ResultValue:
		b.Var().Id("out").Add(typeCode(res.Type))
		b.If(jen.Err().Op(":=").Add(invoke(jen.Op("&").Id("out"))), jen.Err().Op("!=").Nil()).Block(jen.Return(fail...))
		b.Return(jen.Id("out"), jen.Nil())
	case model.ResultStruct:
		b.Id("out").Op(":=").New(jen.Id(res.Decl.Name))
		b.If(jen.Err().Op(":=").Add(invoke(jen.Id("out"))), jen.Err().Op("!=").Nil()).Block(jen.Return(fail...))
		b.Return(jen.Id("out"), jen.Nil())
	}
}

// pathText is the text of a single-valued path parameter, as Invoke takes
// it: strings as they are, other scalars through the runtime's Format
// functions, anything else as JSON.
func pathText(p *model.Param) jen.Code {
	v := jen.Id(p.Name)
	switch k := p.Type.ScalarKind(); k {
	case model.ScalarNone:
		return jen.Qual(model.ImplPkg, "FormatJSON").Call(v)
	case model.ScalarString:
		if p.Type.Kind == model.KindNamed {
			return jen.String().Parens(v)
		}
		return v
	default:
		f := formatFuncs[k]
		return jen.Qual(model.ImplPkg, f.name).Call(f.arg().Parens(v))
	}
}

// formatFuncs are tpgenimpl's Format functions of the scalar kinds other
// than strings, and the type each takes (a value is converted to it).
var formatFuncs = [...]struct {
	name string
	arg  func() *jen.Statement
}{
	model.ScalarInt:   {"FormatInt", jen.Int64},
	model.ScalarFloat: {"FormatFloat", jen.Float64},
	model.ScalarBool:  {"FormatBool", jen.Bool},
	model.ScalarTime:  {"FormatTime", func() *jen.Statement { return jen.Qual("time", "Time") }},
	model.ScalarDate:  {"FormatDate", func() *jen.Statement { return jen.Qual(model.RuntimePkg, "Date") }},
}

// requestSpec describes the request to the runtime's Invoke: parameters,
// body and Accept; resultSpec the result struct.
func requestSpec(op *model.Method, d fieldValues) {
	var params []jen.Code
	add := func(p *model.Param, in string) {
		pv := fieldValues{"Name": jen.Lit(p.WireName)}
		if in != "InPath" {
			pv["In"] = jen.Qual(model.ImplPkg, in)
		}
		if p.Style != model.StyleSimple {
			pv["Style"] = jen.Qual(model.ImplPkg, styleConsts[p.Style])
		}
		if p.Explode {
			pv["Explode"] = jen.True()
		}
		if shape := shapeConsts[p.Shape]; shape != "" {
			pv["Shape"] = jen.Qual(model.ImplPkg, shape)
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
		d["Params"] = jen.Index().Qual(model.ImplPkg, "Param").Values(params...)
	}
	if op.Body != nil {
		d["RequestBody"] = jen.Qual(model.ImplPkg, requestKinds[op.Body.Kind])
		if op.Body.Kind != model.BodyMultipart {
			// Multipart's Content-Type carries the boundary, made per call.
			d["ContentType"] = jen.Lit(op.Body.ContentType)
		}
	}
	if a := acceptHeader(op); a != "" {
		d["Accept"] = jen.Lit(a)
	}
	if op.Result.Kind != model.ResultStruct {
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
		rs["Headers"] = jen.Index().Qual(model.ImplPkg, "HeaderSpec").ValuesFunc(func(g *jen.Group) {
			for _, h := range op.Result.Headers {
				hv := fieldValues{"Name": jen.Lit(h.WireName), "Field": jen.Lit(h.Name)}
				if h.List {
					hv["List"] = jen.True()
				}
				g.Add(inOrder(hv, headerSpecFields))
			}
		})
	}
	d["Result"] = jen.Op("&").Qual(model.ImplPkg, "ResultSpec").Add(inOrder(rs, resultSpecFields))
}

var (
	inConsts     = [...]string{model.InPath: "InPath", model.InQuery: "InQuery", model.InHeader: "InHeader", model.InCookie: "InCookie"}
	shapeConsts  = map[model.ParamShape]string{model.ShapeList: "ShapeList", model.ShapeObject: "ShapeObject", model.ShapeJSON: "ShapeJSON"}
	requestKinds = map[model.BodyKind]string{model.BodyJSON: "BodyJSON", model.BodyForm: "BodyForm", model.BodyMultipart: "BodyMultipart", model.BodyBinary: "BodyBinary", model.BodyText: "BodyText"}
)

// responseSpecs describes the declared responses to the runtime. A default
// response that is the only success covers 2xx as a success and everything
// else as an error of the same shape.
func responseSpecs(op *model.Method) []fieldValues {
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
			d["Body"] = jen.Qual(model.ImplPkg, kind)
		}
		if !r.Success && r.Model != "" {
			d["Model"] = jen.Id(r.Model)
		}
		out = append(out, d)
		if r.Success && r.Code == 0 && r.RangeFrom == 0 {
			// The default response as the only success: non-2xx answers are errors.
			e := fieldValues{}
			if r.Kind == model.BodyJSON && r.Type != nil {
				e["Body"] = jen.Qual(model.ImplPkg, "BodyJSON")
			}
			out = append(out, e)
		}
	}
	return out
}

func bodyKindConst(r *model.Response) string {
	if r.Type == nil {
		return ""
	}
	switch r.Kind {
	case model.BodyJSON:
		return "BodyJSON"
	case model.BodyText:
		return "BodyText"
	case model.BodyBinary:
		return "BodyBinary"
	}
	return ""
}

// genErrorModels renders the constructors of declared error bodies.
func genErrorModels(pkg *model.Package) []jen.Code {
	var out []jen.Code
	for _, m := range pkg.ErrorModels {
		out = append(out, jen.Func().Id(m.Func).Params().Any().Block(jen.Return(jen.New(typeCode(m.Type)))))
	}
	return out
}

// acceptHeader lists the media types of the declared responses' bodies.
func acceptHeader(op *model.Method) string {
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
