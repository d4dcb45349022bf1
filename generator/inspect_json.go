package generator

import (
	"bytes"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v4"
)

// inspect's checks of a JSON spec on its parsed tree (see load_json.go),
// which spare big documents a decoding by encoding/json and regular
// expressions run over all of their text. Where a check finds something to
// say, the text is checked as before, so that every message and position is
// the one it always was: the tree only tells that there is nothing to say.

// jsonHead returns the openapi and swagger versions of a parsed JSON spec
// (nil when the key is absent) and its top-level keys, at the first place the
// text has each, as inspect finds them in the text. ok is false when inspect
// has to look at the text: a version that is not a string, or a path item
// with an operation that is null.
func jsonHead(data []byte, top *yaml.Node) (openapi, swagger any, keys []topKey, ok bool) {
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		key := topKey{name: k.Value}
		if off := bytes.Index(data, []byte(strconv.Quote(k.Value))); off >= 0 {
			key.line, key.col = offsetPos(data, int64(off))
		}
		keys = append(keys, key)
		switch k.Value {
		case "openapi", "swagger":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
				return nil, nil, nil, false
			}
			if k.Value == "openapi" {
				openapi = v.Value
			} else {
				swagger = v.Value
			}
		case "paths":
			if hasNullOperation(v) {
				return nil, nil, nil, false
			}
		}
	}
	return openapi, swagger, keys, true
}

// hasNullOperation reports whether a path item of paths has an operation
// that is null.
func hasNullOperation(paths *yaml.Node) bool {
	if paths.Kind != yaml.MappingNode {
		return false
	}
	for i := 1; i < len(paths.Content); i += 2 {
		item := paths.Content[i]
		if item.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(item.Content); j += 2 {
			if v := item.Content[j+1]; v.Tag == "!!null" && slices.Contains(methodKeys, item.Content[j].Value) {
				return true
			}
		}
	}
	return false
}

// checkRawDoc is checkRaw, for a JSON spec on its tree when it was parsed.
func checkRawDoc(data []byte, yamlRoot *yaml.Node, jd *jsonDoc, openapi3 bool) error {
	if jd == nil {
		return checkRaw(data, yamlRoot, openapi3)
	}
	if emptyType, badIn := scanNode(jd.top, 0); emptyType || openapi3 && badIn {
		return checkRaw(data, nil, openapi3)
	}
	return nil
}

// scanNode is scanTree on a parsed JSON tree: it reports whether the
// document has a schema with type: [] or a parameter (an object with name
// and in) in body or formData.
func scanNode(n *yaml.Node, depth int) (emptyType, badIn bool) {
	if depth > maxNesting {
		return false, false
	}
	if n.Kind == yaml.MappingNode {
		named := false
		var in *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch k, v := n.Content[i].Value, n.Content[i+1]; k {
			case "type":
				emptyType = emptyType || v.Kind == yaml.SequenceNode && len(v.Content) == 0
			case "in":
				in = v
			case "name":
				named = true
			}
		}
		badIn = named && in != nil && in.Kind == yaml.ScalarNode && in.Tag == "!!str" && (in.Value == "body" || in.Value == "formData")
	}
	for _, c := range n.Content {
		et, bi := scanNode(c, depth+1)
		emptyType, badIn = emptyType || et, badIn || bi
		if emptyType && badIn {
			break
		}
	}
	return emptyType, badIn
}
