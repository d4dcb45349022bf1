package generator

import (
	"fmt"
	"go/token"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/internal/goname"
	"github.com/tpgen/tpgen/generator/internal/load"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// typer turns schemas into Go types, declaring named types as it goes. Names
// are claimed in the order schemas are met, which is deterministic: component
// schemas in key order first, then operations in path and method order.
type typer struct {
	ns          *goname.Namespace
	memo        map[*openapi3.Schema]*model.Type
	pending     map[*openapi3.Schema]*model.Decl // declared, body not yet built (recursion)
	building    map[*openapi3.Schema]bool        // being built now
	reserved    map[*openapi3.Schema]string      // names claimed for component schemas
	components  map[string]*openapi3.Schema      // "#/components/schemas/X" -> its schema
	sharedEnums map[string]*sharedEnum           // value set -> the inline enum type that has it
	sharedOrder []string                         // keys of sharedEnums in the order met
	nullables   map[string]*model.Decl           // typeKey of the value type -> its DeclNullable
	decls       []*model.Decl
	// stack holds the types declared by the schemas being built, innermost
	// last: the types a derived name extends (see nameParts).
	stack   []*model.Decl
	depth   int              // schemas being built, one inside the other
	tooDeep bool             // depth reached maxSchemaDepth
	addNote func(model.Note) // records a note for -v
	// fail reports a problem of the spec at a source path; generation fails.
	fail func(source, msg string)
}

func newTyper(ns *goname.Namespace, addNote func(model.Note)) *typer {
	return &typer{ns: ns, memo: map[*openapi3.Schema]*model.Type{}, pending: map[*openapi3.Schema]*model.Decl{}, building: map[*openapi3.Schema]bool{},
		reserved: map[*openapi3.Schema]string{}, components: map[string]*openapi3.Schema{},
		sharedEnums: map[string]*sharedEnum{}, nullables: map[string]*model.Decl{}, addNote: addNote}
}

// note records a note for -v about source.
func (g *typer) note(group, place, detail string) {
	g.addNote(model.Note{Group: group, Place: place, Detail: detail})
}

// declareComponents gives every component schema its name first, so that the
// names users see in the spec are the ones they get.
func (g *typer) declareComponents(schemas openapi3.Schemas) {
	keys := make([]string, 0, len(schemas))
	for k := range schemas {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	g.checkRefCycles(schemas, keys)
	// Claim every component's name before building any: the constants of an
	// enum or an inline type met while building one must not take another
	// component's name.
	for _, k := range keys {
		sr := schemas[k]
		if sr == nil || sr.Value == nil {
			continue
		}
		name := goname.ExportedName(k)
		if name == "" {
			name = "Type"
		}
		g.reserved[sr.Value] = g.ns.Claim(name)
		g.components["#/components/schemas/"+k] = sr.Value
	}
	for _, k := range keys {
		sr := schemas[k]
		if sr == nil || sr.Value == nil {
			continue
		}
		g.typeOf(sr, k, "components/schemas/"+k)
	}
}

// typeOf returns the Go type for sr; hint names a type it must declare.
func (g *typer) typeOf(sr *openapi3.SchemaRef, hint, source string) *model.Type {
	if sr == nil || sr.Value == nil {
		return model.TAny
	}
	s := sr.Value
	if c, ok := g.components[sr.Ref]; ok {
		// A $ref with siblings (3.1) loads as a copy of the component: it is
		// still the component.
		s = c
	}
	if t, ok := g.memo[s]; ok {
		return t
	}
	if d, ok := g.pending[s]; ok {
		return model.Named(d)
	}
	if sr.Ref != "" {
		hint = refName(sr.Ref)
		source = strings.TrimPrefix(sr.Ref, "#/")
	}
	if g.building[s] {
		// A schema that contains itself without passing through a struct (an
		// array of itself, say) needs a name to be written in Go.
		d := g.declare(hint, model.DeclDefined, source, s)
		d.Underlying = model.TAny // replaced when the outer build finishes
		d.Placeholder = true
		return model.Named(d)
	}
	if g.depth >= model.MaxSchemaDepth {
		// Each level is a few stack frames: a deeper chain of schemas would
		// take tpgen's stack to its end, which is fatal, not a panic. Said
		// once: every branch below would say it again.
		if !g.tooDeep {
			g.tooDeep = true
			g.fail(source, fmt.Sprintf("schemas nest more than %d levels deep (through properties, items, allOf and $ref); tpgen does not type them", model.MaxSchemaDepth))
		}
		return model.TAny
	}
	g.depth++
	g.building[s] = true
	mark := len(g.stack)
	t := g.build(s, hint, source)
	g.stack = g.stack[:mark]
	delete(g.building, s)
	g.depth--
	if d, ok := g.pending[s]; ok && d.Kind == model.DeclDefined && d.Underlying == model.TAny && (t.Kind != model.KindNamed || t.Decl != d) {
		if namesOnly(t, d) {
			g.note("schemas that only refer to themselves, typed as any", source, "")
			t = model.TAny
		}
		d.Underlying = t
		d.Alias = needsAlias(t)
		t = model.Named(d)
	}
	g.memo[s] = t
	return t
}

// isComponent reports whether source is a schema of components/schemas itself,
// not a part of one: those become named types even when they are primitives.
func isComponent(source string) bool {
	rest, ok := strings.CutPrefix(source, "components/schemas/")
	return ok && !strings.Contains(rest, "/")
}

// sourceAt is the Source of a declaration at place, as comments name it
// (the typer's source, or where a schema of another file was written).
func sourceAt(place string, component bool) model.Source {
	return model.Source{Place: place, Schema: strings.HasPrefix(place, "components/schemas/"), Component: component}
}

// refName is the last segment of a $ref: "#/components/schemas/Pet" -> "Pet".
func refName(ref string) string {
	if i := strings.LastIndexAny(ref, "/#"); i >= 0 && i+1 < len(ref) {
		return ref[i+1:]
	}
	return ref
}

// nonNull returns s's alternatives without those that only allow null.
func nonNull(refs openapi3.SchemaRefs) openapi3.SchemaRefs {
	var out openapi3.SchemaRefs
	for _, r := range refs {
		if r == nil || r.Value == nil || isNullOnly(r.Value) {
			continue
		}
		out = append(out, r)
	}
	return out
}

func isNullOnly(s *openapi3.Schema) bool {
	if s.Type != nil && len(s.Type.Slice()) == 1 && s.Type.Is("null") {
		return true
	}
	return len(s.Enum) == 1 && s.Enum[0] == nil
}

// nullable reports whether s admits null: nullable: true (3.0), a type list with
// null (3.1), a null alternative in oneOf/anyOf, or null among its enum values.
func nullable(s *openapi3.Schema) bool { return nullableIn(s, 0, map[*openapi3.Schema]bool{}) }

// nullableIn decides nullable once per schema: memo holds the answers, and
// false for schemas still being decided (a schema among its own allOf
// members adds nothing). Without it, schemas repeated among allOf members
// are walked an exponential number of times.
func nullableIn(s *openapi3.Schema, depth int, memo map[*openapi3.Schema]bool) bool {
	if s == nil || depth > 16 {
		return false
	}
	if v, ok := memo[s]; ok {
		return v
	}
	memo[s] = false
	v := nullableSelf(s)
	if !v && len(s.AllOf) > 0 {
		v = true
		for _, r := range s.AllOf {
			if r == nil || r.Value == nil || !nullableIn(r.Value, depth+1, memo) {
				v = false
				break
			}
		}
	}
	memo[s] = v
	return v
}

// nullableSelf is nullable without allOf.
func nullableSelf(s *openapi3.Schema) bool {
	if s.Nullable || (s.Type != nil && s.Type.IncludesNull()) {
		return true
	}
	for _, refs := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		for _, r := range refs {
			if r != nil && r.Value != nil && isNullOnly(r.Value) {
				return true
			}
		}
	}
	return slices.Contains(s.Enum, nil)
}

// types returns s's declared types without null.
func types(s *openapi3.Schema) []string {
	if s.Type == nil {
		return nil
	}
	var out []string
	for _, t := range s.Type.Slice() {
		if t != "null" {
			out = append(out, t)
		}
	}
	return out
}

// isConstraintOnly reports whether a oneOf/anyOf member only constrains its
// parent (required lists, not), rather than being a shape of its own.
func isConstraintOnly(s *openapi3.Schema) bool {
	return s.Type == nil && len(s.Properties) == 0 && s.Items == nil && len(s.AllOf) == 0 &&
		len(s.OneOf) == 0 && len(s.AnyOf) == 0 && len(s.Enum) == 0 && s.Const == nil &&
		s.AdditionalProperties.Schema == nil && s.AdditionalProperties.Has == nil
}

func allConstraintOnly(refs openapi3.SchemaRefs) bool {
	for _, r := range refs {
		if r != nil && r.Value != nil && (r.Ref != "" || !isConstraintOnly(r.Value)) {
			return false
		}
	}
	return true
}

// checkRefCycles reports components that are only $refs going round in a
// circle: they never reach a schema, so there is nothing to type.
func (g *typer) checkRefCycles(schemas openapi3.Schemas, keys []string) {
	const prefix = "#/components/schemas/"
	for _, k := range keys {
		chain := []string{k}
		cur := schemas[k]
		for cur != nil && strings.HasPrefix(cur.Ref, prefix) {
			next := strings.TrimPrefix(cur.Ref, prefix)
			if slices.Contains(chain, next) {
				if next == k {
					g.fail("components/schemas/"+k, fmt.Sprintf("schema %q is a $ref cycle that never reaches a schema: %s", k, strings.Join(append(chain, next), " -> ")))
				}
				break
			}
			chain = append(chain, next)
			cur = schemas[next]
		}
	}
}

func (g *typer) build(s *openapi3.Schema, hint, source string) *model.Type {
	if ref, ok := s.Extensions[load.UnresolvedKey]; ok {
		// Lenient mode's stand-in for a schema a $ref did not lead to.
		g.note("schemas a $ref did not lead to (lenient), typed as raw JSON (json.RawMessage)", source, "$ref "+load.QuoteText(fmt.Sprint(ref)))
		return g.defined(model.TRaw, hint, source, s)
	}
	if s.Type != nil && len(*s.Type) == 0 {
		g.fail(source, "type: [] allows no value at all: list at least one type, or leave type out")
	}
	// Alternatives first: they decide the shape.
	if alts := nonNull(s.OneOf); len(s.OneOf) > 0 && !allConstraintOnly(s.OneOf) {
		return g.alternatives(s, alts, false, hint, source)
	}
	if alts := nonNull(s.AnyOf); len(s.AnyOf) > 0 && !allConstraintOnly(s.AnyOf) {
		return g.alternatives(s, alts, true, hint, source)
	}
	if len(s.AllOf) > 0 {
		return g.allOf(s, hint, source)
	}
	if len(s.Enum) > 0 {
		return g.enum(s, hint, source)
	}
	ts := types(s)
	if len(ts) > 1 {
		return g.multiType(s, ts, hint, source)
	}
	typ := ""
	if len(ts) == 1 {
		typ = ts[0]
	} else if len(s.Properties) > 0 || s.AdditionalProperties.Schema != nil || s.AdditionalProperties.Has != nil {
		typ = "object"
	} else if s.Items != nil {
		typ = "array"
	}
	switch typ {
	case "string":
		return g.defined(stringType(s), hint, source, s)
	case "integer":
		return g.defined(integerType(s), hint, source, s)
	case "number":
		if s.Format == "float" {
			return g.defined(model.TFloat32, hint, source, s)
		}
		return g.defined(model.TFloat64, hint, source, s)
	case "boolean":
		return g.defined(model.TBool, hint, source, s)
	case "array":
		return g.array(s, hint, source)
	case "object":
		return g.object(s, hint, source)
	}
	if s.Const != nil {
		return g.defined(constType(s.Const), hint, source, s)
	}
	return g.defined(model.TAny, hint, source, s)
}

// defined wraps a primitive in a named type when the schema is a component, so
// that users find the spec's names; inline primitives stay plain.
func (g *typer) defined(t *model.Type, hint, source string, s *openapi3.Schema) *model.Type {
	if !isComponent(source) || hint == "" {
		return t
	}
	if d, ok := g.pending[s]; ok && d.Kind == model.DeclDefined {
		if namesOnly(t, d) {
			// The schema is nothing but itself (allOf: [$ref: itself]), maybe
			// through other schemas that are nothing but it (A is allOf [B], B
			// is oneOf [A]): it accepts anything. Go has no type for it
			// (type A B; type B A is refused).
			g.note("schemas that only refer to themselves, typed as any", source, "")
			t = model.TAny
		}
		d.Underlying = t // the placeholder a recursive reference made
		d.Alias = needsAlias(t)
		return model.Named(d)
	}
	d := g.declare(hint, model.DeclDefined, source, s)
	d.Underlying = t
	d.Alias = needsAlias(t)
	return model.Named(d)
}

// namesOnly reports whether t, followed through declared types that are only
// other names (type A B, type A = B), comes back to d.
func namesOnly(t *model.Type, d *model.Decl) bool {
	seen := map[*model.Decl]bool{}
	for t.Kind == model.KindNamed && t.Decl.Kind == model.DeclDefined && !seen[t.Decl] {
		if t.Decl == d {
			return true
		}
		seen[t.Decl] = true
		t = t.Decl.Underlying
	}
	return false
}

// needsAlias reports whether a component over t must be an alias (type X = T)
// rather than a defined type: a defined type drops T's methods, and with them
// the JSON encoding of time.Time, runtime.Date, unions and structs with
// additional properties.
func needsAlias(t *model.Type) bool {
	return t.Kind == model.KindNamed || t.Kind == model.KindExternal || t.Kind == model.KindNullable
}

func stringType(s *openapi3.Schema) *model.Type {
	switch s.Format {
	case "date-time":
		return model.TTime
	case "date":
		return model.TDate
	case "byte":
		return model.TBytes
	}
	return model.TString
}

func integerType(s *openapi3.Schema) *model.Type {
	switch s.Format {
	case "int32":
		return model.TInt32
	case "int64":
		return model.TInt64
	}
	// Bounds that do not fit 32 bits, or none at all, still fit int on 64-bit
	// platforms; int64 is chosen when the spec says the values are large.
	if (s.Max != nil && *s.Max > math.MaxInt32) || (s.Min != nil && *s.Min < math.MinInt32) {
		return model.TInt64
	}
	return model.TInt
}

func constType(v any) *model.Type {
	switch v.(type) {
	case string:
		return model.TString
	case bool:
		return model.TBool
	case float64:
		if f := v.(float64); f == math.Trunc(f) && math.Abs(f) < math.MaxInt64 {
			return model.TInt64
		}
		return model.TFloat64
	}
	return model.TAny
}

// declare claims a name and registers a declaration. Its body is filled by the
// caller; until then recursive references resolve to it through pending.
func (g *typer) declare(hint string, kind model.DeclKind, source string, s *openapi3.Schema) *model.Decl {
	var name string
	var parts []string
	if r, ok := g.reserved[s]; ok && s != nil {
		name = r
		delete(g.reserved, s)
		parts = []string{name}
	} else {
		name = hint
		if !goname.IsExported(hint) {
			// A name from the spec; names composed of Go names are kept as they are.
			name = goname.ExportedName(hint)
		}
		if name == "" {
			name = "Type"
		}
		if name == hint {
			parts = g.nameParts(hint)
			name = g.shortName(parts)
		} else {
			parts = []string{name}
		}
		name = g.ns.Claim(name)
	}
	d := &model.Decl{Name: name, Kind: kind, Source: sourceAt(source, isComponent(source)), Parts: parts}
	g.stack = append(g.stack, d)
	if s != nil {
		d.Doc = schemaDoc(s)
		d.Deprecated = s.Deprecated
		g.pending[s] = d
	}
	g.decls = append(g.decls, d)
	return d
}

func schemaDoc(s *openapi3.Schema) string {
	if s.Description != "" {
		return s.Description
	}
	return s.Title
}

func (g *typer) array(s *openapi3.Schema, hint, source string) *model.Type {
	var elem *model.Type
	switch {
	case s.Items != nil:
		elem = g.typeOf(s.Items, hint+"Item", source+"/items")
		if s.Items.Value != nil && nullable(s.Items.Value) && !elem.Nilable() {
			elem = model.PointerTo(elem)
		}
	case len(s.PrefixItems) > 0:
		elem = g.tupleElem(s.PrefixItems, hint, source)
	default:
		elem = model.TAny
	}
	return g.defined(model.SliceOf(elem), hint, source, s)
}

// tupleElem types the items of a tuple (prefixItems, or array-valued items in
// older documents): their common type when they share one, any otherwise.
func (g *typer) tupleElem(items openapi3.SchemaRefs, hint, source string) *model.Type {
	var first *model.Type
	same := true
	for i, it := range items {
		t := g.typeOf(it, fmt.Sprintf("%sItem%d", hint, i), fmt.Sprintf("%s/prefixItems/%d", source, i))
		if first == nil {
			first = t
		} else if !sameType(first, t) {
			same = false
		}
	}
	if same && first != nil {
		return first
	}
	g.note("tuples with items of different types, typed as []any", source, "")
	return model.TAny
}

func sameType(a, b *model.Type) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || a.Kind != b.Kind || a.Name != b.Name || a.Pkg != b.Pkg {
		return false
	}
	if a.Elem != nil || b.Elem != nil {
		return sameType(a.Elem, b.Elem)
	}
	return a.Decl == b.Decl
}

