package generator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// allOfConflict is the -v note of a property that allOf members give types
// no value has at once.
const allOfConflict = "allOf members give a property types no value has at once (string and integer, say): typed loosely"

// mergeAllOfProperty merges what two allOf members say of one property: a
// value must meet both. Where both state types, the types must meet: the
// same, or integer within number (integer); types that do not meet leave
// the property loosely typed, and conflict says what they were. Otherwise
// the later member's schema stands, as before, writable when either is.
func mergeAllOfProperty(old, v *openapi3.SchemaRef) (merged *openapi3.SchemaRef, conflict string) {
	if old == nil || old.Value == nil || v == nil || v.Value == nil {
		return v, ""
	}
	if old.Value.ReadOnly != v.Value.ReadOnly {
		// Conflicting readOnly: the property is writable somewhere, so it is sent.
		cp := *v.Value
		cp.ReadOnly = false
		v = &openapi3.SchemaRef{Value: &cp}
	}
	to, tv := types(old.Value), types(v.Value)
	if len(to) == 0 || len(tv) == 0 || slices.Equal(slices.Sorted(slices.Values(to)), slices.Sorted(slices.Values(tv))) {
		return v, ""
	}
	if len(to) == 1 && len(tv) == 1 {
		switch {
		case to[0] == "integer" && tv[0] == "number":
			return old, ""
		case to[0] == "number" && tv[0] == "integer":
			return v, ""
		}
	}
	loose := &openapi3.Schema{Description: v.Value.Description, Deprecated: old.Value.Deprecated || v.Value.Deprecated}
	if old.Value.Description != "" && loose.Description == "" {
		loose.Description = old.Value.Description
	}
	return &openapi3.SchemaRef{Value: loose}, fmt.Sprintf("%s and %s", strings.Join(to, "/"), strings.Join(tv, "/"))
}
