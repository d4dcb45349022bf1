package runtime

import (
	"fmt"
	"strings"
)

// Response validation: off by default, because a service that sends more
// than its spec promises (a value added to an enum since) is usually still
// right, and checking costs a second decoding of every body. Turned on with
// validate_responses in services.yaml, TPGEN_<SERVICE>_VALIDATE_RESPONSES or
// WithResponseValidation, a success body that lacks a property its schema
// requires, or holds an enum value the spec does not list, fails the call
// with an *InvalidResponseError.

// WithResponseValidation turns the validation of decoded success bodies on
// or off: required properties present, enum values known (see
// InvalidResponseError). It wins over services.yaml's validate_responses and
// TPGEN_<SERVICE>_VALIDATE_RESPONSES.
func WithResponseValidation(on bool) Option {
	return func(s *settings) { s.ValidateResponses = on; s.mark("VALIDATE_RESPONSES") }
}

// InvalidResponseError is a success body that decoded but does not match
// its schema, found when response validation is on: each problem names its
// place in the JSON. It reaches the caller wrapped in a *CallError; Body is
// what was decoded, for a caller that wants it anyway.
//
// What is checked: every property the schema requires is present (null
// counts as present), and every value of an enum type is one the spec lists
// (IsKnown). What is not: unions (kept as raw JSON) and what is inside them,
// formats, bounds and patterns, error bodies.
type InvalidResponseError struct {
	StatusCode int
	// Problems are in the order found, at most MaxResponseProblems; More
	// counts those beyond.
	Problems []ResponseProblem
	More     int
	// Body is the decoded body: a pointer to the method's result.
	Body any
}

// ResponseProblem is one way a response body differs from its schema.
type ResponseProblem struct {
	// Path is where in the body: $ for the whole, then .name for
	// properties (["name"] when the name is no identifier) and [i] for list
	// items: $.lines[0].sku.
	Path string
	// Problem says what is wrong there.
	Problem string
}

func (p ResponseProblem) String() string { return p.Path + ": " + p.Problem }

func (e *InvalidResponseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d response does not match the spec: ", e.StatusCode)
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, " (and %d more)", e.More)
	}
	return b.String()
}