func (g *typer) object(s *openapi3.Schema, hint, source string) *model.Type {
	var additional *model.Type
	ap := s.AdditionalProperties
	switch {
	case ap.Schema != nil:
		additional = g.typeOf(ap.Schema, hint+"Value", source+"/additionalProperties")
		if ap.Schema.Value != nil && nullable(ap.Schema.Value) && !additional.Nilable() {
			additional = model.PointerTo(additional)
		}
	case ap.Has != nil && *ap.Has:
		additional = model.TAny
	}
	if len(s.Properties) == 0 {
		if additional == nil {
			if ap.Has != nil && !*ap.Has {
				d := g.declare(hint, model.DeclStruct, source, s) // an object that admits nothing
				return model.Named(d)
			}
			additional = model.TAny
		}
		return g.defined(model.MapOf(additional), hint, source, s)
	}
	d := g.declare(hint, model.DeclStruct, source, s)
	d.Additional = additional
	g.fields(d, s.Properties, s.Required, source)
	return model.Named(d)
}

// fields fills a struct's fields from properties, in name order.
func (g *typer) fields(d *model.Decl, props openapi3.Schemas, required []string, source string) {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if odd, quoted := goname.Untaggable(keys); len(odd) > 0 {
		// See json_names.go: kept in AdditionalProperties under their names.
		detail := quoted
		if d.Additional != nil && d.Additional != model.TAny {
			detail += "; AdditionalProperties was typed " + d.Additional.Expr()
		}
		d.Additional = model.TAny
		g.note("properties whose names encoding/json cannot carry in a struct tag, kept in AdditionalProperties (map[string]any)", source, detail)
		keys = slices.DeleteFunc(keys, func(k string) bool { return slices.Contains(odd, k) })
	}
	fns := goname.NewNamespace("MarshalJSON", "UnmarshalJSON")
	if d.Additional != nil {
		fns.Claim("AdditionalProperties")
	}
	for _, k := range keys {
		pr := props[k]
		if pr == nil || pr.Value == nil {
			continue
		}
		ps := pr.Value
		f := &model.Field{JSONName: k, Doc: schemaDoc(ps), Deprecated: ps.Deprecated, ReadOnly: ps.ReadOnly, WriteOnly: ps.WriteOnly}
		f.Name = fns.Claim(goname.ValueName(k))
		f.Format, f.Default = fieldFacts(ps)
		f.Required = slices.Contains(required, k) && !ps.ReadOnly && !ps.WriteOnly
		// Optional when sent, but the service must send it: response
		// validation checks it (tag tpgen:"required").
		f.RequiredReceived = slices.Contains(required, k) && ps.ReadOnly && !ps.WriteOnly
		f.Nullable = nullable(ps)
		t := g.typeOf(pr, d.Name+f.Name, source+"/properties/"+k)
		f.Type = g.fieldType(t, f.Required, f.Nullable)
		switch {
		case f.Type.Kind == model.KindNullable:
			f.OmitZero = true
		case !f.Required:
			f.OmitEmpty = true
		}
		d.Fields = append(d.Fields, f)
	}
}

