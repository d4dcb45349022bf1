package generator

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/config"
	"github.com/tpgen/tpgen/generator/internal/load"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// kin-openapi keeps the keys it does not know in Extensions and the keys
// beside a $ref nowhere a caller sees; tpgen reads neither. So that no key
// that carries meaning is ignored without a word, audit looks at what a
// generated operation uses: a key that is close to one the object has
// (requestbody), or a Swagger 2.0 field the object would need (a
// parameter's type without a schema), is an error at its place; any other
// unknown key, and meaningful keys beside a $ref in OpenAPI 3.0 (which ignores
// them), are -v notes.

type auditor struct {
	b    *builder
	seen map[any]bool
}

// audit checks an operation and what it uses.
func (b *builder) audit(r *opRef) {
	if b.audited == nil {
		b.audited = &auditor{b: b, seen: map[any]bool{}}
	}
	a := b.audited
	op := []string{"paths", r.path, strings.ToLower(r.method)}
	place := r.method + " " + r.path
	a.unknown(place, r.op.Extensions, load.OperationKeys, op, func(k string) string {
		switch k {
		case "consumes", "produces", "schemes":
			return "a Swagger 2.0 field, which OpenAPI 3 does not have (media types come from requestBody and responses content)"
		}
		return ""
	})
	for _, list := range []struct {
		params openapi3.Parameters
		keys   []string
	}{{r.op.Parameters, append(op, "parameters")}, {r.item.Parameters, []string{"paths", r.path, "parameters"}}} {
		for i, pr := range list.params {
			if pr != nil && pr.Value != nil {
				a.parameter(place+" parameter "+pr.Value.Name, pr, refOr(pr.Ref, append(slices.Clone(list.keys), strconv.Itoa(i))))
			}
		}
	}
	if rb := r.op.RequestBody; rb != nil && rb.Value != nil {
		keys := refOr(rb.Ref, append(slices.Clone(op), "requestBody"))
		a.siblings(place+" request body", rb, rb.Ref, keys)
		if !a.once(rb.Value) {
			a.unknown(place+" request body", rb.Value.Extensions, load.BodyKeys, keys, func(k string) string {
				if k == "schema" && len(rb.Value.Content) == 0 {
					return "error:the schema goes under content, per media type: content: {application/json: {schema: ...}}"
				}
				return ""
			})
			a.content(place+" request body", rb.Value.Content, keys)
		}
	}
	if r.op.Responses != nil {
		for _, code := range sortedKeys(r.op.Responses.Map()) {
			rr := r.op.Responses.Value(code)
			if rr == nil || rr.Value == nil {
				continue
			}
			keys := refOr(rr.Ref, append(slices.Clone(op), "responses", code))
			where := place + " response " + code
			a.siblings(where, rr, rr.Ref, keys)
			if a.once(rr.Value) {
				continue
			}
			a.unknown(where, rr.Value.Extensions, load.ResponseKeys, keys, func(k string) string {
				if k == "schema" && len(rr.Value.Content) == 0 {
					return "error:a Swagger 2.0 field: in OpenAPI 3 the body's schema goes under content, per media type: content: {application/json: {schema: ...}}"
				}
				return ""
			})
			a.content(where, rr.Value.Content, keys)
			for _, hn := range sortedKeys(rr.Value.Headers) {
				if h := rr.Value.Headers[hn]; h != nil && h.Value != nil {
					hk := refOr(h.Ref, append(slices.Clone(keys), "headers", hn))
					a.siblings(where+" header "+hn, h, h.Ref, hk)
					if !a.once(h.Value) {
						a.unknown(where+" header "+hn, h.Value.Extensions, load.HeaderKeys, hk, swagger2Typed(h.Value.Schema, h.Value.Content))
						a.schema(where+" header "+hn, h.Value.Schema)
					}
				}
			}
		}
	}
}

// once reports whether v was audited already, and marks it.
func (a *auditor) once(v any) bool {
	if a.seen[v] {
		return true
	}
	a.seen[v] = true
	return false
}

func (a *auditor) parameter(where string, pr *openapi3.ParameterRef, keys []string) {
	a.siblings(where, pr, pr.Ref, keys)
	if a.once(pr.Value) {
		return
	}
	p := pr.Value
	a.unknown(where, p.Extensions, load.ParameterKeys, keys, swagger2Typed(p.Schema, p.Content))
	a.schema(where, p.Schema)
	a.content(where, p.Content, keys)
}

// swagger2Typed classifies a parameter's or header's unknown keys: Swagger
// 2.0's type fields are an error when there is no schema they would be lost to.
func swagger2Typed(schema *openapi3.SchemaRef, content openapi3.Content) func(string) string {
	return func(k string) string {
		if !slices.Contains(load.Swagger2Types, k) {
			return ""
		}
		if schema == nil && len(content) == 0 {
			return fmt.Sprintf("error:a Swagger 2.0 field: in OpenAPI 3 the value's type goes under schema (schema: {%s: ...})", k)
		}
		return "a Swagger 2.0 field, which OpenAPI 3 reads from schema"
	}
}

