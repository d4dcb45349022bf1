package generator

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// Which values of a discriminator property select which variant of a union.
//
// A mapping says it outright. Without one (or for the variants it leaves
// out) the OpenAPI default is the variant's schema name, but APIs commonly pin
// the property in each variant instead (type: {enum: [search]}, or const:
// search, also inside an allOf member), and then the wire carries the pinned
// value. So: when every such variant pins the property, to values no other
// variant has, those values select it; otherwise the schema names do, when
// every variant has one and no pin contradicts it; otherwise nothing can be
// told apart by the property, and the union is kept without dispatch.

// discriminatorDispatch returns the values that select each alternative, or
// why no values can.
func discriminatorDispatch(disc *openapi3.Discriminator, alts openapi3.SchemaRefs, variants []*model.Variant) ([][]string, string) {
	values := make([][]string, len(alts))
	used := map[string]int{} // value -> the alternative it selects
	keys := make([]string, 0, len(disc.Mapping))
	for k := range disc.Mapping {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m := disc.Mapping[k]
		for i, a := range alts {
			if a.Ref != "" && (m.Ref == a.Ref || refName(m.Ref) == refName(a.Ref)) {
				if _, dup := used[k]; !dup { // a value selects one variant: the first
					used[k] = i
					values[i] = append(values[i], k)
				}
				break
			}
		}
	}
	var rest []int // the alternatives the mapping leaves out
	for i := range alts {
		if len(values[i]) == 0 {
			rest = append(rest, i)
		}
	}
	if len(rest) == 0 {
		return values, ""
	}
	pins := make([][]string, len(alts))
	allPinned, clash := true, ""
	pinned := map[string]int{}
	for _, i := range rest {
		pins[i] = pinnedValues(alts[i].Value, disc.PropertyName, 0)
		if len(pins[i]) == 0 {
			allPinned = false
		}
		for _, p := range pins[i] {
			if j, dup := pinned[p]; dup && clash == "" {
				clash = fmt.Sprintf("%s and %s both pin it to %q", variants[j].Name, variants[i].Name, p)
			} else if j, dup := used[p]; dup && clash == "" {
				clash = fmt.Sprintf("%s pins it to %q, which the mapping gives %s", variants[i].Name, p, variants[j].Name)
			}
			pinned[p] = i
		}
	}
	if allPinned && clash == "" {
		for _, i := range rest {
			values[i] = pins[i]
		}
		return values, ""
	}
	if clash != "" {
		return nil, clash
	}
	// Schema names, the default: only when every variant has one and no pin
	// says the wire carries something else.
	named := map[string]int{}
	for _, i := range rest {
		a := alts[i]
		if a.Ref == "" {
			return nil, fmt.Sprintf("%s has no schema name and does not pin the property", variants[i].Name)
		}
		name := refName(a.Ref)
		if len(pins[i]) > 0 && !slices.Contains(pins[i], name) {
			return nil, fmt.Sprintf("%s pins it to %s, not to its schema name %q, and %s", variants[i].Name, quoteAll(pins[i]), name, unpinned(rest, pins, variants))
		}
		if j, dup := named[name]; dup {
			return nil, fmt.Sprintf("%s and %s have the same schema name %q", variants[j].Name, variants[i].Name, name)
		}
		if j, dup := used[name]; dup {
			return nil, fmt.Sprintf("the schema name of %s, %q, is a mapping value of %s", variants[i].Name, name, variants[j].Name)
		}
		named[name] = i
	}
	for _, i := range rest {
		values[i] = []string{refName(alts[i].Ref)}
	}
	return values, ""
}

// unpinned says which variants do not pin the property.
func unpinned(rest []int, pins [][]string, variants []*model.Variant) string {
	var names []string
	for _, i := range rest {
		if len(pins[i]) == 0 {
			names = append(names, variants[i].Name)
		}
	}
	if len(names) == 1 {
		return names[0] + " does not pin it"
	}
	return strings.Join(names, ", ") + " do not pin it"
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// pinnedValues returns the values a schema allows its property prop, when
// they are a few strings: a const, or an enum, on the property itself, on
// what it refers to or on its allOf members, or on the schema's allOf members.
func pinnedValues(s *openapi3.Schema, prop string, depth int) []string {
	if s == nil || depth > 8 {
		return nil
	}
	if p := s.Properties[prop]; p != nil {
		if vs := allowedStrings(p.Value, 0); len(vs) > 0 {
			return vs
		}
	}
	for _, m := range s.AllOf {
		if m != nil {
			if vs := pinnedValues(m.Value, prop, depth+1); len(vs) > 0 {
				return vs
			}
		}
	}
	return nil
}

// allowedStrings is the strings a schema allows when it lists them (const or
// enum), directly or in an allOf member; nil when it does not, or allows
// anything else.
func allowedStrings(s *openapi3.Schema, depth int) []string {
	if s == nil || depth > 8 {
		return nil
	}
	if s.Const != nil {
		if v, ok := s.Const.(string); ok {
			return []string{v}
		}
		return nil
	}
	if len(s.Enum) > 0 {
		var out []string
		for _, e := range s.Enum {
			if e == nil {
				continue // nullable: null is not a variant's value
			}
			v, ok := e.(string)
			if !ok {
				return nil
			}
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	for _, m := range s.AllOf {
		if m != nil {
			if vs := allowedStrings(m.Value, depth+1); len(vs) > 0 {
				return vs
			}
		}
	}
	return nil
}