// fieldType wraps t so that absent, null and zero are told apart where the
// schema makes them differ:
//
//	required               T        (structs: T, or *T on a circle of required structs; see requiredValues)
//	optional               *T       (T when nil already means absent)
//	required, nullable     *T       (T when nilable)
//	optional, nullable     NullableT (see DeclNullable; *T for structs: null and absent both nil)
func (g *typer) fieldType(t *model.Type, required, isNullable bool) *model.Type {
	switch {
	case t.IsStruct(), t.Kind == model.KindNamed && t.Decl.Placeholder:
		// A struct may still be being built, and a placeholder is a schema
		// still being built, either of which may turn out to hold this
		// field's struct: a pointer keeps the type finite until
		// requiredValues, once every type is known, makes required ones
		// values where no circle needs the pointer.
		return model.PointerTo(t)
	case t.Kind == model.KindBuiltin && t.Name == "any":
		return t
	case !isNullable && required:
		return t
	case !isNullable:
		if t.Nilable() {
			return t
		}
		return model.PointerTo(t)
	case required:
		if t.Nilable() {
			return t
		}
		return model.PointerTo(t)
	default:
		return g.nullableOf(t)
	}
}

// nullableOf is the nullable type holding t, declared the first time it is
// needed. Its name is given by nameNullables, once every other type has its
// own, so that no schema's name depends on it.
func (g *typer) nullableOf(t *model.Type) *model.Type {
	key := typeKey(t)
	d := g.nullables[key]
	if d == nil {
		d = &model.Decl{Kind: model.DeclNullable, Underlying: t}
		g.nullables[key] = d
		g.decls = append(g.decls, d)
	}
	return &model.Type{Kind: model.KindNullable, Elem: t, Decl: d}
}