func (a *auditor) content(where string, content openapi3.Content, keys []string) {
	for _, ct := range sortedKeys(content) {
		mt := content[ct]
		if mt == nil || a.once(mt) {
			continue
		}
		mk := append(slices.Clone(keys), "content", ct)
		if mt.Schema == nil {
			var misplaced []string
			for _, k := range sortedKeys(mt.Extensions) {
				if slices.Contains(load.SchemaKeys, k) {
					misplaced = append(misplaced, k)
				}
			}
			// Text and binary bodies are a string or a stream whatever their
			// schema says: only for the others is the schema's loss wrong code.
			if kind := mediaKind(ct); len(misplaced) > 0 && kind != model.BodyText && kind != model.BodyBinary {
				a.b.errs = append(a.b.errs, a.b.sp.ErrorAt(fmt.Sprintf("%s %s: schema keywords (%s) written directly in the media type: put them under schema:", where, ct, strings.Join(misplaced, ", ")), append(mk, misplaced[0])...))
				continue
			}
		}
		a.unknown(where+" "+ct, mt.Extensions, load.MediaKeys, mk, func(string) string { return "" })
		a.schema(where+" "+ct, mt.Schema)
	}
}

// unknown reports an object's keys that kin-openapi left in Extensions.
// classify says what a key is: "" (unknown), a note, or "error:" and why.
func (a *auditor) unknown(where string, ext map[string]any, known []string, keys []string, classify func(string) string) {
	for _, k := range sortedKeys(ext) {
		if strings.HasPrefix(k, "x-") || strings.HasPrefix(k, "X-") {
			continue
		}
		why := classify(k)
		if k == "$ref" {
			why = fmt.Sprintf("error:not a string but %v: a $ref names a file or a pointer", ext[k])
		}
		if msg, isErr := strings.CutPrefix(why, "error:"); isErr {
			a.b.errs = append(a.b.errs, a.b.sp.ErrorAt(fmt.Sprintf("%s: %q is %s", where, k, msg), append(slices.Clone(keys), k)...))
			continue
		}
		if s := config.Suggest(k, known); s != "" && why == "" {
			a.b.errs = append(a.b.errs, a.b.sp.ErrorAt(fmt.Sprintf("%s: unknown key %q (did you mean %s?)", where, k, s), append(slices.Clone(keys), k)...))
			continue
		}
		if why == "" {
			why = "not a field of the object"
		}
		a.b.note("keys that are not fields of their objects, ignored", where, fmt.Sprintf("%q: %s", k, why))
	}
}

// siblings notes the keys written beside a $ref that OpenAPI 3.0 ignores and
// that would change the client (nullable, required, ...): tpgen follows the
// specification and ignores them too. OpenAPI 3.1 applies a schema's.
func (a *auditor) siblings(where string, ref interface{ MarshalYAML() (any, error) }, refText string, keys []string) {
	if refText == "" || a.b.sp.Doc.IsOpenAPI31OrLater() {
		return
	}
	v, err := ref.MarshalYAML()
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		return
	}
	var ignored []string
	for k, v := range m {
		if k != "$ref" && !strings.HasPrefix(k, "x-") && !slices.Contains(load.DocKeys, k) && !sameAsTarget(ref, k, v) {
			ignored = append(ignored, k)
		}
	}
	if len(ignored) == 0 {
		return
	}
	sort.Strings(ignored)
	key := where + " " + refText + strings.Join(ignored, ",")
	if a.seen[key] {
		return
	}
	a.seen[key] = true
	how := "write them in what it refers to"
	if _, isSchema := ref.(*openapi3.SchemaRef); isSchema {
		how = "write allOf: [{$ref: ...}] beside them to apply them"
	}
	a.b.note("keys beside a $ref, ignored as OpenAPI 3.0 says", where, fmt.Sprintf("%s beside $ref %q (%s)", strings.Join(quoted(ignored), ", "), refText, how))
}

// sameAsTarget reports whether a schema's key beside its $ref says what the
// referenced schema says anyway (type: string beside a string enum), which
// ignoring changes nothing.
func sameAsTarget(ref any, k string, v any) bool {
	switch r := ref.(type) {
	case *openapi3.ParameterRef:
		// Swagger 2.0's type fields beside a parameter that has a schema.
		return r.Value != nil && r.Value.Schema != nil && slices.Contains(load.Swagger2Types, k)
	case *openapi3.HeaderRef:
		return r.Value != nil && r.Value.Schema != nil && slices.Contains(load.Swagger2Types, k)
	}
	sr, ok := ref.(*openapi3.SchemaRef)
	if !ok || sr.Value == nil {
		return false
	}
	s := sr.Value
	switch k {
	case "type":
		var ts []string
		switch t := v.(type) {
		case string:
			ts = []string{t}
		case *openapi3.Types:
			ts = t.Slice()
		case []any:
			for _, e := range t {
				if str, ok := e.(string); ok {
					ts = append(ts, str)
				}
			}
		}
		return len(ts) > 0 && s.Type != nil && slices.Equal(ts, s.Type.Slice())
	case "format":
		return v == s.Format
	case "readOnly":
		return v == s.ReadOnly
	case "writeOnly":
		return v == s.WriteOnly
	case "nullable":
		return v == s.Nullable
	}
	return false
}

