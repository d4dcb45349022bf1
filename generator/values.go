package generator

import "github.com/tpgen/tpgen/generator/internal/model"

// Required objects are values: a property the spec requires and does not let
// be null is always there, so a pointer would only make callers nil-check
// what the spec guarantees (Total *Money for a required total). While the
// typer builds a struct, the struct a field holds may itself still be under
// construction (a recursion), so fieldType gives such fields a pointer and
// requiredValues decides once every type is known.
//
// A struct cannot hold itself by value (its size would be infinite; Go
// refuses "invalid recursive type"), so a field stays a pointer where a chain
// of required objects leads from the struct it holds back to the struct it
// is in. The rule depends only on the types, not on the order they were met:
// every field of such a circle stays a pointer, and a circle that passes
// through a list, a map, an optional or a nullable property (all of which
// hold their element behind a reference) makes no field a pointer.

// requiredValues turns the pointer of every required, non-nullable struct
// field into the struct itself, except on circles of such fields.
func (g *typer) requiredValues() {
	type edge struct {
		f        *model.Field
		from, to *model.Decl
	}
	var edges []edge
	out := map[*model.Decl][]*model.Decl{} // struct -> structs it would hold by value
	for _, d := range g.decls {
		if d.Kind != model.DeclStruct {
			continue
		}
		for _, f := range d.Fields {
			if !f.Required || f.Nullable || f.Type.Kind != model.KindPointer || f.Type.Elem.Kind != model.KindNamed {
				continue
			}
			to := structDecl(f.Type.Elem)
			if to == nil {
				if f.Type.Elem.Decl.Placeholder {
					// A recursion that turned out not to be a struct (a list of
					// itself, any): a required value like any other.
					f.Type = f.Type.Elem
				}
				continue
			}
			edges = append(edges, edge{f, d, to})
			out[d] = append(out[d], to)
		}
	}
	comp := components(g.decls, out)
	for _, e := range edges {
		if comp[e.from] != comp[e.to] {
			e.f.Type = e.f.Type.Elem
		}
	}
}

// structDecl is the struct t names, through declared aliases (placeholders
// of a recursion included), or nil when t is no struct.
func structDecl(t *model.Type) *model.Decl {
	for range model.MaxNameChain {
		if t.Kind != model.KindNamed {
			return nil
		}
		switch {
		case t.Decl.Kind == model.DeclStruct:
			return t.Decl
		case t.Decl.Kind == model.DeclDefined && t.Decl.Alias:
			t = t.Decl.Underlying
		default:
			return nil
		}
	}
	return nil
}

// components numbers the strongly connected components of the graph out
// over nodes (Tarjan's algorithm, iterative so that a long chain of structs
// cannot exhaust the stack). A node on a circle shares its number with every
// node of the circle; a struct with an edge to itself is alone in its
// component but on a circle all the same, which the caller sees by comparing
// from and to.
func components(nodes []*model.Decl, out map[*model.Decl][]*model.Decl) map[*model.Decl]int {
	index := map[*model.Decl]int{}
	low := map[*model.Decl]int{}
	onStack := map[*model.Decl]bool{}
	comp := map[*model.Decl]int{}
	var stack []*model.Decl
	next, ncomp := 0, 0
	type frame struct {
		d *model.Decl
		i int // next edge of d to follow
	}
	for _, root := range nodes {
		if _, seen := index[root]; seen || len(out[root]) == 0 {
			continue
		}
		work := []frame{{d: root}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(work) > 0 {
			top := &work[len(work)-1]
			if top.i < len(out[top.d]) {
				w := out[top.d][top.i]
				top.i++
				if _, seen := index[w]; !seen {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					work = append(work, frame{d: w})
				} else if onStack[w] {
					low[top.d] = min(low[top.d], index[w])
				}
				continue
			}
			d := top.d
			work = work[:len(work)-1]
			if len(work) > 0 {
				parent := work[len(work)-1].d
				low[parent] = min(low[parent], low[d])
			}
			if low[d] == index[d] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = ncomp
					if w == d {
						break
					}
				}
				ncomp++
			}
		}
	}
	// Nodes without edges, and nodes only pointed at, are components of
	// their own: distinct numbers, so that no edge into them is on a circle.
	for _, d := range nodes {
		if _, ok := comp[d]; !ok {
			comp[d] = ncomp
			ncomp++
		}
	}
	return comp
}