// typeKey identifies a type by structure, and declared types by identity
// (their names may still change).
func typeKey(t *model.Type) string {
	switch t.Kind {
	case model.KindNamed, model.KindNullable:
		return fmt.Sprintf("decl %p", t.Decl)
	case model.KindExternal:
		return t.Pkg + "." + t.Name
	case model.KindSlice:
		return "[]" + typeKey(t.Elem)
	case model.KindMap:
		return "map[string]" + typeKey(t.Elem)
	case model.KindPointer:
		return "*" + typeKey(t.Elem)
	}
	return t.Name
}

// nameNullables names the nullable types after their value types
// (NullableString, NullableTime, NullablePetList; see variantName), in the order they were
// met, with their constructors (NewNullableString, NullNullableString): a
// name is taken only when the constructors' names are free too, so that the
// three always go together. It runs last: names taken by then go to the schemas.
func (g *typer) nameNullables() {
	for _, d := range g.decls {
		if d.Kind != model.DeclNullable {
			continue
		}
		base := "Nullable" + variantName(d.Underlying, 0)
		name := base
		for i := 2; g.ns.Has(name) || g.ns.Has("New"+name) || g.ns.Has("Null"+name); i++ {
			name = base + strconv.Itoa(i)
		}
		d.Name, d.NewFunc, d.NullFunc = g.ns.Claim(name), g.ns.Claim("New"+name), g.ns.Claim("Null"+name)
		d.Role = model.RoleNullable
	}
}