func quoted(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

// schema audits a schema and the schemas in it, once each.
func (a *auditor) schema(where string, sr *openapi3.SchemaRef) {
	a.schemaIn(where, sr, 0)
}

func (a *auditor) schemaIn(where string, sr *openapi3.SchemaRef, depth int) {
	if sr == nil || sr.Value == nil || depth > load.MaxNesting {
		return
	}
	if sr.Ref != "" {
		a.siblings(where, sr, sr.Ref, nil)
		if rest, ok := strings.CutPrefix(sr.Ref, "#/"); ok {
			where = rest
		}
	}
	s := sr.Value
	if a.once(s) {
		return
	}
	for _, k := range sortedKeys(s.Extensions) {
		if strings.HasPrefix(k, "x-") || strings.HasPrefix(k, "X-") {
			continue
		}
		hint := ""
		if sug := config.Suggest(k, load.SchemaKeys); sug != "" {
			hint = fmt.Sprintf(" (did you mean %s?)", sug)
		}
		a.b.note("schema keywords tpgen does not know, ignored", where, fmt.Sprintf("%q%s", k, hint))
	}
	if d := s.Discriminator; d != nil {
		a.unknown(where+" discriminator", d.Extensions, []string{"propertyName", "mapping"}, append(sourceKeys(where), "discriminator"), func(string) string { return "" })
	}
	for _, k := range sortedKeys(s.Properties) {
		a.schemaIn(where+"/properties/"+k, s.Properties[k], depth+1)
	}
	a.schemaIn(where+"/items", s.Items, depth+1)
	a.schemaIn(where+"/additionalProperties", s.AdditionalProperties.Schema, depth+1)
	for _, l := range []struct {
		kw   string
		list openapi3.SchemaRefs
	}{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}, {"prefixItems", s.PrefixItems}} {
		for i, m := range l.list {
			a.schemaIn(fmt.Sprintf("%s/%s/%d", where, l.kw, i), m, depth+1)
		}
	}
	a.schemaIn(where+"/not", s.Not, depth+1)
}

// auditDocument checks, once, the objects beside the operations that tpgen
// reads: the components' sections and the security schemes operations name.
func (b *builder) auditDocument() {
	if b.audited == nil {
		b.audited = &auditor{b: b, seen: map[any]bool{}}
	}
	a, doc := b.audited, b.sp.Doc
	if doc.Components == nil {
		return
	}
	sectionNames := []string{"schemas", "responses", "parameters", "examples", "requestBodies", "headers", "securitySchemes", "links", "callbacks", "pathItems"}
	a.unknown("components", doc.Components.Extensions, sectionNames, []string{"components"}, func(string) string { return "" })
	used := map[string]bool{}
	addUsed := func(reqs *openapi3.SecurityRequirements) {
		if reqs != nil {
			for _, req := range *reqs {
				for name := range req {
					used[name] = true
				}
			}
		}
	}
	addUsed(&doc.Security)
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			addUsed(op.Security)
		}
	}
	for _, name := range sortedKeys(doc.Components.SecuritySchemes) {
		ss := doc.Components.SecuritySchemes[name]
		if !used[name] || ss == nil || ss.Value == nil {
			continue
		}
		keys := refOr(ss.Ref, []string{"components", "securitySchemes", name})
		where := "security scheme " + name
		a.unknown(where, ss.Value.Extensions, []string{"type", "description", "name", "in", "scheme", "bearerFormat", "flows", "openIdConnectUrl"}, keys, func(string) string { return "" })
		if f := ss.Value.Flows; f != nil {
			a.unknown(where+" flows", f.Extensions, []string{"implicit", "password", "clientCredentials", "authorizationCode"}, append(slices.Clone(keys), "flows"), func(string) string { return "" })
			for _, fl := range []struct {
				name string
				flow *openapi3.OAuthFlow
			}{{"implicit", f.Implicit}, {"password", f.Password}, {"clientCredentials", f.ClientCredentials}, {"authorizationCode", f.AuthorizationCode}} {
				if fl.flow != nil {
					a.unknown(where+" flow "+fl.name, fl.flow.Extensions, []string{"authorizationUrl", "tokenUrl", "refreshUrl", "scopes"}, append(slices.Clone(keys), "flows", fl.name), func(string) string { return "" })
				}
			}
		}
	}
}

// refOr returns the keys a local $ref points at, or keys when there is none.
func refOr(ref string, keys []string) []string {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return keys
	}
	ptr, err := load.ParsePointer("/" + rest)
	if err != nil {
		return keys
	}
	return ptr
}
