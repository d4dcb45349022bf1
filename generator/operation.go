package generator

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/config"
)

// builder turns one service's spec into its Package model.
type builder struct {
	svc   *Service
	sp    *spec
	typer *typer
	types *namespace // package-level identifiers
	pkg   *Package
	errs  []error
}

func (b *builder) warn(format string, args ...any) {
	b.pkg.Warnings = append(b.pkg.Warnings, fmt.Sprintf(format, args...))
}

// reservedIdents are package-level names the generated code declares itself.
var reservedIdents = []string{"Client", "New", "API", "ServiceConfig", "Operations", "Option"}

// methodNames are taken on Client by the generated code itself.
var methodNames = []string{"Runtime"}

// methodKeys are the path item keys of operations (OpenAPI 3.2 adds query).
var methodKeys = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace", "query", "connect"}

// pathVarRE finds template variables, with the RFC 6570 operators some specs use ({.id*}, {;id}).
var pathVarRE = regexp.MustCompile(`\{([^{}]*)\}`)

func pathVarName(v string) string {
	return strings.TrimSuffix(strings.TrimLeft(v, ".;?&+#/"), "*")
}

type opRef struct {
	path, method string
	item         *openapi3.PathItem
	op           *openapi3.Operation
	id           string
}

// collect lists the operations in path and method order, with their ids.
func (b *builder) collect() []*opRef {
	doc := b.sp.doc
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	var out []*opRef
	for _, p := range paths {
		item := doc.Paths.Value(p)
		if item == nil {
			continue
		}
		if !strings.HasPrefix(p, "/") {
			b.errs = append(b.errs, b.sp.errorAt(fmt.Sprintf("path %q does not start with /", p), "paths", p))
			continue
		}
		if strings.ContainsAny(pathVarRE.ReplaceAllString(p, ""), "{}") {
			b.errs = append(b.errs, b.sp.errorAt(fmt.Sprintf("path %q has an unbalanced { or }: write each parameter as {name}", p), "paths", p))
			continue
		}
		for _, k := range sortedKeys(item.Extensions) {
			if strings.HasPrefix(k, "x-") {
				continue
			}
			msg := fmt.Sprintf("path %q: unknown key %q", p, k)
			if lower := strings.ToLower(k); item.GetOperation(strings.ToUpper(k)) == nil && slices.Contains(methodKeys, lower) {
				msg += fmt.Sprintf(" (did you mean %s? operations are keyed by the method in lower case)", lower)
			}
			b.errs = append(b.errs, b.sp.errorAt(msg, "paths", p, k))
		}
		ops := item.Operations()
		for _, m := range sortedKeys(ops) {
			op := ops[m]
			if op == nil {
				continue
			}
			id := op.OperationID
			if id == "" {
				id = derivedID(m, p)
			}
			out = append(out, &opRef{path: p, method: m, item: item, op: op, id: id})
		}
	}
	return out
}

// derivedID names an operation without operationId from its method and path:
// GET /pets/{id}/toys -> getPetsIdToys.
func derivedID(method, path string) string {
	s := strings.ToLower(method)
	for _, seg := range strings.Split(path, "/") {
		seg = pathVarRE.ReplaceAllStringFunc(seg, func(v string) string { return "by " + pathVarName(v[1:len(v)-1]) })
		if n := exportedName(seg); n != "" {
			s += n
		}
	}
	return s
}

// selected applies the service's include and exclude filters.
func (b *builder) selected(r *opRef) bool {
	in, ex := b.svc.Include, b.svc.Exclude
	match := func(f Filter) bool {
		if slices.Contains(f.Operations, r.id) {
			return true
		}
		for _, t := range r.op.Tags {
			if slices.Contains(f.Tags, t) {
				return true
			}
		}
		return false
	}
	if !in.empty() && !match(in) {
		return false
	}
	return ex.empty() || !match(ex)
}

