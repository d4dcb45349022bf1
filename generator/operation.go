package generator

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/config"
	"github.com/tpgen/tpgen/generator/internal/goname"
	"github.com/tpgen/tpgen/generator/internal/load"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// builder turns one service's spec into its Package model.
type builder struct {
	svc   *Job
	sp    *load.Spec
	typer *typer
	types *goname.Namespace // package-level identifiers
	pkg   *model.Package
	errs  []error
	// audited is what audit has looked at, so that shared parts are looked at once.
	audited *auditor
	// multipart holds the struct declared for each multipart body, so that a
	// shared request body has one.
	multipart map[*openapi3.MediaType]*model.Decl
}

// note records a note for -v (see Note).
func (b *builder) note(group, place, detail string) {
	b.pkg.Notes = append(b.pkg.Notes, model.Note{Group: group, Place: place, Detail: detail})
}

// reservedIdents are package-level names the generated code declares itself.
var reservedIdents = []string{"Client", "New", "ServiceConfig", "Operations", "Option"}

// methodNames are taken on Client by the generated code itself.
var methodNames = []string{"Runtime"}

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
	doc := b.sp.Doc
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	var out []*opRef
	for _, p := range paths {
		item := doc.Paths.Value(p)
		if item == nil {
			continue
		}
		if !strings.HasPrefix(p, "/") {
			b.errs = append(b.errs, b.sp.ErrorAt(fmt.Sprintf("path %q does not start with /", p), "paths", p))
			continue
		}
		if strings.ContainsAny(pathVarRE.ReplaceAllString(p, ""), "{}") {
			b.errs = append(b.errs, b.sp.ErrorAt(fmt.Sprintf("path %q has an unbalanced { or }: write each parameter as {name}", p), "paths", p))
			continue
		}
		for _, k := range sortedKeys(item.Extensions) {
			if strings.HasPrefix(k, "x-") {
				continue
			}
			msg := fmt.Sprintf("path %q: unknown key %q", p, k)
			if lower := strings.ToLower(k); item.GetOperation(strings.ToUpper(k)) == nil && slices.Contains(load.MethodKeys, lower) {
				msg += fmt.Sprintf(" (did you mean %s? operations are keyed by the method in lower case)", lower)
			}
			b.errs = append(b.errs, b.sp.ErrorAt(msg, "paths", p, k))
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
		if n := goname.ExportedName(seg); n != "" {
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
			b.note("operations without an operationId whose derived name is taken, numbered", r.method+" "+r.path, fmt.Sprintf("called %s (%s is taken)", r.id, base))
		}
		if prev, dup := ids[r.id]; dup {
			b.errs = append(b.errs, b.sp.ErrorAt(fmt.Sprintf("operationId %q is used by both %s %s and %s %s: operationIds must be unique; rename one", r.id, prev.method, prev.path, r.method, r.path),
				"paths", r.path, strings.ToLower(r.method), "operationId"))
			continue
		}
		ids[r.id] = r
	}
	b.checkOverrides(ids)
	methods := goname.NewNamespace(methodNames...)
	var ops []*model.Method
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
	b.pagination(ops, ids, methods)
	b.pkg.Methods = ops
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
			msg := fmt.Sprintf("service %q: operations: %q is not an operationId in %s", b.svc.Name, o.ID, b.sp.Display)
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
		b.unknownInFilter("tag %q, which no operation in %s has", f.Tags, f.TagsPos, tagList, func(t string) bool { return tags[t] })
		b.unknownInFilter("operation %q, which is not an operationId in %s", f.Operations, f.OperationsPos, known, func(id string) bool { return ids[id] != nil })
	}
}

// unknownInFilter reports the names of an include or exclude filter that the
// spec does not have, at each name's position when known; what words the
// complaint, with the name and the spec's file.
func (b *builder) unknownInFilter(what string, names []string, at []config.Pos, known []string, has func(string) bool) {
	for i, name := range names {
		if has(name) {
			continue
		}
		msg := fmt.Sprintf("service %q: filter names ", b.svc.Name) + fmt.Sprintf(what, name, b.sp.Display)
		if s := config.Suggest(name, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		pos := b.svc.Pos
		if i < len(at) {
			pos = at[i]
		}
		b.errs = append(b.errs, pos.Errorf("%s", msg))
	}
}

func (b *builder) operation(r *opRef, methods *goname.Namespace) *model.Method {
	name := goname.ExportedName(r.id)
	if name == "" {
		name = goname.ExportedName(derivedID(r.method, r.path))
	}
	op := &model.Method{
		Name: methods.Claim(name), ID: r.id, HTTPMethod: r.method, Path: r.path,
		Summary: r.op.Summary, Description: r.op.Description, Deprecated: r.op.Deprecated, Tags: r.op.Tags,
	}
	op.VarName = "op" + op.Name
	var err error
	if op.Path, op.Query, err = load.SplitPathQuery(r.path); err != nil {
		b.errs = append(b.errs, b.sp.ErrorAt(fmt.Sprintf("path %s: %v", r.path, err), "paths", r.path))
		return nil
	}
	source := r.method + " " + r.path
	b.typer.stack = b.typer.stack[:0] // the operation's names extend none of another's
	b.audit(r)
	b.params(op, r, source)
	b.requestBody(op, r, source)
	b.responses(op, r, source)
	b.auth(op, r)
	return op
}

// auth settles the operation's grant and scopes: services.yaml's operation
// override first, then the spec's security, else inherited at run time.
func (b *builder) auth(op *model.Method, r *opRef) {
	for _, o := range b.svc.Overrides {
		if o.ID == op.ID {
			op.Audiences, op.Resources = o.Audiences, o.Resources
			g, ok := model.ParseGrant(o.Grant)
			if !ok {
				b.errs = append(b.errs, &config.Error{Pos: o.Pos, Msg: fmt.Sprintf("operation %q: unknown grant %q", o.ID, o.Grant)})
			}
			op.Grant = g
			if o.ScopesSet {
				op.Scopes = append([]string{}, o.Scopes...)
			}
		}
	}
	sec := r.op.Security
	if sec != nil {
		op.Security = requirements(*sec)
	}
	if sec != nil && len(*sec) == 0 && op.Grant == model.GrantUnset {
		op.Grant = model.GrantNone // security: [] — the operation is public
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
	if b.sp.Doc.Components != nil {
		schemes = b.sp.Doc.Components.SecuritySchemes
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

// errorModels gives every declared JSON error body a constructor function,
// one per type, shared by the operations that declare it.
func (b *builder) errorModels() {
	byType := map[string]*model.ErrorModel{}
	fns := goname.NewNamespace()
	for _, op := range b.pkg.Methods {
		for _, r := range op.Responses {
			if r.Success || r.Kind != model.BodyJSON || r.Type == nil {
				continue
			}
			key := r.Type.Expr()
			m, ok := byType[key]
			if !ok {
				m = &model.ErrorModel{Func: fns.Claim("new" + goname.ExportedName(key)), Type: r.Type}
				byType[key] = m
				b.pkg.ErrorModels = append(b.pkg.ErrorModels, m)
			}
			r.Model = m.Func
		}
	}
	sort.Slice(b.pkg.ErrorModels, func(i, j int) bool { return b.pkg.ErrorModels[i].Func < b.pkg.ErrorModels[j].Func })
}
