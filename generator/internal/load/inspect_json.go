package load

import (
	"bytes"
	"strconv"

	"go.yaml.in/yaml/v4"
)

// inspect's checks of a JSON spec on what parseJSONDoc noted as it read it
// (see load_json.go), which spare big documents a decoding by encoding/json
// and regular expressions run over all of their text. Where a note says
// there may be something to say, the text is checked as before, so that
// every message and position is the one it always was: the notes only tell
// that there is nothing to say.

// jsonHead returns the openapi and swagger versions of a JSON spec read by
// parseJSONDoc (nil when the key is absent) and its top-level keys, at the
// first place the text has each, as inspect finds them in the text. ok is
// false when inspect has to look at the text: a version that is not a
// string, or a path item with an operation that is null.
func jsonHead(jd *jsonDoc) (openapi, swagger any, keys []topKey, ok bool) {
	if jd.NullOp {
		return nil, nil, nil, false
	}
	top := jd.Top
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		key := topKey{name: k.Value}
		if off := bytes.Index(jd.Data, []byte(strconv.Quote(k.Value))); off >= 0 {
			key.line, key.col = offsetPos(jd.Data, int64(off))
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
		}
	}
	return openapi, swagger, keys, true
}

// checkRawDoc is checkRaw, for a JSON spec on what parseJSONDoc noted when
// it read it.
func checkRawDoc(data []byte, yamlRoot *yaml.Node, jd *jsonDoc, openapi3 bool) error {
	if jd == nil {
		return checkRaw(data, yamlRoot, openapi3)
	}
	if jd.EmptyType || openapi3 && jd.BadIn {
		return checkRaw(data, nil, openapi3)
	}
	return nil
}
