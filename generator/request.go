package generator

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/internal/goname"
	"github.com/tpgen/tpgen/generator/internal/load"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// The request side of an operation: parameters and body.

// params splits parameters into positional path arguments and a params struct.
func (b *builder) params(op *model.Method, r *opRef, source string) {
	// Operation parameters override path-item ones with the same name and location.
	var all []*openapi3.Parameter
	seen := map[string]bool{}
	refs := map[*openapi3.Parameter]string{} // the $ref each came from, if any
	for _, list := range []openapi3.Parameters{r.op.Parameters, r.item.Parameters} {
		for _, pr := range list {
			if pr == nil || pr.Value == nil {
				continue
			}
			key := pr.Value.In + ":" + pr.Value.Name
			if seen[key] {
				continue
			}
			seen[key] = true
			all = append(all, pr.Value)
			refs[pr.Value] = pr.Ref
		}
	}
	// Path variables in template order.
	var vars []string
	for _, m := range pathVarRE.FindAllStringSubmatch(op.Path, -1) {
		if v := pathVarName(m[1]); !slices.Contains(vars, v) {
			vars = append(vars, v) // a variable used twice is one argument
		}
	}
	// The method's own names: its receiver, arguments and locals, and the
	// packages and predeclared types its body names (see genMethodBody).
	args := goname.NewNamespace("ctx", "params", "body", "c", "out", "err", "runtime", "tpgenimpl", "time", "string", "int64", "float64", "bool")
	for _, v := range vars {
		var p *openapi3.Parameter
		for _, q := range all {
			if q.In == "path" && q.Name == v {
				p = q
			}
		}
		if p == nil {
			msg := fmt.Sprintf("%s %s: path parameter {%s} is not declared", r.method, r.path, v)
			if !b.svc.Lenient {
				b.errs = append(b.errs, b.sp.ErrorAt(msg+": add it to the operation's parameters with in: path", "paths", r.path))
				continue
			}
			// Lenient: what every path variable is at the least, text.
			p = &openapi3.Parameter{Name: v, In: "path", Required: true, Schema: &openapi3.SchemaRef{Value: openapi3.NewStringSchema()}}
			b.pkg.Repairs = append(b.pkg.Repairs, load.RepairFrom(b.sp.ErrorAt(msg+": sent as a required string parameter", "paths", r.path)))
		}
		param := b.param(op, p, source, refs[p])
		param.Name = args.Claim(goname.UnexportedName(p.Name))
		param.Required = true
		param.Type = param.BaseType()
		op.PathParams = append(op.PathParams, param)
	}
	for _, p := range op.PathParams {
		if p.Shape == model.ShapeList || p.Shape == model.ShapeObject {
			op.PathVar = args.Claim("path")
			break
		}
	}
	var rest []*openapi3.Parameter
	for _, p := range all {
		switch p.In {
		case "path":
			if !slices.Contains(vars, p.Name) {
				b.note("path parameters that do not appear in the path, left out", r.method+" "+r.path, strconv.Quote(p.Name))
			}
		case "query", "header", "cookie":
			rest = append(rest, p)
		default:
			b.errs = append(b.errs, b.sp.ErrorAt(fmt.Sprintf("%s %s: parameter %q has in: %q; OpenAPI 3 parameters are in path, query, header or cookie (a body goes in requestBody)", r.method, r.path, p.Name, p.In), "paths", r.path, strings.ToLower(r.method)))
		}
	}
	rest = b.withoutCredentials(rest, r)
	if len(rest) == 0 {
		return
	}
	// Spec order would be nicer, but kin-openapi keeps it only per list; sort
	// for a stable, readable struct: by location, then name.
	order := map[string]int{"query": 0, "header": 1, "cookie": 2}
	sort.SliceStable(rest, func(i, j int) bool {
		if order[rest[i].In] != order[rest[j].In] {
			return order[rest[i].In] < order[rest[j].In]
		}
		return rest[i].Name < rest[j].Name
	})
	op.ParamsType = b.types.Claim(op.Name + "Params")
	fields := goname.NewNamespace()
	for _, p := range rest {
		param := b.param(op, p, source, refs[p])
		param.Name = fields.Claim(goname.ValueName(p.Name))
		param.Required = p.Required
		t := param.BaseType()
		if !p.Required && !t.Nilable() {
			t = model.PointerTo(t)
		}
		param.Type = t
		op.Params = append(op.Params, param)
	}
}

