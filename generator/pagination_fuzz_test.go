package generator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/generator/config"
)

// pagingSpec has an operation of each shape pagination meets: the body an
// array, the items nested in objects, a nullable cursor, parameters of each
// kind and place.
const pagingSpec = `openapi: 3.0.3
info: {title: Paging, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /list/{id}:
    get:
      operationId: list
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: cursor, in: query, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
        - {name: X-Cursor, in: header, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {$ref: '#/components/schemas/Item'}}
                  meta:
                    type: object
                    properties:
                      next: {type: string, nullable: true}
                      more: {type: boolean}
                      total: {type: integer}
                      any: {}
  /plain:
    get:
      operationId: plain
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {type: string}}}}}
components:
  schemas:
    Item: {type: object, properties: {id: {type: integer}, more: {type: array, items: {type: object}}}}
`

// FuzzPagination checks services.yaml's pagination of any names and paths
// against the spec: Generate answers with errors at the pagination's
// position in services.yaml, or with files that gofmt leaves as they are,
// type-check and hold nothing but what tpgen means to write (the names reach
// comments and literals).
//
//	go test ./generator -run '^$' -fuzz FuzzPagination -fuzztime 5m
func FuzzPagination(f *testing.F) {
	f.Add(uint8(0), "list", "data", "meta.next", "cursor", "page", "meta.more", "meta.total")
	f.Add(uint8(1), "list", "", "X-Next", "cursor", "", "", "")
	f.Add(uint8(2), "plain", "", "", "", "", "", "")
	f.Add(uint8(3), "list", "data.more", "meta.any", "page", "tags", "meta.any", "meta")
	f.Add(uint8(4), "list", "meta", "*/ //go:generate x", "X-Cursor", "id", "data.id", "meta.next")
	f.Add(uint8(5), "list", "data", "id", "cursor", "", "meta.more", "")
	f.Fuzz(func(t *testing.T, style uint8, op, items, from, param, size, hasMore, total string) {
		styles := []string{config.PageLink, config.PageHeader, config.PageField, config.PageNumber, config.PageOffset, config.PageLastItem}
		at := config.Pos{File: "services.yaml", Line: 7, Col: 9}
		pg := &config.Pagination{Pos: at, Style: styles[int(style)%len(styles)], From: from, FromPos: at,
			Param: param, ParamPos: at, Size: size, SizePos: at, First: 1}
		for _, p := range []struct {
			dst *config.Path
			s   string
		}{{&pg.Items, items}, {&pg.HasMore, hasMore}, {&pg.Total, total}} {
			if p.s != "" {
				*p.dst = config.Path{Names: strings.Split(p.s, "."), Pos: at}
			}
		}
		dir := t.TempDir()
		spec := filepath.Join(dir, "spec.yaml")
		if err := os.WriteFile(spec, []byte(pagingSpec), 0o644); err != nil {
			t.Fatal(err)
		}
		svc := &generator.Job{Name: "api", Package: "api", Spec: spec, SpecDisplay: "spec.yaml", Source: "spec.yaml",
			OutDir: filepath.Join(dir, "gen"), Pos: config.Pos{File: "services.yaml", Line: 3, Col: 3},
			Overrides: []*generator.Override{{ID: op, Pos: config.Pos{File: "services.yaml", Line: 6, Col: 7}, Pagination: pg}}}
		out, err := generateWithin(t, svc, fuzzDeadline)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "services.yaml:") {
					t.Errorf("error not at services.yaml: %q", line)
				}
			}
			return
		}
		for _, f := range out.Files {
			rel, _ := filepath.Rel(svc.OutDir, f.Path)
			checkFile(t, rel, f.Data)
		}
		typeCheck(t, "spec.yaml", []byte(pagingSpec), out.Files)
		checkInert(t, "spec.yaml", svc, out.Files)
	})
}
