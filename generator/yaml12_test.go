package generator

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator/internal/load"
)

// yaml12Escapes are YAML 1.2's escapes in double-quoted scalars (§5.7),
// written and as read.
const (
	yaml12Escapes = `\0\a\b\t\	\n\v\f\r\e\ \"\/\\\N\_\L\P\x41\u00e9\U0001F600`
	yaml12Value   = "\x00\a\b\t\t\n\v\f\r\x1b \"/\\\u0085\u00a0\u2028\u2029A\u00e9\U0001F600"
)

// TestYAML12Escapes loads a spec, and a file it refers to, that write a
// pattern with \/ (as a national health API's spec does) and an enum value
// with every escape of YAML 1.2: both load as written, in tpgen's checks and
// in kin-openapi, and an error later on the same line is at its column.
func TestYAML12Escapes(t *testing.T) {
	const pattern = `^W/"[0-9]+"$`
	dir := t.TempDir()
	writeFile(t, dir, "spec.yaml", `openapi: 3.0.3
info: {title: Escapes, version: "1"}
paths:
  /etag:
    get:
      parameters:
        - {name: If-None-Match, in: header, schema: {type: string, pattern: "^W\/\"[0-9]+\"$"}}
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: 'models.yaml#/Tag'}}}}
components:
  schemas:
    Kind: {type: string, enum: ["`+yaml12Escapes+`"]}
`)
	writeFile(t, dir, "models.yaml", "Tag: {type: object, properties: {etag: {type: string, pattern: \"^W\\/\\\"[0-9]+\\\"$\"}, kind: {type: string, enum: [\""+yaml12Escapes+"\"]}}}\n")
	sp, err := load.LoadSpec(filepath.Join(dir, "spec.yaml"), "spec.yaml", "", false, false)
	if err != nil {
		t.Fatal(err)
	}
	get := sp.Doc.Paths.Value("/etag").Get
	if got := get.Parameters[0].Value.Schema.Value.Pattern; got != pattern {
		t.Errorf("root: pattern %q, want %q", got, pattern)
	}
	if got := sp.Doc.Components.Schemas["Kind"].Value.Enum; len(got) != 1 || got[0] != yaml12Value {
		t.Errorf("root: enum %q, want %q", got, yaml12Value)
	}
	tag := get.Responses.Value("200").Value.Content["application/json"].Schema.Value
	if got := tag.Properties["etag"].Value.Pattern; got != pattern {
		t.Errorf("referenced file: pattern %q, want %q", got, pattern)
	}
	if got := tag.Properties["kind"].Value.Enum; len(got) != 1 || got[0] != yaml12Value {
		t.Errorf("referenced file: enum %q, want %q", got, yaml12Value)
	}

	// Positions after an escape on the same line are the columns as written.
	writeFile(t, dir, "bad.yaml", "openapi: 3.0.3\ninfo: {title: Escapes, version: \"1\"}\npaths: {}\ncomponents:\n  schemas:\n    Tag: {pattern: \"^W\\/\\\"x\", type: []}\n")
	_, err = load.LoadSpec(filepath.Join(dir, "bad.yaml"), "bad.yaml", "", false, false)
	if want := "bad.yaml:6:37: type: [] allows no value"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v, want %s...", err, want)
	}
}
