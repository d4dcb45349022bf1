package tpgenimpl

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/internal/quote"
)

// Response validation (runtime.WithResponseValidation) reads what to check
// from the Go type a body decodes into, so that generated code carries no
// table for it and a client that never validates pays nothing to compile:
//
//   - a struct field whose json tag has neither omitempty nor omitzero is a
//     required property (tpgen tags optional properties so that they are
//     left out when unset), and so is one tagged tpgen:"required" (a
//     read-only property the spec requires: optional when sent, required
//     when received);
//   - a type with an IsKnown() bool method is an enum;
//   - a generated nullable is looked into for its value's type;
//   - unions, raw JSON, times and dates are not looked into.
//
// The body is decoded a second time, into maps and lists, and walked beside
// the type.

// knower is what generated enum types implement.
type knower interface{ IsKnown() bool }

var (
	knowerType    = reflect.TypeFor[knower]()
	nullStateType = reflect.TypeFor[NullState]()
)

// checkBody returns the problems of body, the JSON of a value of type t.
func checkBody(body string, t reflect.Type) (problems []runtime.ResponseProblem, more int) {
	d := json.NewDecoder(strings.NewReader(body))
	d.UseNumber() // integer enum values stay exact
	var tree any
	if d.Decode(&tree) != nil {
		return nil, 0 // decoding into t succeeded already; a second failure says nothing new
	}
	c := &checker{}
	c.check(tree, t, &path{})
	return c.problems, c.more
}

type checker struct {
	problems []runtime.ResponseProblem
	more     int
}

func (c *checker) add(p *path, problem string) {
	if len(c.problems) == runtime.MaxResponseProblems {
		c.more++
		return
	}
	c.problems = append(c.problems, runtime.ResponseProblem{Path: p.String(), Problem: problem})
}

// check walks v, decoded JSON, beside t. The walk follows v, which
// encoding/json bounds in depth, so it ends however t recurs.
func (c *checker) check(v any, t reflect.Type, p *path) {
	for {
		if v == nil {
			return // null: not required to be anything here
		}
		switch {
		case t.Kind() == reflect.Pointer:
			t = t.Elem()
			continue
		case t.Implements(knowerType):
			c.enum(v, t, p)
			return
		}
		if vt, ok := nullableValue(t); ok {
			t = vt
			continue
		}
		break
	}
	switch t.Kind() {
	case reflect.Struct:
		if t.ConvertibleTo(timeType) || t.ConvertibleTo(dateType) {
			return
		}
		if obj, ok := v.(map[string]any); ok {
			c.object(obj, t, p)
		}
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok || t.Elem().Kind() == reflect.Uint8 {
			return // bytes, raw JSON, a union
		}
		for i, e := range list {
			p.push(step{index: i, isIndex: true})
			c.check(e, t.Elem(), p)
			p.pop()
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		for _, k := range sortedKeys(obj) {
			p.push(step{key: k})
			c.check(obj[k], t.Elem(), p)
			p.pop()
		}
	}
}

// enum checks that v is one of the values of t, an enum type.
func (c *checker) enum(v any, t reflect.Type, p *path) {
	ev := reflect.New(t).Elem()
	var shown string
	switch x := v.(type) {
	case string:
		if ev.Kind() != reflect.String {
			return
		}
		ev.SetString(x)
		shown = quoted(x)
	case json.Number:
		switch {
		case ev.CanInt():
			n, err := x.Int64()
			if err != nil || ev.OverflowInt(n) {
				return
			}
			ev.SetInt(n)
		case ev.CanFloat():
			f, err := x.Float64()
			if err != nil {
				return
			}
			ev.SetFloat(f)
		default:
			return
		}
		shown = quote.Truncate(x.String(), 64)
	default:
		return // a value of another kind did not decode into t
	}
	if !ev.Interface().(knower).IsKnown() {
		c.add(p, shown+" is not one of the values of "+t.Name()+" that the spec lists")
	}
}

// object checks the properties of obj against the struct t.
func (c *checker) object(obj map[string]any, t reflect.Type, p *path) {
	plan := planOf(t)
	for _, f := range plan.fields {
		v, ok := obj[f.name]
		p.push(step{key: f.name})
		switch {
		case ok:
			c.check(v, f.typ, p)
		case f.required:
			c.add(p, "required property is missing")
		}
		p.pop()
	}
	if plan.additional == nil {
		return
	}
	for _, k := range sortedKeys(obj) {
		if slices.ContainsFunc(plan.fields, func(f planField) bool { return f.name == k }) {
			continue
		}
		p.push(step{key: k})
		c.check(obj[k], plan.additional, p)
		p.pop()
	}
}

// nullableValue returns the value type of a generated nullable type.
func nullableValue(t reflect.Type) (reflect.Type, bool) {
	if t.Kind() != reflect.Struct || t.NumField() != 3 {
		return nil, false
	}
	if f := t.Field(2); f.Name != "state" || f.Type != nullStateType {
		return nil, false
	}
	return t.Field(1).Type, true
}

// structPlan is what a struct's tags say about its JSON properties.
type structPlan struct {
	fields     []planField
	additional reflect.Type // the element type of AdditionalProperties, nil without
}

type planField struct {
	name     string
	typ      reflect.Type
	required bool
}

// plans caches a plan per struct type: types are few and fixed per program.
var plans sync.Map // reflect.Type -> *structPlan

func planOf(t reflect.Type) *structPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*structPlan)
	}
	plan := &structPlan{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag, ok := sf.Tag.Lookup("json")
		if !ok {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if tag == "-" {
			if sf.Name == "AdditionalProperties" && sf.Type.Kind() == reflect.Map {
				plan.additional = sf.Type.Elem()
			}
			continue
		}
		if name == "" {
			name = sf.Name
		}
		optional := slices.Contains(strings.Split(opts, ","), "omitempty") || slices.Contains(strings.Split(opts, ","), "omitzero")
		plan.fields = append(plan.fields, planField{name: name, typ: sf.Type,
			required: !optional || sf.Tag.Get("tpgen") == "required"})
	}
	p, _ := plans.LoadOrStore(t, plan)
	return p.(*structPlan)
}

// path is the place in the body being checked.
type path struct{ steps []step }

type step struct {
	key     string
	index   int
	isIndex bool // a list item: index, not key
}

func (p *path) push(s step) { p.steps = append(p.steps, s) }
func (p *path) pop()        { p.steps = p.steps[:len(p.steps)-1] }

// String renders the path as $.lines[0].sku; keys that are no identifiers
// are quoted (["a b"]), cut short and escaped, so that no key a body chose
// can end the path or start a line.
func (p *path) String() string {
	var b strings.Builder
	b.WriteByte('$')
	for _, s := range p.steps {
		switch {
		case s.isIndex:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case isIdent(s.key):
			b.WriteString("." + s.key)
		default:
			b.WriteString("[" + quoted(s.key) + "]")
		}
	}
	return b.String()
}

// quoted is s, cut to 64 bytes, as a Go string literal: every control
// character, invisible or invalid byte escaped.
func quoted(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.QuoteToGraphic(s)
}

func isIdent(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