// param types one parameter (from the $ref ref, if any) and settles its
// serialisation.
func (b *builder) param(op *model.Method, p *openapi3.Parameter, source, ref string) *model.Param {
	in, _ := model.ParseIn(p.In) // params has refused any other in
	param := &model.Param{WireName: p.Name, In: in, Doc: p.Description, Deprecated: p.Deprecated}
	hint := op.Name + goname.ExportedName(p.Name)
	src := source + " parameter " + p.Name
	if comp := componentName(ref, "parameters"); comp != "" {
		// A shared parameter: its types are named after it.
		if h := b.componentHint(comp, "Param"); h != "" {
			hint, src = h, "components/parameters/"+comp
		}
	}
	if p.Schema == nil && len(p.Content) > 0 {
		// content-encoded parameter: JSON text.
		param.Shape = model.ShapeJSON
		var sr *openapi3.SchemaRef
		for _, ct := range sortedKeys(p.Content) {
			if p.Content[ct] != nil && p.Content[ct].Schema != nil {
				sr = p.Content[ct].Schema
				break
			}
		}
		param.Elem = b.typer.typeOf(sr, hint, src)
		return param
	}
	param.Style, param.Explode = paramStyle(p)
	t := b.typer.typeOf(p.Schema, hint, src)
	param.Elem = t
	under := model.Underlying(t)
	switch {
	case under.Kind == model.KindSlice && !(under.Elem.Kind == model.KindBuiltin && under.Elem.Name == "byte"):
		param.Shape = model.ShapeList
		param.Elem = under.Elem
		param.ListType = t
	case under.Kind == model.KindMap || (under.Kind == model.KindNamed && (under.Decl.Kind == model.DeclStruct || under.Decl.Kind == model.DeclUnion)) || (under.Kind == model.KindBuiltin && under.Name == "any"):
		param.Shape = model.ShapeObject
	default:
		param.Shape = model.ShapePrimitive
	}
	if param.Style == model.StyleDeepObject && param.Shape == model.ShapePrimitive {
		param.Style = model.StyleForm
	}
	return param
}

