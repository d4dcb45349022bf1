package generator

import (
	"encoding/json"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxDefaultLen bounds the default a field's doc shows: a longer one (a
// whole example object) says more in the spec than in a comment.
const maxDefaultLen = 80

// fieldFacts are what a property's schema says that its field's Go type
// does not: its format, unless the type shows it (time.Time for date-time,
// int64 for int64...), and its default as JSON.
func fieldFacts(s *openapi3.Schema) (format, def string) {
	switch s.Format {
	case "", "date-time", "date", "byte", "int32", "int64", "float", "double":
	default:
		format = s.Format
	}
	if s.Default != nil {
		if b, err := json.Marshal(s.Default); err == nil && len(b) <= maxDefaultLen {
			def = string(b)
		}
	}
	return format, def
}
