package generator

import (
	"fmt"
	"slices"
)

// What -v says about a spec: what tpgen typed loosely (a union kept as raw
// JSON with accessors, a tuple as []any), what it ignored (keys the object
// does not have) and what it chose (one media type of several). Big specs
// have hundreds of notes of a few kinds, so notes of one kind are grouped:
// a line that says what was done and how often, then one line per place.

// Note is one thing -v reports.
type Note struct {
	// Group says what tpgen did, in the same words for every note of the
	// kind: "union kept as raw JSON with typed accessors (As, From)".
	Group string
	// Place is where in the spec ("components/schemas/Pet", "POST /pets",
	// "spec.yaml:3:5"); "" for the spec as a whole.
	Place string
	// Detail is what is particular to the place, "" when nothing is.
	Detail string
	// decl is the type the note is about, when it is about one: a note of
	// a type that is not generated (models: used) is not given.
	decl *Decl
}

// notesOf keeps the notes that are about no type or about one of types.
func notesOf(notes []Note, types []*Decl) []Note {
	kept := make(map[*Decl]bool, len(types))
	for _, d := range types {
		kept[d] = true
	}
	return slices.DeleteFunc(notes, func(n Note) bool { return n.decl != nil && !kept[n.decl] })
}

// noteLines writes notes grouped, in the order each group was first met,
// each line prefixed with prefix: a group of one is one line, a larger one
// a line with its count and a line per note.
func noteLines(prefix string, notes []Note) []string {
	var order []string
	groups := map[string][]Note{}
	for _, n := range notes {
		if _, ok := groups[n.Group]; !ok {
			order = append(order, n.Group)
		}
		groups[n.Group] = append(groups[n.Group], n)
	}
	var out []string
	for _, g := range order {
		ns := unique(groups[g])
		if len(ns) == 1 {
			out = append(out, prefix+ns[0].line(true))
			continue
		}
		out = append(out, fmt.Sprintf("%s%s (%d):", prefix, g, len(ns)))
		for _, n := range ns {
			out = append(out, prefix+"  "+n.line(false))
		}
	}
	return out
}

// rewrite is n with f applied to its text.
func (n Note) rewrite(f func(string) string) Note {
	return Note{Group: f(n.Group), Place: f(n.Place), Detail: f(n.Detail), decl: n.decl}
}

// line writes a note alone (with its group) or under its group's line.
func (n Note) line(withGroup bool) string {
	s := n.Place
	if withGroup {
		s = join(s, n.Group)
	}
	return sanitize(join(s, n.Detail))
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ": " + b
}
