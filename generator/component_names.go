package generator

import (
	"strings"

	"github.com/tpgen/tpgen/generator/internal/goname"
)

// Schemas written inline in a shared component (components/responses,
// requestBodies, parameters) are typed once for every operation that uses
// the component, so their types are named after the component rather than
// after the first operation met (GetMultipleAlbums401Error for a shared
// Unauthorized response in 90 operations).

// componentName is the name of the component a local $ref names in a
// section of components ("#/components/responses/NotFound": NotFound), ""
// for any other $ref.
func componentName(ref, section string) string {
	rest, ok := strings.CutPrefix(ref, "#/components/"+section+"/")
	if !ok || strings.Contains(rest, "/") {
		return ""
	}
	return strings.ReplaceAll(strings.ReplaceAll(rest, "~1", "/"), "~0", "~")
}

// componentHint names the type of a shared component's schema: the
// component's name, with suffix when a type has that name already (a schema
// called Problem beside a response called Problem: ProblemResponse); "" when
// the name has nothing to make a Go name of.
func (b *builder) componentHint(name, suffix string) string {
	n := goname.ExportedName(name)
	if n == "" {
		return ""
	}
	if b.types.Has(n) {
		n += suffix
	}
	return n
}
