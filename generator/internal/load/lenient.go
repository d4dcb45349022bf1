package load

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Lenient mode (lenient: true in services.yaml, -lenient in single-spec
// mode) generates from specs that are broken as published, which the team
// that calls the API cannot fix. Each defect that has an honest repair
// becomes a warning at its place, printed on every run, and the closest code
// that is not wrong:
//
//   - a $ref to a schema that does not exist (a pointer to nothing, a file
//     that is not there) is raw JSON: json.RawMessage, which keeps whatever
//     the service sends;
//   - a path variable that no parameter declares is a required string path
//     parameter;
//   - a $ref to a component of another kind is read as the kind its place
//     needs when its shape fits: a request body where a response belongs
//     (its required is dropped), a response where a request body belongs
//     (its headers and links are dropped), a parameter where a header
//     belongs (its name and in are dropped).
//
// Everything else stays an error, as in the default strict mode: YAML and
// JSON that does not parse, $refs that leave the ref root or name URLs, a
// dangling $ref to anything but a schema (a parameter, response or request
// body whose content is unknown cannot be sent or read honestly), a
// component of another kind whose shape does not fit, and every other
// defect the strict mode reports.

// UnresolvedKey marks a schema lenient mode put where a $ref led nowhere:
// the typer types it as raw JSON.
const UnresolvedKey = "x-tpgen-unresolved"

// repairAt words a repair at a place in a file.
func repairAt(file string, line, col int, msg string) string {
	return (&SpecError{File: file, Line: line, Col: col, Msg: msg + " (lenient)"}).Error()
}

// RepairFrom words a repair at the place of a spec error.
func RepairFrom(se *SpecError) string {
	se.Msg += " (lenient)"
	return se.Error()
}

// unresolvedSchema is the schema n (a $ref object) becomes when its $ref
// leads nowhere: the fields beside the $ref and the marker.
func unresolvedSchema(n, ref *yaml.Node) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "$ref" {
			continue
		}
		out.Content = append(out.Content, n.Content[i], n.Content[i+1])
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: UnresolvedKey, Line: ref.Line, Column: ref.Column}
	v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: ref.Value, Line: ref.Line, Column: ref.Column}
	out.Content = append(out.Content, k, v)
	return out
}

// conversions say, per kind a $ref's place needs and kind of the component
// it names, which fields of the component are dropped to read it as the
// needed kind; the others must be fields of that kind.
var conversions = map[[2]kind][]string{
	{kResponse, kRequestBody}: {"required"},
	{kRequestBody, kResponse}: {"headers", "links"},
	{kHeader, kParameter}:     {"name", "in"},
}

// kindNames name the kinds of components in messages.
var kindNames = map[kind]string{
	kSchema: "a schema", kParameter: "a parameter", kHeader: "a header", kRequestBody: "a request body",
	kResponse: "a response", kExample: "an example", kLink: "a link", kCallback: "a callback",
	kSecurityScheme: "a security scheme",
}

// fieldsOf are the fields of each kind a conversion may produce.
var fieldsOf = map[kind][]string{
	kResponse:    ResponseKeys,
	kRequestBody: BodyKeys,
	kHeader:      HeaderKeys,
}

// convert returns node, a component of kind from, as kind to with the
// fields conversions drop left out, and those it dropped; ok is false when
// there is no such conversion or node has a field to does not have.
func convert(node *yaml.Node, from, to kind) (out *yaml.Node, dropped []string, ok bool) {
	drop, known := conversions[[2]kind{to, from}]
	if !known || node.Kind != yaml.MappingNode {
		return nil, nil, false
	}
	out = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: node.Line, Column: node.Column, Style: node.Style}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key := node.Content[i].Value
		switch {
		case slices.Contains(drop, key):
			dropped = append(dropped, key)
			continue
		case strings.HasPrefix(key, "x-"), slices.Contains(fieldsOf[to], key):
		default:
			return nil, nil, false
		}
		out.Content = append(out.Content, node.Content[i], node.Content[i+1])
	}
	return out, dropped, true
}

// wrongKindMessage says that ref names a component of kind have where one of
// kind want belongs.
func wrongKindMessage(ref string, have, want kind, section string) string {
	return fmt.Sprintf("$ref %s names %s (components/%s), where %s belongs", QuoteText(ref), kindNames[have], section, kindNames[want])
}
