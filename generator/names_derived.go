package generator

import (
	"strings"
)

// Types of schemas written inline, inside other schemas, are named after the
// chain of names that leads to them: the component or operation they are in
// (the root), then each property (PetOwnerAddress), list item (LinesItem) and
// variant (Payment0) on the way. In deep schemas the chain gets long (Stripe's
// reaches 139 characters), so a derived name longer than maxDerivedName
// characters leaves names out of the middle of its chain: it keeps the root
// and as many of the last names as fit in maxDerivedName, at least the last
// one (and the one before a variant's number). When another type has that
// name already, one more name of the chain is kept, and so on: the whole
// chain is the last resort, and no name is ever shorter than the longest
// that fits. Names are claimed in the order schemas are met, so the result
// is deterministic.

// maxDerivedName is the length above which a derived name is shortened.
const maxDerivedName = 40

// nameParts returns the chain of names of a type about to be declared with
// hint: that of the type being built that hint extends, with what hint
// adds, or hint alone.
func (g *typer) nameParts(hint string) []string {
	for i := len(g.stack) - 1; i >= 0; i-- {
		p := g.stack[i]
		if len(hint) > len(p.Name) && strings.HasPrefix(hint, p.Name) && len(p.Parts) > 0 {
			return append(p.Parts[:len(p.Parts):len(p.Parts)], hint[len(p.Name):])
		}
	}
	return []string{hint}
}

// shortName is the name for the chain parts (see above).
func (g *typer) shortName(parts []string) string {
	full := strings.Join(parts, "")
	if len(full) <= maxDerivedName || len(parts) < 3 {
		return full
	}
	least := 1 // how many of the last names are kept at least
	if isDigits(parts[len(parts)-1]) {
		least = 2 // a variant's number says nothing without its name
	}
	kept := func(k int) string { return parts[0] + strings.Join(parts[len(parts)-k:], "") }
	k := least
	for k+1 <= len(parts)-2 && len(kept(k+1)) <= maxDerivedName {
		k++
	}
	for ; k <= len(parts)-2; k++ {
		if n := kept(k); !g.ns.Has(n) {
			return n
		}
	}
	return full
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
