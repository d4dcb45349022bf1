package generator

import (
	"fmt"
	"slices"

	"github.com/tpgen/tpgen/generator/internal/load"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// What -v says about a spec: what tpgen typed loosely (a union kept as raw
// JSON with accessors, a tuple as []any), what it ignored (keys the object
// does not have) and what it chose (one media type of several). Big specs
// have hundreds of notes of a few kinds, so notes of one kind are grouped:
// a line that says what was done and how often, then one line per place.

// notesOf keeps the notes that are about no type or about one of types.
func notesOf(notes []model.Note, types []*model.Decl) []model.Note {
	kept := make(map[*model.Decl]bool, len(types))
	for _, d := range types {
		kept[d] = true
	}
	return slices.DeleteFunc(notes, func(n model.Note) bool { return n.Decl != nil && !kept[n.Decl] })
}

// noteLines writes notes grouped, in the order each group was first met,
// each line prefixed with prefix: a group of one is one line, a larger one
// a line with its count and a line per note.
func noteLines(prefix string, notes []model.Note) []string {
	var order []string
	groups := map[string][]model.Note{}
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
			out = append(out, prefix+noteLine(ns[0], true))
			continue
		}
		out = append(out, fmt.Sprintf("%s%s (%d):", prefix, g, len(ns)))
		for _, n := range ns {
			out = append(out, prefix+"  "+noteLine(n, false))
		}
	}
	return out
}

// rewriteNote is n with f applied to its text.
func rewriteNote(n model.Note, f func(string) string) model.Note {
	return model.Note{Group: f(n.Group), Place: f(n.Place), Detail: f(n.Detail), Decl: n.Decl}
}

// noteLine writes a note alone (with its group) or under its group's line.
func noteLine(n model.Note, withGroup bool) string {
	s := n.Place
	if withGroup {
		s = join(s, n.Group)
	}
	return load.Sanitize(join(s, n.Detail))
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