// allOf merges the members' properties into one struct. A lone member with
// nothing beside it is that member's type.
func (g *typer) allOf(s *openapi3.Schema, hint, source string) *model.Type {
	members := nonNull(s.AllOf)
	if len(members) == 1 && len(s.Properties) == 0 && len(types(s)) == 0 && s.AdditionalProperties.Schema == nil {
		t := g.typeOf(members[0], hint, source+"/allOf/0")
		if isComponent(source) {
			return g.defined(t, hint, source, s)
		}
		return t
	}
	props := openapi3.Schemas{}
	var required []string
	var additional *openapi3.SchemaRef
	objects := 0
	var other *openapi3.SchemaRef
	// Each member schema is merged once: merging one again adds nothing, and
	// a schema that is (through $ref) among its own allOf members, several
	// times over, would otherwise be walked an exponential number of times.
	seen := map[*openapi3.Schema]bool{}
	var visit func(sc *openapi3.Schema, depth int)
	visit = func(sc *openapi3.Schema, depth int) {
		if depth > 32 || seen[sc] {
			return
		}
		seen[sc] = true
		for _, m := range sc.AllOf {
			if m != nil && m.Value != nil {
				visit(m.Value, depth+1)
			}
		}
		if len(sc.Properties) > 0 || (len(types(sc)) == 1 && types(sc)[0] == "object") {
			objects++
		}
		for k, v := range sc.Properties {
			if old, ok := props[k]; ok {
				var conflict string
				if v, conflict = mergeAllOfProperty(old, v); conflict != "" {
					g.note(allOfConflict, source+"/properties/"+k, conflict)
				}
			}
			props[k] = v
		}
		required = append(required, sc.Required...)
		if sc.AdditionalProperties.Schema != nil {
			additional = sc.AdditionalProperties.Schema
		}
		if depth > 0 && len(sc.Properties) == 0 && len(sc.AllOf) == 0 && (len(types(sc)) > 0 && types(sc)[0] != "object" || len(sc.OneOf) > 0 || len(sc.AnyOf) > 0 || sc.Items != nil) && other == nil {
			other = &openapi3.SchemaRef{Value: sc}
		}
	}
	visit(s, 0)
	if objects == 0 && other != nil {
		// allOf of non-objects (a string with extra constraints, a union): the first shape.
		return g.defined(g.typeOf(other, hint, source+"/allOf"), hint, source, s)
	}
	if other != nil && (len(other.Value.OneOf) > 0 || len(other.Value.AnyOf) > 0) {
		g.note("allOf members with oneOf or anyOf: only the members' common properties are typed", source, "")
	}
	merged := &openapi3.Schema{Properties: props, Required: required, Description: s.Description, Title: s.Title, Deprecated: s.Deprecated}
	merged.AdditionalProperties.Schema = additional
	d := g.declare(hint, model.DeclStruct, source, s)
	if additional != nil {
		d.Additional = g.typeOf(additional, hint+"Value", source+"/additionalProperties")
	}
	if len(props) == 0 && additional == nil {
		d.Additional = model.TAny // members without properties: keep whatever comes
	}
	g.fields(d, props, required, source)
	return model.Named(d)
}

