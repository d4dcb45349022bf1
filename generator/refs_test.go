package generator_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tpgen/tpgen/generator"
)

// secretMark is in every file outside the ref root: it must reach neither
// the generated code nor an error message.
const secretMark = "TOPSECRET-7f3a9c"

// secretDoc is shaped so that any $ref into it resolves: a schema at the top
// level, under components, and a path item, each carrying the mark where a
// generator would copy it into Go (a description, a property name, an enum).
const secretDoc = `openapi: 3.0.3
info: {title: ` + secretMark + `, version: "1"}
paths:
  /a:
    get:
      operationId: ` + secretMark + `op
      responses: {"200": {description: ` + secretMark + `}}
Secret:
  type: object
  description: password=` + secretMark + `
  properties:
    ` + secretMark + `: {type: string, enum: [` + secretMark + `]}
components:
  schemas:
    Secret:
      type: object
      description: password=` + secretMark + `
      properties:
        ` + secretMark + `: {type: string}
  parameters:
    Secret: {name: ` + secretMark + `, in: query, schema: {type: string}}
`

// refSpec is a spec whose one response schema is $ref: ref, the value
// starting on line 8, column 79.
func refSpec(ref string) string {
	return `openapi: 3.0.3
info: {title: Refs, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "` + ref + `"}}}}
`
}