// operations builds every selected operation.
func (b *builder) operations() {
	refs := b.collect()
	ids := map[string]*opRef{}
	for _, r := range refs {
		if _, dup := ids[r.id]; dup && r.op.OperationID == "" {
			// A name made from method and path (no operationId) that another
			// operation has too, as /pets and /pets/ do: numbered.
			base := r.id
			for i := 2; ids[r.id] != nil; i++ {
				r.id = fmt.Sprintf("%s%d", base, i)
			}
			b.warn("%s %s has no operationId and its derived name %s is taken; it is called %s", r.method, r.path, base, r.id)
		}
		if prev, dup := ids[r.id]; dup {
			b.errs = append(b.errs, b.sp.errorAt(fmt.Sprintf("operationId %q is used by both %s %s and %s %s: operationIds must be unique; rename one", r.id, prev.method, prev.path, r.method, r.path),
				"paths", r.path, strings.ToLower(r.method), "operationId"))
			continue
		}
		ids[r.id] = r
	}
	b.checkOverrides(ids)
	methods := newNamespace(methodNames...)
	var ops []*Operation
	for _, r := range refs {
		if ids[r.id] != r || !b.selected(r) {
			continue
		}
		op := b.operation(r, methods)
		if op != nil {
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Name < ops[j].Name })
	b.pkg.Operations = ops
}

// checkOverrides reports services.yaml operation overrides and filters that
// name no operation of the spec.
func (b *builder) checkOverrides(ids map[string]*opRef) {
	known := make([]string, 0, len(ids))
	for id := range ids {
		known = append(known, id)
	}
	sort.Strings(known)
	for _, o := range b.svc.Overrides {
		if _, ok := ids[o.ID]; !ok {
			msg := fmt.Sprintf("service %q: operations: %q is not an operationId in %s", b.svc.Name, o.ID, b.sp.display)
			if s := config.Suggest(o.ID, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			b.errs = append(b.errs, o.Pos.Errorf("%s", msg))
		}
	}
	tags := map[string]bool{}
	var tagList []string
	for _, r := range ids {
		for _, t := range r.op.Tags {
			if !tags[t] {
				tags[t] = true
				tagList = append(tagList, t)
			}
		}
	}
	sort.Strings(tagList)
	for _, f := range []Filter{b.svc.Include, b.svc.Exclude} {
		for i, tag := range f.Tags {
			if tags[tag] {
				continue
			}
			msg := fmt.Sprintf("service %q: filter names tag %q, which no operation in %s has", b.svc.Name, tag, b.sp.display)
			if s := config.Suggest(tag, tagList); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			pos := b.svc.Pos
			if i < len(f.TagsPos) {
				pos = f.TagsPos[i]
			}
			b.errs = append(b.errs, pos.Errorf("%s", msg))
		}
		for i, id := range f.Operations {
			if _, ok := ids[id]; !ok {
				msg := fmt.Sprintf("service %q: filter names operation %q, which is not an operationId in %s", b.svc.Name, id, b.sp.display)
				if s := config.Suggest(id, known); s != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				}
				pos := b.svc.Pos
				if i < len(f.OperationsPos) {
					pos = f.OperationsPos[i]
				}
				b.errs = append(b.errs, pos.Errorf("%s", msg))
			}
		}
	}
}

func (b *builder) operation(r *opRef, methods *namespace) *Operation {
	name := exportedName(r.id)
	if name == "" {
		name = exportedName(derivedID(r.method, r.path))
	}
	op := &Operation{
		Name: methods.claim(name), ID: r.id, Method: r.method, Path: r.path,
		Summary: r.op.Summary, Description: r.op.Description, Deprecated: r.op.Deprecated, Tags: r.op.Tags,
	}
	op.VarName = "op" + op.Name
	source := r.method + " " + r.path
	b.params(op, r, source)
	b.requestBody(op, r, source)
	b.responses(op, r, source)
	b.auth(op, r)
	return op
}

