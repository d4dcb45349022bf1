package load

import (
	"fmt"
	"slices"

	"github.com/tpgen/tpgen/generator/internal/model"
	"go.yaml.in/yaml/v4"
)

// Fields that only document the API (descriptions, summaries, titles,
// external docs) are sometimes written as something other than text:
// documentation tools let a description be {$ref: description.md}, and
// kin-openapi refuses the whole document for it. Nothing of the client
// depends on them, so the bundler leaves such a value out (an empty text,
// or an empty object for external docs) and says so under -v, rather than
// failing. It does so in every file it reads; a spec without $refs to other
// files is bundled for it when kin-openapi refuses one (see loadOpenAPI3).

// docText are, per kind of object, its fields that are text and only document.
var docText = map[kind][]string{
	kInfo:           {"title", "summary", "description", "termsOfService"},
	kTag:            {"description"},
	kExternalDocs:   {"description"},
	kServer:         {"description"},
	kServerVariable: {"description"},
	kPathItem:       {"summary", "description"},
	kOperation:      {"summary", "description"},
	kParameter:      {"description"},
	kHeader:         {"description"},
	kRequestBody:    {"description"},
	kResponse:       {"summary", "description"},
	kSchema:         {"title", "description", "$comment"},
	kExample:        {"summary", "description"},
	kLink:           {"description"},
	kSecurityScheme: {"description"},
}

// docObjects are, per kind, its fields that are objects and only document.
var docObjects = map[kind][]string{
	kDoc:       {"externalDocs"},
	kInfo:      {"contact", "license"},
	kTag:       {"externalDocs"},
	kOperation: {"externalDocs"},
	kSchema:    {"externalDocs"},
}

// docValue returns what a documentation field key of an object of kind k
// becomes when its value v is not of the field's type, or nil when it is
// (or the field is not one that only documents).
func docValue(k kind, key string, v *yaml.Node) *yaml.Node {
	v = deref(v)
	switch {
	case slices.Contains(docText[k], key) && v.Kind == yaml.ScalarNode && v.ShortTag() != "!!str":
		// title: 5, description: 2024-01-01: the text as written (null: none).
		text := v.Value
		if v.ShortTag() == "!!null" {
			text = ""
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: text, Line: v.Line, Column: v.Column}
	case slices.Contains(docText[k], key) && v.Kind != yaml.ScalarNode:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Line: v.Line, Column: v.Column}
	case slices.Contains(docObjects[k], key) && v.Kind != yaml.MappingNode && !(v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null"):
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: v.Line, Column: v.Column}
	}
	return nil
}

// leaveOutDoc returns the value a documentation field of the wrong type
// becomes, and notes it.
func (b *bundler) leaveOutDoc(f *refFile, key string, v, with *yaml.Node) *yaml.Node {
	b.made(f, with)
	if with.Kind == yaml.ScalarNode && deref(v).Kind == yaml.ScalarNode {
		return with // read as the text written: nothing is left out
	}
	what := "text"
	if with.Kind == yaml.MappingNode {
		what = "an object"
	}
	at := encodePointer(append(slices.Clone(b.from), key))
	b.docNotes = append(b.docNotes, docNote(f.display, v, at, what))
	return with
}

// docNote notes a documentation field at ptr, v in file, left out because
// it is not what (text, an object).
func docNote(file string, v *yaml.Node, ptr, what string) model.Note {
	return model.Note{
		Group:  "documentation fields of the wrong type, left out: they only document the API",
		Place:  fmt.Sprintf("%s:%d:%d", file, v.Line, v.Column),
		Detail: fmt.Sprintf("%s is %s, not %s", QuoteText(ptr), yamlKind(deref(v)), what),
	}
}
