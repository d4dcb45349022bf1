package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// SpecError is a problem with a spec, pointing at the file and, where it can
// be found, the line.
type SpecError struct {
	File      string
	Line, Col int
	Msg       string
}

// Error is the problem as a line: spec text in it (file names from $refs
// included) is escaped (see sanitize).
func (e *SpecError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return Sanitize(fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg))
	case e.Line > 0:
		return Sanitize(fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg))
	}
	return Sanitize(fmt.Sprintf("%s: %s", e.File, e.Msg))
}

// posError is a problem at a line and column of the document being read,
// which the loader turns into a SpecError with its file.
type posError struct {
	Line, Col int
	Msg       string
}

func (e *posError) Error() string { return e.Msg }

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// withPos turns a load error into a SpecError with the best position it carries.
func withPos(display string, data []byte, err error) error {
	se := &SpecError{File: display, Msg: cleanLoadError(err.Error())}
	var pe *posError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var ve *versionError
	var ext *openapi3.DisallowedExternalRefError
	switch {
	case errors.As(err, &pe):
		se.Line, se.Col, se.Msg = pe.Line, pe.Col, pe.Msg
	case errors.As(err, &ve):
		sp := &Spec{data: data}
		se.Line, se.Col = sp.locate(ve.key)
		se.Msg = ve.msg
	case errors.As(err, &ext):
		// Swagger 2.0 documents are converted in memory, references to other
		// files not followed.
		if off := bytes.Index(data, []byte(ext.Ref)); off >= 0 {
			se.Line, se.Col = offsetPos(data, int64(off))
		}
		se.Msg = fmt.Sprintf("$ref %s names another file: tpgen reads Swagger 2.0 documents as one file; convert the document to OpenAPI 3, or write the referenced definitions into it", strconv.Quote(ext.Ref))
	case refInError(err.Error()) != "":
		ref := refInError(err.Error())
		if off := bytes.Index(data, []byte(ref)); off >= 0 {
			se.Line, se.Col = offsetPos(data, int64(off))
		}
	case errors.As(err, &syn):
		se.Line, se.Col = offsetPos(data, jsonErrorOffset(syn))
	case errors.As(err, &typ):
		se.Line, se.Col = offsetPos(data, typ.Offset)
	default:
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			se.Line, _ = strconv.Atoi(m[1])
			// The YAML parser names the line after the last one for what it
			// missed at the end of the input: point at the last line.
			if last := lineCount(data); se.Line > last {
				se.Line = max(last, 1)
				se.Msg += " (at the end of the file)"
			}
		}
	}
	se.Msg = yamlPrefixRE.ReplaceAllString(se.Msg, "")
	return se
}

// yamlPrefixRE matches yaml.v3's own "yaml: line N:" prefixes, redundant
// beside the position.
var yamlPrefixRE = regexp.MustCompile(`^(yaml error: )?yaml: (construct errors: )?(line \d+: )?`)

// refRE finds the reference kin-openapi could not resolve in its error text.
var refRE = regexp.MustCompile(`(?:resolving reference|in URI:|bad data in) "([^"]+)"`)

func refInError(msg string) string {
	if m := refRE.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}

// cleanLoadError shortens kin-openapi's doubled JSON-then-YAML messages.
func cleanLoadError(msg string) string {
	msg = strings.TrimPrefix(msg, "failed to unmarshal data: ")
	if i := strings.Index(msg, ", yaml error: "); i > 0 && strings.HasPrefix(msg, "json error: ") {
		// The document is YAML when the JSON attempt failed at its first byte.
		if strings.Contains(msg[:i], "invalid character") {
			return "YAML: " + msg[i+len(", yaml error: "):]
		}
		return msg[len("json error: "):i]
	}
	return msg
}

// jsonErrorOffset is where a json.SyntaxError is: its Offset is past the
// byte at fault, except when the input ended too soon.
func jsonErrorOffset(syn *json.SyntaxError) int64 {
	if syn.Offset > 0 && syn.Error() != "unexpected end of JSON input" {
		return syn.Offset - 1
	}
	return syn.Offset
}

func offsetPos(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// locate finds the line and column of a JSON pointer-like path of keys in a
// spec (a number indexes a list), for messages about things kin-openapi does
// not keep positions of.
// It is only called on errors, so it parses the file again.
func (sp *Spec) locate(keys ...string) (int, int) {
	var root yaml.Node
	if yaml.Unmarshal(sp.data, &root) != nil || len(root.Content) == 0 {
		return 0, 0
	}
	return locateKeys(root.Content[0], keys)
}

// locateKeys is the position of the deepest of keys (mapping keys and list
// indexes) that n has: of the key in a mapping, of the item in a list.
func locateKeys(n *yaml.Node, keys []string) (int, int) {
	line, col := 0, 0
	for _, k := range keys {
		if n.Kind == yaml.MappingNode {
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line, col = n.Content[i].Line, n.Content[i].Column
					next = n.Content[i+1]
					break
				}
			}
			if next == nil {
				break
			}
			n = next
			continue
		}
		next := childNode(n, k)
		if next == nil {
			break
		}
		line, col = next.Line, next.Column
		n = next
	}
	return line, col
}

// ErrorAt builds a SpecError located at keys.
func (sp *Spec) ErrorAt(msg string, keys ...string) *SpecError {
	if sp.Bundle != nil {
		file, line, col := sp.Bundle.position(keys...)
		return &SpecError{File: file, Line: line, Col: col, Msg: sp.Bundle.DisplaySources(msg)}
	}
	if sp.Swagger {
		keys, msg = swagger2Keys(keys), Swagger2Text(msg)
	}
	line, col := sp.locate(keys...)
	return &SpecError{File: sp.Display, Line: line, Col: col, Msg: msg}
}

// lineCount is the number of lines of data, a last line without a line
// break counted.
func lineCount(data []byte) int {
	n := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}
