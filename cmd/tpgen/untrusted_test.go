package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// paySpec refers to a schema in specs/shared, a sibling of its directory.
const paySpec = `openapi: 3.0.3
info: {title: Pay, version: "1"}
servers: [{url: "https://pay.example.com"}]
paths:
  /payments/{id}:
    get:
      operationId: getPayment
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "../shared/money.yaml#/Money"}}}}
`

// TestRefRoot: a $ref out of the spec's directory is refused at its
// position, in both modes; ref_root (services.yaml) and -ref-root widen the
// tree, and -v says so.
func TestRefRoot(t *testing.T) {
	dir := shop(t)
	writeFile(t, filepath.Join(dir, "specs", "api", "pay.yaml"), paySpec)
	writeFile(t, filepath.Join(dir, "specs", "shared", "money.yaml"), "Money: {type: object, properties: {amount: {type: string}}}\n")
	cfg := filepath.Join(dir, "services.yaml")
	base := readFile(t, cfg)
	pay := filepath.Join(dir, "specs", "api", "pay.yaml")
	refused := pay + `:10:78: $ref "../shared/money.yaml#/Money" leads outside the spec's directory (` + filepath.Dir(pay) + `)`

	writeFile(t, cfg, base+"  pay:\n    spec: specs/api/pay.yaml\n")
	r := tpgen(t, "-config", cfg)
	if r.code != exitFail || !strings.HasPrefix(r.stderr, refused) || !strings.Contains(r.stderr, "ref_root") {
		t.Errorf("config without ref_root: want exit 1 and %s...; got %v", refused, r)
	}
	if snapshot(t, filepath.Join(dir, "gen")) != nil {
		t.Error("a refused $ref wrote output")
	}

	writeFile(t, cfg, base+"  pay:\n    spec: specs/api/pay.yaml\n    ref_root: specs\n")
	r = tpgen(t, "-config", cfg, "-v")
	if r.code != exitOK || !strings.Contains(r.stderr, "pay: $ref may read files anywhere under "+filepath.Join(dir, "specs")+" (ref_root)") {
		t.Errorf("config with ref_root: want exit 0 and a -v note; got %v", r)
	}
	if !strings.Contains(readFile(t, filepath.Join(dir, "gen", "pay", "models.go")), "type Money struct") {
		t.Error("with ref_root, the referenced schema was not generated")
	}

	out := filepath.Join(dir, "single")
	r = tpgen(t, "-spec", pay, "-package", "pay", "-out", out)
	if r.code != exitFail || !strings.HasPrefix(r.stderr, refused) {
		t.Errorf("single-spec without -ref-root: want exit 1 and %s...; got %v", refused, r)
	}
	r = tpgen(t, "-spec", pay, "-package", "pay", "-out", out, "-ref-root", filepath.Join(dir, "specs"), "-v")
	if r.code != exitOK || !strings.Contains(r.stderr, "$ref may read files anywhere under") {
		t.Errorf("single-spec with -ref-root: want exit 0 and a -v note; got %v", r)
	}
	r = tpgen(t, "-spec", pay, "-package", "pay", "-out", out, "-ref-root", filepath.Join(dir, "specs", "shared"))
	if r.code != exitFail || !strings.Contains(r.stderr, "the spec is not inside ref_root") {
		t.Errorf("-ref-root beside the spec: want exit 1; got %v", r)
	}
	if r := tpgen(t, "-config", cfg, "-ref-root", dir); r.code != exitUsage {
		t.Errorf("-ref-root with -config: want a usage error; got %v", r)
	}
}

// TestPlainHTTPWarning: a base URL over plain http to a remote host is
// warned about on every run, not only with -v; https and loopback are not.
func TestPlainHTTPWarning(t *testing.T) {
	dir := shop(t)
	spec := filepath.Join(dir, "specs", "orders.yaml")
	for _, tt := range []struct {
		base string
		warn bool
	}{
		{"http://orders.internal.example.com/v2", true},
		{"https://orders.internal.example.com/v2", false},
		{"http://127.0.0.1:8080", false},
	} {
		r := tpgen(t, "-spec", spec, "-package", "orders", "-out", filepath.Join(dir, "out"), "-base-url", tt.base)
		warned := strings.Contains(r.stderr, "tpgen: warning: orders: base URL "+tt.base+" uses plain http")
		if r.code != exitOK || warned != tt.warn {
			t.Errorf("-base-url %s: want exit 0, warning %v; got %v", tt.base, tt.warn, r)
		}
	}
}

// TestFollowLinks: a symbolic link in the spec's tree that leads out of it is
// refused (a vendored spec could link to any file), unless -follow-links says
// that the links are a build system's; even then a $ref may not leave the
// tree by its path (../), and -v names the hatch.
func TestFollowLinks(t *testing.T) {
	dir := shop(t)
	outside := filepath.Join(dir, "outside")
	writeFile(t, filepath.Join(outside, "money.yaml"), "Money: {type: object, properties: {secretField: {type: string}}}\n")
	spec := filepath.Join(dir, "linked", "api", "pay.yaml")
	writeFile(t, spec, strings.Replace(paySpec, "../shared/money.yaml", "money.yaml", 1))
	if err := os.Symlink(filepath.Join(outside, "money.yaml"), filepath.Join(dir, "linked", "api", "money.yaml")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	out := filepath.Join(dir, "gen")
	r := tpgen(t, "-spec", spec, "-package", "pay", "-out", out)
	if r.code != exitFail || !strings.Contains(r.stderr, "through a symbolic link") || strings.Contains(r.stderr, "secretField") {
		t.Fatalf("a link out of the tree: want exit 1 and a refusal that shows nothing of the file; got %v", r)
	}
	if snapshot(t, out) != nil {
		t.Fatal("a refused link wrote output")
	}
	r = tpgen(t, "-spec", spec, "-package", "pay", "-out", out, "-follow-links", "-v")
	if r.code != exitOK || !strings.Contains(r.stderr, "-follow-links") {
		t.Fatalf("-follow-links: want exit 0 and a -v note; got %v", r)
	}
	if !strings.Contains(readFile(t, filepath.Join(out, "models.go")), "SecretField") {
		t.Error("-follow-links did not read through the link")
	}
	// By path, the tree still ends at the spec's directory.
	writeFile(t, spec, strings.Replace(paySpec, "../shared/money.yaml", "../../outside/money.yaml", 1))
	r = tpgen(t, "-spec", spec, "-package", "pay", "-out", filepath.Join(dir, "gen2"), "-follow-links")
	if r.code != exitFail || !strings.Contains(r.stderr, "leads outside the spec's directory") {
		t.Errorf("-follow-links with ../ out of the tree: want exit 1; got %v", r)
	}
}