// refTree lays out, under a new directory D:
//
//	D/secret.yaml                   outside the tree
//	D/project/secret.yaml           outside the tree
//	D/project/.env                  outside the tree, not a schema
//	D/project/specs/api/            the spec's directory: the default ref root
//	D/project/specs/api/common.yaml inside, refers further (set by the case)
//	D/project/specs/shared/         outside by default, inside with ref_root specs
func refTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "secret.yaml"), secretDoc)
	write(t, filepath.Join(dir, "project", "secret.yaml"), secretDoc)
	write(t, filepath.Join(dir, "project", ".env"), secretMark+"=hunter2\n")
	write(t, filepath.Join(dir, "project", "specs", "shared", "pet.yaml"), "Pet: {type: object, properties: {name: {type: string}}}\n")
	if err := os.MkdirAll(filepath.Join(dir, "project", "specs", "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRefConfined performs each way out of the ref root that a spec could
// try; each must fail at the position of the $ref that tried, and nothing of
// the file outside may show.
func TestRefConfined(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, secretDoc)
	}))
	defer srv.Close()

	api := filepath.Join("project", "specs", "api")
	spec := filepath.Join(api, "spec.yaml")
	common := filepath.Join(api, "common.yaml")
	tests := []struct {
		name  string
		ref   string
		setup func(t *testing.T, dir string) // more files, and $DIR in ref is dir
		pos   string                         // file:line:col
		want  string
	}{
		{name: "etc passwd", ref: "/etc/passwd", pos: spec + ":8:78", want: "is an absolute path"},
		{name: "absolute path outside", ref: "$DIR/secret.yaml#/Secret", pos: spec + ":8:78", want: "is an absolute path"},
		{name: "absolute path inside", ref: "$DIR/project/specs/api/common.yaml#/Pet", pos: spec + ":8:78", want: "is an absolute path",
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, common), "Pet: {type: object}\n")
			}},
		{name: "dot dot", ref: "../../secret.yaml#/Secret", pos: spec + ":8:78", want: "leads outside the spec's directory (project/specs/api)"},
		{name: "dot dot to a file that is no schema", ref: "../../.env", pos: spec + ":8:78", want: "leads outside"},
		{name: "dot dot to the top", ref: "../../../secret.yaml#/components/schemas/Secret", pos: spec + ":8:78", want: "leads outside"},
		{name: "dot dot sibling", ref: "../shared/pet.yaml#/Pet", pos: spec + ":8:78", want: "widen the tree with ref_root"},
		{name: "percent-encoded dot dot", ref: "..%2F..%2Fsecret.yaml#/Secret", pos: spec + ":8:78", want: "leads outside"},
		{name: "percent-encoded dots", ref: "%2e%2e/%2e%2e/secret.yaml#/Secret", pos: spec + ":8:78", want: "leads outside"},
		{name: "dot dot inside a path", ref: "sub/../../../secret.yaml#/Secret", pos: spec + ":8:78", want: "leads outside"},
		{name: "file URL", ref: "file://$DIR/secret.yaml#/Secret", pos: spec + ":8:78", want: "is a URL"},
		{name: "file URL with host", ref: "file://localhost$DIR/secret.yaml#/Secret", pos: spec + ":8:78", want: "is a URL"},
		{name: "http", ref: srv.URL + "/secret.yaml#/Secret", pos: spec + ":8:78", want: "does not fetch referenced documents over the network"},
		{name: "scheme-relative", ref: "//" + strings.TrimPrefix(srv.URL, "http://") + "/secret.yaml#/Secret", pos: spec + ":8:78", want: "over the network"},
		{name: "symlink to a file outside", ref: "link.yaml#/Secret", pos: spec + ":8:78", want: "through a symbolic link",
			setup: func(t *testing.T, dir string) {
				symlink(t, filepath.Join(dir, "secret.yaml"), filepath.Join(dir, api, "link.yaml"))
			}},
		{name: "symlink to a directory outside", ref: "up/secret.yaml#/Secret", pos: spec + ":8:78", want: "through a symbolic link",
			setup: func(t *testing.T, dir string) {
				symlink(t, dir, filepath.Join(dir, api, "up"))
			}},
		{name: "relative symlink", ref: "rel.yaml#/Secret", pos: spec + ":8:78", want: "through a symbolic link",
			setup: func(t *testing.T, dir string) {
				symlink(t, "../../secret.yaml", filepath.Join(dir, api, "rel.yaml"))
			}},
		{name: "escape from a referenced file", ref: "common.yaml#/Pet", pos: common + ":3:18", want: "leads outside",
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, common), "Pet:\n  type: object\n  allOf: [{$ref: \"../../secret.yaml#/Secret\"}]\n")
			}},
		{name: "escape from a nested directory", ref: "schemas/pet.yaml#/Pet", pos: filepath.Join(api, "schemas", "pet.yaml") + ":2:30", want: "leads outside",
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, api, "schemas", "pet.yaml"), "Pet:\n  properties: {owner: {$ref: \"../../../secret.yaml#/Secret\"}}\n")
			}},
		{name: "absolute path from a referenced file", ref: "common.yaml#/Pet", pos: common + ":1:13", want: "is an absolute path",
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, common), "Pet: {$ref: \""+filepath.ToSlash(filepath.Join(dir, "secret.yaml"))+"#/Secret\"}\n")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := refTree(t)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			ref := strings.ReplaceAll(tt.ref, "$DIR", filepath.ToSlash(dir))
			write(t, filepath.Join(dir, spec), refSpec(ref))
			t.Chdir(dir) // so that messages name files relative to it
			out, err := generator.Generate([]*generator.Job{{
				Name: "api", Package: "api", Spec: spec, SpecDisplay: spec, Source: "spec.yaml", OutDir: "gen",
			}})
			checkRefused(t, out, err, tt.pos, tt.want)
		})
	}
	if hits.Load() != 0 {
		t.Errorf("the http server was asked %d times", hits.Load())
	}
}