func paramStyle(p *openapi3.Parameter) (model.ParamStyle, bool) {
	style := p.Style
	if style == "" {
		switch p.In {
		case "query", "cookie":
			style = "form"
		default:
			style = "simple"
		}
	}
	explode := style == "form"
	if p.Explode != nil {
		explode = *p.Explode
	}
	names := map[string]model.ParamStyle{
		"simple": model.StyleSimple, "label": model.StyleLabel, "matrix": model.StyleMatrix, "form": model.StyleForm,
		"spaceDelimited": model.StyleSpaceDelimited, "pipeDelimited": model.StylePipeDelimited, "deepObject": model.StyleDeepObject,
	}
	if n, ok := names[style]; ok {
		return n, explode
	}
	return model.StyleForm, explode
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// mediaKind classifies a media type.
func mediaKind(ct string) model.BodyKind {
	ct = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	switch {
	case ct == "application/json" || strings.HasSuffix(ct, "+json") || ct == "*/*" || ct == "application/*" ||
		strings.HasSuffix(ct, "/json") || ct == "text/json":
		return model.BodyJSON
	case ct == "application/x-www-form-urlencoded":
		return model.BodyForm
	case strings.HasPrefix(ct, "multipart/"):
		return model.BodyMultipart
	case strings.HasPrefix(ct, "text/") && ct != "text/event-stream":
		return model.BodyText
	}
	return model.BodyBinary
}

// pickContent chooses the media type tpgen encodes: JSON first, then forms,
// multipart, text, anything else as raw bytes.
func pickContent(content openapi3.Content) (string, *openapi3.MediaType) {
	best, bestRank := "", 99
	rank := map[model.BodyKind]int{model.BodyJSON: 0, model.BodyForm: 1, model.BodyMultipart: 2, model.BodyText: 3, model.BodyBinary: 4}
	for _, ct := range sortedKeys(content) {
		k := mediaKind(ct)
		r := rank[k]
		if k == model.BodyJSON && ct == "*/*" {
			r = 5 // a wildcard only when nothing is named
		}
		if r < bestRank {
			best, bestRank = ct, r
		}
	}
	if best == "" {
		return "", nil
	}
	return best, content[best]
}

func (b *builder) requestBody(op *model.Method, r *opRef, source string) {
	if r.op.RequestBody == nil || r.op.RequestBody.Value == nil {
		return
	}
	rb := r.op.RequestBody.Value
	ct, mt := pickContent(rb.Content)
	if mt == nil {
		if rb.Required {
			b.errs = append(b.errs, b.sp.ErrorAt(fmt.Sprintf("%s %s: the request body is required but lists no content (media types): add content, e.g. application/json", r.method, r.path), "paths", r.path, strings.ToLower(r.method), "requestBody"))
		} else {
			b.note("optional request bodies that list no content: the method sends none", r.method+" "+r.path, "")
		}
		return
	}
	if len(rb.Content) > 1 {
		b.note("request bodies offered in several media types: tpgen sends one", r.method+" "+r.path, fmt.Sprintf("sends %s (of %s)", ct, strings.Join(sortedKeys(rb.Content), ", ")))
	}
	body := &model.Body{ContentType: ct, Required: rb.Required, Doc: rb.Description}
	if ct == "*/*" {
		body.ContentType = "application/json"
	}
	hint := op.Name + "Request"
	src := source + " request body"
	if comp := componentName(r.op.RequestBody.Ref, "requestBodies"); comp != "" {
		// A shared request body: its types are named after it.
		if h := b.componentHint(comp, "Request"); h != "" {
			hint, src = h, "components/requestBodies/"+comp
		}
	}
	switch kind := mediaKind(ct); {
	case kind == model.BodyJSON && isBinary(mt.Schema):
		body.Kind, body.Type = model.BodyBinary, model.TReader
	case kind == model.BodyJSON, kind == model.BodyForm:
		body.Kind = kind
		t := b.typer.typeOf(mt.Schema, hint, src)
		if t.IsStruct() {
			t = model.PointerTo(t)
		}
		body.Type = t
	case kind == model.BodyMultipart:
		body.Kind = model.BodyMultipart
		if b.multipart == nil {
			b.multipart = map[*openapi3.MediaType]*model.Decl{}
		}
		d := b.multipart[mt] // a shared request body's struct is declared once
		if d == nil {
			d = b.multipartDecl(hint, mt.Schema, src)
			b.multipart[mt] = d
		}
		body.Type = model.PointerTo(model.Named(d))
	case kind == model.BodyText && !isBinary(mt.Schema):
		body.Kind, body.Type = model.BodyText, model.TString
	default:
		body.Kind, body.Type = model.BodyBinary, model.TReader
	}
	op.Body = body
}

func isBinaryString(s *openapi3.Schema) bool {
	return len(types(s)) == 1 && types(s)[0] == "string" && (s.Format == "binary" || s.ContentMediaType == "application/octet-stream")
}

// isBinary reports whether sr is a binary string: bytes to stream, not text or JSON.
func isBinary(sr *openapi3.SchemaRef) bool {
	return sr != nil && sr.Value != nil && isBinaryString(sr.Value)
}

// multipartDecl declares the struct of a multipart body: binary properties are
// files streamed from readers, the others form fields.
func (b *builder) multipartDecl(hint string, sr *openapi3.SchemaRef, source string) *model.Decl {
	d := b.typer.declare(hint, model.DeclStruct, source, nil)
	d.Role = model.RoleMultipart
	if sr == nil || sr.Value == nil {
		return d
	}
	s := sr.Value
	fns := goname.NewNamespace()
	keys := sortedKeys(s.Properties)
	if odd, quoted := goname.Untaggable(keys); len(odd) > 0 || slices.Contains(keys, "-") {
		// The runtime names parts by the fields' tags (see goname/json_names.go).
		if slices.Contains(keys, "-") {
			odd = append(odd, "-")
			quoted = strings.TrimPrefix(quoted+`, "-"`, ", ")
		}
		b.note("multipart parts whose names a struct tag cannot carry, left out: the method cannot send them", source, quoted)
		keys = slices.DeleteFunc(keys, func(k string) bool { return slices.Contains(odd, k) })
	}
	for _, k := range keys {
		pr := s.Properties[k]
		if pr == nil || pr.Value == nil {
			continue
		}
		f := &model.Field{JSONName: k, Name: fns.Claim(goname.ValueName(k)), Doc: schemaDoc(pr.Value), Required: slices.Contains(s.Required, k)}
		switch {
		case isBinary(pr):
			f.Type = model.PointerTo(model.TFile)
		case isBinary(pr.Value.Items):
			f.Type = model.SliceOf(model.TFile)
		default:
			t := b.typer.typeOf(pr, d.Name+f.Name, source+"/properties/"+k)
			f.Type = b.typer.fieldType(t, f.Required, false)
		}
		d.Fields = append(d.Fields, f)
	}
	return d
}