// enum declares a named type with a constant per value. Values outside the
// list still decode: the type is the plain string (or number) underneath.
func (g *typer) enum(s *openapi3.Schema, hint, source string) *model.Type {
	base := enumBase(s)
	if base != nil && base != model.TString {
		fit, exact, why := numericEnum(s.Enum, base)
		if why != "" {
			g.note("numeric enums typed loosely", source, why)
		}
		if !exact {
			return g.defined(fit, hint, source, s)
		}
		base = fit
	}
	if base == nil {
		// Booleans, mixed or odd enums: the schema's plain type.
		cp := *s
		cp.Enum = nil
		if r, ok := g.reserved[s]; ok {
			g.reserved[&cp] = r // the copy is the component: it keeps its name
			delete(g.reserved, s)
		}
		return g.build(&cp, hint, source)
	}
	values := enumValues(s.Enum, base)
	// Inline enums with the same values share one type: big specs repeat
	// them by the hundred (GitHub's app permissions are read/write 722 times),
	// and every type costs compile time. See nameSharedEnums.
	_, isComp := g.reserved[s]
	shareKey := ""
	if !isComponent(source) && !isComp {
		shareKey = enumShareKey(base, values)
		if se, ok := g.sharedEnums[shareKey]; ok {
			se.uses++
			return model.Named(se.decl)
		}
	}
	d := g.declare(hint, model.DeclEnum, source, s)
	d.EnumBase = base
	if shareKey != "" {
		g.sharedEnums[shareKey] = &sharedEnum{decl: d, uses: 1}
		g.sharedOrder = append(g.sharedOrder, shareKey)
	}
	for _, v := range values {
		d.EnumValues = append(d.EnumValues, &model.EnumValue{Name: g.ns.Claim(d.Name + goname.SuffixName(v.label)), Value: v.val, Label: v.label})
	}
	return model.Named(d)
}