// params splits parameters into positional path arguments and a params struct.
func (b *builder) params(op *Operation, r *opRef, source string) {
	// Operation parameters override path-item ones with the same name and location.
	var all []*openapi3.Parameter
	seen := map[string]bool{}
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
		}
	}
	// Path variables in template order.
	var vars []string
	for _, m := range pathVarRE.FindAllStringSubmatch(r.path, -1) {
		if v := pathVarName(m[1]); !slices.Contains(vars, v) {
			vars = append(vars, v) // a variable used twice is one argument
		}
	}
	args := newNamespace("ctx", "params", "body", "c")
	for _, v := range vars {
		var p *openapi3.Parameter
		for _, q := range all {
			if q.In == "path" && q.Name == v {
				p = q
			}
		}
		if p == nil {
			b.errs = append(b.errs, b.sp.errorAt(fmt.Sprintf("%s %s: path parameter {%s} is not declared: add it to the operation's parameters with in: path", r.method, r.path, v),
				"paths", r.path))
			continue
		}
		param := b.param(op, p, source)
		param.Name = args.claim(unexportedName(p.Name))
		param.Required = true
		param.Type = param.baseType()
		op.PathParams = append(op.PathParams, param)
	}
	for _, p := range op.PathParams {
		if p.Shape == ShapeObject {
			p.Local = args.claim("path" + exportedName(p.Name))
		}
	}
	var rest []*openapi3.Parameter
	for _, p := range all {
		switch p.In {
		case "path":
			if !slices.Contains(vars, p.Name) {
				b.warn("%s %s: path parameter %q does not appear in the path; it is left out", r.method, r.path, p.Name)
			}
		case "query", "header", "cookie":
			rest = append(rest, p)
		default:
			b.errs = append(b.errs, b.sp.errorAt(fmt.Sprintf("%s %s: parameter %q has in: %q; OpenAPI 3 parameters are in path, query, header or cookie (a body goes in requestBody)", r.method, r.path, p.Name, p.In), "paths", r.path, strings.ToLower(r.method)))
		}
	}
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
	op.ParamsType = b.types.claim(op.Name + "Params")
	fields := newNamespace()
	for _, p := range rest {
		param := b.param(op, p, source)
		param.Name = fields.claim(valueName(p.Name))
		param.Required = p.Required
		t := param.baseType()
		if !p.Required && !t.nilable() {
			t = pointerTo(t)
		}
		param.Type = t
		op.Params = append(op.Params, param)
	}
}