// checkRefused asserts that generation failed with one error at pos saying
// want, and that nothing of the file outside shows.
func checkRefused(t *testing.T, out *generator.Output, err error, pos, want string) {
	t.Helper()
	if err == nil {
		for _, f := range out.Files {
			if strings.Contains(string(f.Data), secretMark) {
				t.Errorf("%s holds what the file outside the tree says", f.Path)
			}
		}
		t.Fatalf("generation succeeded; want %s: ...%s", pos, want)
	}
	msg := err.Error()
	if strings.Contains(msg, secretMark[:6]) { // YAML quotes the first 7 bytes of a value it cannot use
		t.Errorf("the error quotes the file outside the tree: %s", msg)
	}
	if !strings.HasPrefix(msg, pos+": $ref ") || !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
		t.Errorf("error:\n\t%s\nwant one line at %s saying %q", msg, pos, want)
	}
	var se *generator.SpecError
	if !errors.As(err, &se) || se.Line == 0 || se.Col == 0 {
		t.Errorf("not a positioned *SpecError: %#v", err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

// TestRefInsideTree: references between files inside the ref root resolve,
// through subdirectories and back up (but not above the root), and a widened
// root (ref_root) lets a spec reach a sibling directory, with a -v note.
func TestRefInsideTree(t *testing.T) {
	dir := refTree(t)
	api := filepath.Join(dir, "project", "specs", "api")
	write(t, filepath.Join(api, "spec.yaml"), refSpec("schemas/pet.yaml#/Pet"))
	write(t, filepath.Join(api, "schemas", "pet.yaml"), "Pet:\n  type: object\n  properties:\n    owner: {$ref: \"../common/owner.yaml#/Owner\"}\n    tag: {$ref: \"./tag.yaml\"}\n")
	write(t, filepath.Join(api, "schemas", "tag.yaml"), "type: object\nproperties: {label: {type: string}}\n")
	write(t, filepath.Join(api, "common", "owner.yaml"), "Owner: {type: object, properties: {ownerName: {type: string}}}\n")
	svc := &generator.Job{Name: "api", Package: "api", Spec: filepath.Join(api, "spec.yaml"), SpecDisplay: "spec.yaml", Source: "spec.yaml", OutDir: filepath.Join(dir, "gen")}
	out, err := generator.Generate([]*generator.Job{svc})
	if err != nil {
		t.Fatal(err)
	}
	all := allText(out)
	for _, want := range []string{"OwnerName", "Label", "type Pet struct"} {
		if !strings.Contains(all, want) {
			t.Errorf("the generated code lacks %s, from a referenced file", want)
		}
	}

	// A sibling directory is outside the spec's directory, inside ref_root.
	write(t, filepath.Join(api, "spec.yaml"), refSpec("../shared/pet.yaml#/Pet"))
	if _, err := generator.Generate([]*generator.Job{svc}); err == nil || !strings.Contains(err.Error(), "leads outside") {
		t.Fatalf("without ref_root: %v, want the $ref refused", err)
	}
	svc.RefRoot = filepath.Join(dir, "project", "specs")
	out, err = generator.Generate([]*generator.Job{svc})
	if err != nil {
		t.Fatalf("with ref_root: %v", err)
	}
	if !strings.Contains(allText(out), "type Pet struct") {
		t.Error("with ref_root, Pet was not generated")
	}
	if note := strings.Join(out.Warnings, "\n"); !strings.Contains(note, "$ref may read files anywhere under "+svc.RefRoot+" (ref_root)") {
		t.Errorf("-v does not note the widened root: %q", note)
	}

	// Still nothing above it.
	write(t, filepath.Join(api, "spec.yaml"), refSpec("../../secret.yaml#/Secret"))
	out, err = generator.Generate([]*generator.Job{svc})
	checkRefused(t, out, err, "spec.yaml:8:78", "leads outside ref_root ("+svc.RefRoot+")")

	// A root that does not hold the spec is a mistake of the configuration.
	svc.RefRoot = filepath.Join(dir, "project", "specs", "shared")
	if _, err := generator.Generate([]*generator.Job{svc}); err == nil || !strings.Contains(err.Error(), "the spec is not inside ref_root") {
		t.Errorf("a ref root beside the spec: %v", err)
	}
}

func allText(out *generator.Output) string {
	var b strings.Builder
	for _, f := range out.Files {
		b.Write(f.Data)
	}
	return b.String()
}

// TestRefSwagger2: a Swagger 2.0 document is converted in memory and reads
// no referenced file at all.
func TestRefSwagger2(t *testing.T) {
	dir := refTree(t)
	api := filepath.Join(dir, "project", "specs", "api")
	write(t, filepath.Join(api, "common.yaml"), "Pet: {type: object}\n")
	for _, ref := range []string{"../../secret.yaml#/Secret", "common.yaml#/Pet", "/etc/passwd"} {
		write(t, filepath.Join(api, "spec.yaml"), `swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200": {description: ok, schema: {$ref: "`+ref+`"}}
`)
		t.Chdir(api)
		out, err := generator.Generate([]*generator.Job{{Name: "api", Package: "api", Spec: "spec.yaml", SpecDisplay: "spec.yaml", Source: "spec.yaml", OutDir: "gen"}})
		if err == nil {
			t.Errorf("%s: generation succeeded", ref)
			continue
		}
		if strings.Contains(err.Error(), secretMark) || strings.Contains(allTextOrEmpty(out), secretMark) {
			t.Errorf("%s: the file outside shows: %v", ref, err)
		}
		if !regexp.MustCompile(`^spec\.yaml:7:\d+: `).MatchString(err.Error()) {
			t.Errorf("%s: error not at the $ref: %v", ref, err)
		}
	}
}

func allTextOrEmpty(out *generator.Output) string {
	if out == nil {
		return ""
	}
	return allText(out)
}

// FuzzRefConfined: whatever a $ref says, nothing of the files outside the
// ref root (a secret one directory up, another behind a symbolic link inside
// the tree) reaches the generated code or an error message.
func FuzzRefConfined(f *testing.F) {
	for _, s := range []string{
		"common.yaml#/Pet", "../secret.yaml#/Secret", "../../secret.yaml#/components/schemas/Secret", "link/secret.yaml#/Secret",
		"%2e%2e/secret.yaml#/Secret", "..%2fsecret.yaml#/Secret", "./../secret.yaml#/Secret", "sub/../../secret.yaml",
		"file:../secret.yaml#/Secret", "file:///secret.yaml", "/secret.yaml#/Secret", "\\..\\secret.yaml", "..\\secret.yaml",
		"common.yaml#/Up", "#/components/schemas/X", ".", "..", "link", "link/", "common.yaml#/paths/~1a",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	api := filepath.Join(dir, "project", "api")
	for _, p := range []string{filepath.Join(dir, "secret.yaml"), filepath.Join(dir, "project", "secret.yaml")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(secretDoc), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(api, "sub"), 0o755); err != nil {
		f.Fatal(err)
	}
	common := "Pet: {type: object, properties: {name: {type: string}}}\nUp: {$ref: \"../secret.yaml#/Secret\"}\n"
	if err := os.WriteFile(filepath.Join(api, "common.yaml"), []byte(common), 0o644); err != nil {
		f.Fatal(err)
	}
	_ = os.Symlink(dir, filepath.Join(api, "link"))
	spec := filepath.Join(api, "spec.json")
	f.Fuzz(func(t *testing.T, ref string) {
		q, err := json.Marshal(ref)
		if err != nil {
			return
		}
		doc := `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": ` + string(q) + `}}}}}}}}}`
		if err := os.WriteFile(spec, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := generator.Generate([]*generator.Job{{Name: "api", Package: "api", Spec: spec, SpecDisplay: "spec.json", Source: "spec.json", OutDir: filepath.Join(dir, "gen")}})
		if err != nil {
			if strings.Contains(err.Error(), secretMark[:6]) {
				t.Fatalf("$ref %q: the error quotes a file outside the tree: %v", ref, err)
			}
			return
		}
		if strings.Contains(allText(out), secretMark[:6]) {
			t.Fatalf("$ref %q: a file outside the tree reached the generated code", ref)
		}
	})
}