// enumBase is the Go type of an enum's constants by what its values are
// (strings, integers, numbers) and the schema's type; nil when the values
// are booleans, mixed or odd, or disagree with the type: those take the
// schema's plain type. Enumerated dates stay strings.
func enumBase(s *openapi3.Schema) *model.Type {
	kinds := map[string]bool{}
	for _, v := range s.Enum {
		switch v.(type) {
		case string:
			kinds["string"] = true
		case float64, int, int64:
			kinds["number"] = true
		case bool:
			kinds["bool"] = true
		case nil:
		default:
			kinds["other"] = true
		}
	}
	ts := types(s)
	switch {
	case len(kinds) == 1 && kinds["string"]:
		if len(ts) == 1 && ts[0] != "string" {
			return nil
		}
		return model.TString
	case len(kinds) == 1 && kinds["number"] && len(ts) == 1 && ts[0] == "integer":
		return integerType(s)
	case len(kinds) == 1 && kinds["number"] && len(ts) <= 1:
		allInts := true
		for _, v := range s.Enum {
			if f, ok := v.(float64); ok && f != math.Trunc(f) {
				allInts = false
			}
		}
		if allInts && (len(ts) == 0 || ts[0] == "integer") {
			return model.TInt
		}
		return model.TFloat64
	}
	return nil
}

// enumValue is one value of an enum as its constant holds it, and as text
// for its name.
type enumValue struct {
	val   any
	label string
}

// enumValues are an enum's values as constants of base, without null,
// each once, in the spec's order.
func enumValues(enum []any, base *model.Type) []enumValue {
	var values []enumValue
	seen := map[string]bool{}
	for _, v := range enum {
		if v == nil {
			continue
		}
		var val any
		var label string
		switch x := v.(type) {
		case string:
			val, label = x, x
		case float64:
			if base == model.TFloat64 {
				val, label = x, fmt.Sprint(x)
			} else {
				val, label = int64(x), fmt.Sprint(int64(x))
			}
		default:
			val, label = x, fmt.Sprint(x)
		}
		key := fmt.Sprintf("%T:%v", val, val)
		if seen[key] {
			continue
		}
		seen[key] = true
		values = append(values, enumValue{val, label})
	}
	return values
}

// enumShareKey identifies an inline enum by its type and its values, in
// any order, for sharing one declaration between equal ones.
func enumShareKey(base *model.Type, values []enumValue) string {
	keys := make([]string, len(values))
	for i, v := range values {
		keys[i] = fmt.Sprintf("%T:%v", v.val, v.val)
	}
	sort.Strings(keys)
	return base.Expr() + "|" + strings.Join(keys, "|")
}

// multiType handles 3.1 type lists such as [string, integer].
func (g *typer) multiType(s *openapi3.Schema, ts []string, hint, source string) *model.Type {
	var alts openapi3.SchemaRefs
	for _, t := range ts {
		cp := *s
		cp.Type = &openapi3.Types{t}
		cp.Description = ""
		alts = append(alts, &openapi3.SchemaRef{Value: &cp})
	}
	return g.alternatives(s, alts, true, hint, source)
}

