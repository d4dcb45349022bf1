package runtime

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/tpgen/tpgen/runtime/internal/quote"
	"github.com/tpgen/tpgen/runtime/internal/redact"
)

// maxSummary bounds ResponseError.Summary.
const maxSummary = 200

// summarize returns what ResponseError.Error says of an error body: the title
// and detail of an RFC 9457 problem document (or the message of the error
// objects many APIs send), else the start of the body, compacted when it is
// JSON; on one line, without control or invisible characters, at most about
// maxSummary bytes. red removes what the call sent (a token, an API key), also
// when the body hid it in JSON escapes that only decoding reveals.
func summarize(raw []byte, red redact.Redactor) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	if raw[0] == '{' {
		if s := problemText(raw); s != "" {
			return quote.Body([]byte(red.Replace(s)), maxSummary)
		}
	}
	if raw[0] == '{' || raw[0] == '[' {
		// Decoded and encoded again: compact, and with no \u escapes left
		// that could spell a secret which the redactor looks for as sent.
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		var out bytes.Buffer
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		if dec.Decode(&v) == nil && enc.Encode(v) == nil {
			raw = bytes.TrimSpace(out.Bytes())
		}
	}
	// Redacted before it is cut: a cut must not leave the start of a secret.
	return quote.Body([]byte(red.Replace(string(raw))), maxSummary)
}

// problemText returns "title: detail" of a problem document (either alone when
// the other is missing or says the same), else the message of an error object
// ({"message": ...}, {"error": "..."}, {"error": {"message": ...}}), else "".
func problemText(raw []byte) string {
	var doc struct {
		Title   json.RawMessage `json:"title"`
		Detail  json.RawMessage `json:"detail"`
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &doc) != nil {
		return ""
	}
	title, detail := jsonString(doc.Title), jsonString(doc.Detail)
	switch {
	case title != "" && detail != "" && title != detail:
		return title + ": " + detail
	case title != "":
		return title
	case detail != "":
		return detail
	}
	if m := jsonString(doc.Message); m != "" {
		return m
	}
	if e := jsonString(doc.Error); e != "" {
		return e
	}
	var nested struct {
		Message json.RawMessage `json:"message"`
	}
	if len(doc.Error) > 0 && doc.Error[0] == '{' && json.Unmarshal(doc.Error, &nested) == nil {
		return jsonString(nested.Message)
	}
	return ""
}

// jsonString returns the JSON string in v, trimmed, or "" when v is not one.
func jsonString(v json.RawMessage) string {
	var s string
	if len(v) == 0 || v[0] != '"' || json.Unmarshal(v, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}
