package goname

import (
	"strconv"
	"strings"
	"unicode"
)

// encoding/json reads a field's wire name from its struct tag, and not every
// property name survives that: "a,b" is the name a with an option b; a name
// with a quote, a backslash or a character that is neither a letter, a digit
// nor common punctuation (an emoji), and the empty name, make it fall back to
// the Go field's name. Either way the wire name would be silently wrong (and
// a property "a,omitempty" beside "a" makes go vet fail). Such properties are
// not struct fields: their struct keeps them, with any other properties, in
// AdditionalProperties, which its MarshalJSON and UnmarshalJSON write and
// read under the exact name, and -v notes them. The name "-", which a tag
// alone would mean "leave out", is written "-," (see genStruct).

// jsonTagSafe reports whether encoding/json reads name back from a struct
// tag as the wire name (its isValidTag, and no comma).
func jsonTagSafe(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// Untaggable returns the property names of props that jsonTagSafe refuses,
// quoted for a note.
func Untaggable(keys []string) (odd []string, quoted string) {
	var q []string
	for _, k := range keys {
		if !jsonTagSafe(k) {
			odd = append(odd, k)
			q = append(q, strconv.Quote(k))
		}
	}
	return odd, strings.Join(q, ", ")
}