// alternatives types oneOf/anyOf. One alternative is that alternative; string
// alternatives that are all strings are a string; anything else is a union: the
// raw JSON with typed accessors per variant.
func (g *typer) alternatives(s *openapi3.Schema, alts openapi3.SchemaRefs, anyOf bool, hint, source string) *model.Type {
	kw := "oneOf"
	if anyOf {
		kw = "anyOf"
	}
	if len(alts) == 0 {
		return g.defined(model.TAny, hint, source, s)
	}
	if len(alts) == 1 && len(s.Properties) == 0 {
		t := g.typeOf(alts[0], hint, source+"/"+kw+"/0")
		if isComponent(source) && alts[0].Ref != "" {
			return g.defined(t, hint, source, s)
		}
		return t
	}
	allStrings := true
	for _, a := range alts {
		v := a.Value
		if !(len(types(v)) == 1 && types(v)[0] == "string" && v.Format == "" && len(v.Properties) == 0) || a.Ref != "" {
			allStrings = false
		}
	}
	if allStrings {
		return g.defined(model.TString, hint, source, s)
	}
	d := g.declare(hint, model.DeclUnion, source, s)
	d.AnyOf = anyOf
	if s.Discriminator != nil {
		d.Discriminator = s.Discriminator.PropertyName
	}
	vns := goname.NewNamespace("Raw", "MarshalJSON", "UnmarshalJSON", "Discriminator", "ValueByDiscriminator")
	for i, a := range alts {
		t := g.typeOf(a, fmt.Sprintf("%s%d", d.Name, i), fmt.Sprintf("%s/%s/%d", source, kw, i))
		d.Variants = append(d.Variants, &model.Variant{Type: t, Name: vns.Claim(variantName(t, i))})
	}
	if d.Discriminator != "" {
		values, why := discriminatorDispatch(s.Discriminator, alts, d.Variants)
		if why != "" {
			g.note("discriminators that cannot select a variant: the union has As methods but no ValueByDiscriminator", source, fmt.Sprintf("%q: %s", d.Discriminator, why))
			d.Discriminator = ""
		} else {
			for i, v := range d.Variants {
				v.Discriminators = values[i]
			}
		}
	}
	if len(s.Properties) > 0 {
		g.note("properties beside oneOf or anyOf, not typed: the union keeps them in its raw JSON", source, kw)
	}
	names := make([]string, len(d.Variants))
	for i, v := range d.Variants {
		names[i] = v.Name
	}
	detail := fmt.Sprintf("%s (%s: %s)", d.Name, kw, strings.Join(names, ", "))
	if d.Discriminator != "" {
		detail += fmt.Sprintf(", selected by %q", d.Discriminator)
	}
	g.addNote(model.Note{Group: "unions kept as raw JSON with typed accessors (As and From methods)", Place: source, Detail: detail, Decl: d})
	return model.Named(d)
}

// variantName names a type for the names derived from it: union accessors
// (AsPet, AsStringList) and nullable types (NullableTime). i numbers a
// variant of no nameable kind.
func variantName(t *model.Type, i int) string {
	switch t.Kind {
	case model.KindNamed:
		return t.Decl.Name // the declaration's name: it may be renamed after t was made
	case model.KindBuiltin:
		return goname.ExportedName(t.Name)
	case model.KindExternal:
		return goname.ExportedName(t.Name)
	case model.KindSlice:
		if t.Elem.Kind == model.KindBuiltin && t.Elem.Name == "byte" {
			return "Bytes"
		}
		return variantName(t.Elem, i) + "List"
	case model.KindMap:
		return variantName(t.Elem, i) + "Map"
	case model.KindPointer, model.KindNullable:
		return variantName(t.Elem, i)
	}
	return fmt.Sprintf("Variant%d", i)
}

// sharedEnum is an inline enum type and how many schemas use it.
type sharedEnum struct {
	decl *model.Decl
	uses int
}

// nameSharedEnums renames the inline enums that several schemas share after
// their values when those are few and short (read, write: ReadWrite), since
// the name of the first schema that used one would mislead at the others.
// Types used once keep their name. It runs after every schema was typed;
// references follow the Decl, so renaming is safe.
func (g *typer) nameSharedEnums() {
	for _, key := range g.sharedOrder {
		se := g.sharedEnums[key]
		if se.uses < 2 {
			continue
		}
		d := se.decl
		var b strings.Builder
		for _, v := range d.EnumValues {
			b.WriteString(goname.SuffixName(v.Label))
		}
		d.Source, d.Role, d.SharedBy = model.Source{}, model.RoleSharedEnum, se.uses
		if n := b.String(); len(d.EnumValues) >= 2 && len(d.EnumValues) <= 3 && len(n) <= 30 && token.IsIdentifier(n) && !g.ns.Has(n) {
			d.Name = g.ns.Claim(n)
			for _, v := range d.EnumValues {
				v.Name = g.ns.Claim(d.Name + goname.SuffixName(v.Label))
			}
		}
	}
}