// param types one parameter and settles its serialisation.
func (b *builder) param(op *Operation, p *openapi3.Parameter, source string) *Param {
	param := &Param{WireName: p.Name, In: p.In, Doc: p.Description, Deprecated: p.Deprecated}
	hint := op.Name + exportedName(p.Name)
	src := source + " parameter " + p.Name
	if p.Schema == nil && len(p.Content) > 0 {
		// content-encoded parameter: JSON text.
		param.Shape = ShapeJSON
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
	under := underlying(t)
	switch {
	case under.Kind == KindSlice && !(under.Elem.Kind == KindBuiltin && under.Elem.Name == "byte"):
		param.Shape = ShapeList
		param.Elem = under.Elem
		param.listType = t
	case under.Kind == KindMap || (under.Kind == KindNamed && (under.Decl.Kind == DeclStruct || under.Decl.Kind == DeclUnion)) || (under.Kind == KindBuiltin && under.Name == "any"):
		param.Shape = ShapeObject
	default:
		param.Shape = ShapePrimitive
	}
	if param.Style == "StyleDeepObject" && param.Shape == ShapePrimitive {
		param.Style = "StyleForm"
	}
	return param
}

// baseType is the parameter's value type before optional wrapping.
func (p *Param) baseType() *Type {
	if p.listType != nil {
		return p.listType
	}
	return p.Elem
}

// underlying follows defined types to what they are made of.
func underlying(t *Type) *Type {
	for i := 0; i < 16 && t.Kind == KindNamed && t.Decl.Kind == DeclDefined; i++ {
		t = t.Decl.Underlying
	}
	return t
}

func paramStyle(p *openapi3.Parameter) (string, bool) {
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
	names := map[string]string{
		"simple": "StyleSimple", "label": "StyleLabel", "matrix": "StyleMatrix", "form": "StyleForm",
		"spaceDelimited": "StyleSpaceDelimited", "pipeDelimited": "StylePipeDelimited", "deepObject": "StyleDeepObject",
	}
	if n, ok := names[style]; ok {
		return n, explode
	}
	return "StyleForm", explode
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
func mediaKind(ct string) BodyKind {
	ct = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	switch {
	case ct == "application/json" || strings.HasSuffix(ct, "+json") || ct == "*/*" || ct == "application/*" ||
		strings.HasSuffix(ct, "/json") || ct == "text/json":
		return BodyJSON
	case ct == "application/x-www-form-urlencoded":
		return BodyForm
	case strings.HasPrefix(ct, "multipart/"):
		return BodyMultipart
	case strings.HasPrefix(ct, "text/") && ct != "text/event-stream":
		return BodyText
	}
	return BodyBinary
}

// pickContent chooses the media type tpgen encodes: JSON first, then forms,
// multipart, text, anything else as raw bytes.
func pickContent(content openapi3.Content) (string, *openapi3.MediaType) {
	best, bestRank := "", 99
	rank := map[BodyKind]int{BodyJSON: 0, BodyForm: 1, BodyMultipart: 2, BodyText: 3, BodyBinary: 4}
	for _, ct := range sortedKeys(content) {
		k := mediaKind(ct)
		r := rank[k]
		if k == BodyJSON && ct == "*/*" {
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

func (b *builder) requestBody(op *Operation, r *opRef, source string) {
	if r.op.RequestBody == nil || r.op.RequestBody.Value == nil {
		return
	}
	rb := r.op.RequestBody.Value
	ct, mt := pickContent(rb.Content)
	if mt == nil {
		if rb.Required {
			b.errs = append(b.errs, b.sp.errorAt(fmt.Sprintf("%s %s: the request body is required but lists no content (media types): add content, e.g. application/json", r.method, r.path), "paths", r.path, strings.ToLower(r.method), "requestBody"))
		} else {
			b.warn("%s %s: the optional request body lists no content; the method sends none", r.method, r.path)
		}
		return
	}
	if len(rb.Content) > 1 {
		b.warn("%s %s: request body offered as %s; tpgen sends %s", r.method, r.path, strings.Join(sortedKeys(rb.Content), ", "), ct)
	}
	body := &Body{ContentType: ct, Required: rb.Required, Doc: rb.Description}
	if ct == "*/*" {
		body.ContentType = "application/json"
	}
	hint := op.Name + "Request"
	src := source + " request body"
	switch kind := mediaKind(ct); {
	case kind == BodyJSON:
		body.Kind = BodyJSON
		if mt.Schema != nil && mt.Schema.Value != nil && isBinaryString(mt.Schema.Value) {
			body.Kind, body.Type = BodyBinary, tReader
			break
		}
		t := b.typer.typeOf(mt.Schema, hint, src)
		if t.isStruct() {
			t = pointerTo(t)
		}
		body.Type = t
	case kind == BodyForm:
		body.Kind = BodyForm
		t := b.typer.typeOf(mt.Schema, hint, src)
		if t.isStruct() {
			t = pointerTo(t)
		}
		body.Type = t
	case kind == BodyMultipart:
		body.Kind = BodyMultipart
		body.Type = pointerTo(named(b.multipartDecl(hint, mt.Schema, src)))
	case kind == BodyText && !(mt.Schema != nil && mt.Schema.Value != nil && isBinaryString(mt.Schema.Value)):
		body.Kind, body.Type = BodyText, tString
	default:
		body.Kind, body.Type = BodyBinary, tReader
	}
	op.Body = body
}

func isBinaryString(s *openapi3.Schema) bool {
	return len(types(s)) == 1 && types(s)[0] == "string" && (s.Format == "binary" || s.ContentMediaType == "application/octet-stream")
}

// multipartDecl declares the struct of a multipart body: binary properties are
// files streamed from readers, the others form fields.
func (b *builder) multipartDecl(hint string, sr *openapi3.SchemaRef, source string) *Decl {
	d := b.typer.declare(hint, DeclStruct, source, nil)
	d.Doc = "is a multipart/form-data request body. Files are streamed, not buffered."
	if sr == nil || sr.Value == nil {
		return d
	}
	s := sr.Value
	fns := newNamespace()
	for _, k := range sortedKeys(s.Properties) {
		pr := s.Properties[k]
		if pr == nil || pr.Value == nil {
			continue
		}
		f := &Field{JSONName: k, Name: fns.claim(valueName(k)), Doc: schemaDoc(pr.Value), Required: slices.Contains(s.Required, k)}
		switch {
		case isBinaryString(pr.Value):
			f.Type = pointerTo(tFile)
		case pr.Value.Items != nil && pr.Value.Items.Value != nil && isBinaryString(pr.Value.Items.Value):
			f.Type = sliceOf(tFile)
		default:
			t := b.typer.typeOf(pr, d.Name+f.Name, source+"/properties/"+k)
			f.Type = fieldType(t, f.Required, false)
		}
		d.Fields = append(d.Fields, f)
	}
	return d
}

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

func (b *builder) responses(op *Operation, r *opRef, source string) {
	if r.op.Responses == nil {
		op.Result = &Result{Kind: ResultNone}
		return
	}
	statuses := sortedKeys(r.op.Responses.Map())
	sort.SliceStable(statuses, func(i, j int) bool {
		ci, ni := statusOrder(statuses[i])
		cj, nj := statusOrder(statuses[j])
		if ci != cj {
			return ci < cj
		}
		return ni < nj
	})
	has2xx, has3xx := false, false
	for _, s := range statuses {
		if strings.HasPrefix(s, "2") {
			has2xx = true
		}
		if strings.HasPrefix(s, "3") {
			has3xx = true
		}
	}
	for _, s := range statuses {
		rr := r.op.Responses.Value(s)
		if rr == nil || rr.Value == nil {
			continue
		}
		class, n := statusOrder(s)
		if class == 3 {
			b.warn("%s %s: response %q is not a status code, range or default; it is left out", r.method, r.path, s)
			continue
		}
		resp := &Response{Status: s}
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
		hint := op.Name + "Response"
		if !resp.Success {
			hint = op.Name + suffixName(s) + "Error"
		} else if len(statuses) > 1 && s != "200" {
			hint = op.Name + suffixName(s) + "Response"
		}
		ct, mt := pickContent(rr.Value.Content)
		if mt != nil {
			resp.ContentType = ct
			switch kind := mediaKind(ct); {
			case kind == BodyJSON && !(mt.Schema != nil && mt.Schema.Value != nil && isBinaryString(mt.Schema.Value)):
				resp.Kind = BodyJSON
				resp.Type = b.typer.typeOf(mt.Schema, hint, source+" response "+s)
			case kind == BodyText:
				resp.Kind, resp.Type = BodyText, tString
			default:
				resp.Kind, resp.Type = BodyBinary, tRC
			}
		}
		if resp.Success {
			for _, hn := range sortedKeys(rr.Value.Headers) {
				h := rr.Value.Headers[hn]
				if h == nil || h.Value == nil || strings.EqualFold(hn, "Content-Type") {
					continue
				}
				rh := &ResponseHeader{WireName: hn, Doc: h.Value.Description}
				t := tString
				if h.Value.Schema != nil {
					t = b.typer.typeOf(h.Value.Schema, op.Name+exportedName(hn)+"Header", source+" response "+s+" header "+hn)
				}
				under := underlying(t)
				if t.Kind == KindNamed && t.Decl.Kind == DeclDefined {
					t = under // headers are typed by what the defined type is made of
				}
				switch {
				case under.Kind == KindSlice && under.Elem.Kind != KindSlice && isScalar(under.Elem):
					rh.List, rh.Elem, rh.Type = true, under.Elem, t
				case isScalar(under):
					rh.Elem, rh.Type = t, t
				default:
					rh.Elem, rh.Type = tString, tString // structured headers are kept as text
				}
				resp.Headers = append(resp.Headers, rh)
			}
		}
		op.Responses = append(op.Responses, resp)
	}
	op.Result = b.result(op)
}

// isScalar reports whether values of t have a text form (headers, form fields).
func isScalar(t *Type) bool { return scalarKind(t) != "" }

// result decides what the method returns: nothing, the one success body, or a
// result struct when there are several bodies or typed headers.
func (b *builder) result(op *Operation) *Result {
	var withBody []*Response
	var headers []*ResponseHeader
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
		return &Result{Kind: ResultNone}
	case sameBody && len(headers) == 0:
		for _, r := range withBody {
			r.Target = 0
		}
		t := withBody[0].Type
		if t.isStruct() {
			t = pointerTo(t)
		}
		return &Result{Kind: ResultValue, Type: t}
	}
	d := b.typer.declare(op.Name+"Result", DeclStruct, "", nil)
	d.Doc = fmt.Sprintf("is the result of %s: the status, the body of the response received, and the response headers.", op.Name)
	fields := newNamespace("StatusCode")
	d.Fields = append(d.Fields, &Field{Name: "StatusCode", Type: tInt, Doc: "StatusCode is the HTTP status of the response."})
	targets := 0
	for _, r := range withBody {
		name := "Body"
		if !sameBody {
			name = "Body" + suffixName(r.Status)
		}
		if sameBody && r != withBody[0] {
			r.Field, r.Target = withBody[0].Field, withBody[0].Target
			continue
		}
		r.Field = fields.claim(name)
		r.Target = targets
		targets++
		t := r.Type
		if !t.nilable() {
			t = pointerTo(t)
		}
		d.Fields = append(d.Fields, &Field{Name: r.Field, Type: t, Doc: fmt.Sprintf("%s is the body of a %s response.", r.Field, r.Status)})
	}
	for _, h := range headers {
		h.Name = fields.claim(valueName(h.WireName))
		t := h.Type
		if !t.nilable() {
			t = pointerTo(t)
		}
		d.Fields = append(d.Fields, &Field{Name: h.Name, Type: t, Doc: strings.TrimSpace(fmt.Sprintf("%s is the %s response header. %s", h.Name, h.WireName, h.Doc))})
	}
	return &Result{Kind: ResultStruct, Type: pointerTo(named(d)), Decl: d, Headers: headers}
}

// auth settles the operation's grant and scopes: services.yaml's operation
// override first, then the spec's security, else inherited at run time.
func (b *builder) auth(op *Operation, r *opRef) {
	for _, o := range b.svc.Overrides {
		if o.ID == op.ID {
			op.Grant, op.Audience, op.Resource = o.Grant, o.Audience, o.Resource
			if o.ScopesSet {
				op.Scopes = append([]string{}, o.Scopes...)
			}
		}
	}
	sec := r.op.Security
	if sec != nil && len(*sec) == 0 && op.Grant == "" {
		op.Grant = "none" // security: [] — the operation is public
	}
	if op.Scopes != nil || sec == nil {
		return
	}
	op.Scopes = b.oauthScopes(*sec)
}

// oauthScopes returns the OAuth2 scopes of the first security requirement that
// names an oauth2 or openIdConnect scheme with scopes, nil when none does.
func (b *builder) oauthScopes(sec openapi3.SecurityRequirements) []string {
	var schemes openapi3.SecuritySchemes
	if b.sp.doc.Components != nil {
		schemes = b.sp.doc.Components.SecuritySchemes
	}
	for _, req := range sec {
		var scopes []string
		for _, name := range sortedKeys(req) {
			ss := schemes[name]
			if ss == nil || ss.Value == nil {
				continue
			}
			if t := ss.Value.Type; t == "oauth2" || t == "openIdConnect" {
				scopes = append(scopes, req[name]...)
			}
		}
		if len(scopes) > 0 {
			sort.Strings(scopes)
			return slices.Compact(scopes)
		}
	}
	return nil
}

// suggestStatus is used in doc comments.
func statusText(s string) string {
	if n, err := strconv.Atoi(s); err == nil {
		if t := http.StatusText(n); t != "" {
			return s + " " + t
		}
	}
	return s
}

// errorModels gives every declared JSON error body a constructor function,
// one per type, shared by the operations that declare it.
func (b *builder) errorModels() {
	byType := map[string]*ErrorModel{}
	fns := newNamespace()
	for _, op := range b.pkg.Operations {
		for _, r := range op.Responses {
			if r.Success || r.Kind != BodyJSON || r.Type == nil {
				continue
			}
			key := typeString(r.Type)
			m, ok := byType[key]
			if !ok {
				m = &ErrorModel{Func: fns.claim("new" + exportedName(key)), Type: r.Type}
				byType[key] = m
				b.pkg.ErrorModels = append(b.pkg.ErrorModels, m)
			}
			r.Model = m.Func
		}
	}
	sort.Slice(b.pkg.ErrorModels, func(i, j int) bool { return b.pkg.ErrorModels[i].Func < b.pkg.ErrorModels[j].Func })
}
