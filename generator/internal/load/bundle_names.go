package load

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tpgen/tpgen/generator/internal/goname"
)

// Names of the objects from other files in the bundled document's
// components. They become the Go names of schemas, so they are the names a
// reader of the spec would look for, decided deterministically (in the order
// the targets are met) and never twice in a section:
//
//  1. the root component that is only a $ref to the target (see rootComponents);
//  2. the name its pointer ends in (#/components/schemas/Pet, #/definitions/Pet,
//     #/Pet: Pet);
//  3. its title, when that is a name of a few words;
//  4. its file's base name without the extension (models/pet-owner.yaml: PetOwner).
//
// A name taken already by another target is tried with the file's directory
// in front (models/v2/pet.yaml: V2Pet), and then numbered (Pet2, Pet3).

// maxTitleWords bounds the titles a target is named after: a title that is a
// sentence makes a poor Go name, and the file's name is the better one.
const maxTitleWords = 4

func (b *bundler) nameTarget(t *target) string {
	var candidates []string
	if n := pointerName(t.ptr); n != "" {
		candidates = append(candidates, n)
	}
	if t.kind == kSchema {
		if title := mappingValue(t.node, "title"); title != nil && len(goname.Words(title.Value)) <= maxTitleWords {
			candidates = append(candidates, goname.ExportedName(title.Value))
		}
	}
	base := filepath.Base(t.file.abs)
	candidates = append(candidates, goname.ExportedName(strings.TrimSuffix(base, filepath.Ext(base))))
	// The component's key is the Go name the typer makes of it (exportedName).
	claim := func(key string) bool {
		n := goname.ExportedName(key)
		if n == "" || b.taken[t.section][n] {
			return false
		}
		b.take(t.section, n)
		return true
	}
	for _, c := range candidates {
		if claim(c) {
			return c
		}
	}
	first := "Schema"
	for _, c := range slices.Backward(candidates) {
		if c != "" {
			first = c
		}
	}
	if dir := goname.ExportedName(filepath.Base(filepath.Dir(t.file.abs))); dir != "" && claim(dir+"_"+first) {
		return dir + "_" + first
	}
	for i := 2; ; i++ {
		if n := first + strconv.Itoa(i); claim(n) {
			return n
		}
	}
}

// pointerName is the name a pointer gives its target: the key it ends in
// when that key names an object (its parent is a map of named objects, or it
// is a top-level key of its file), or the names along the way for a pointer
// into an object (#/Pet/properties/owner: PetOwner); "" for the whole file.
func pointerName(ptr []string) string {
	if len(ptr) == 0 {
		return ""
	}
	last := ptr[len(ptr)-1]
	if len(ptr) == 1 || namedMaps[ptr[len(ptr)-2]] {
		return goname.ExportedName(last)
	}
	var parts []string
	for _, s := range ptr {
		if !containerKeys[s] && !namedMaps[s] {
			if _, err := strconv.Atoi(s); err != nil {
				parts = append(parts, s)
			}
		}
	}
	return goname.ExportedName(strings.Join(parts, " "))
}
