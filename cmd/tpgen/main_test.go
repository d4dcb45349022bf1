package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator/config"
	tpruntime "github.com/tpgen/tpgen/runtime"
)

// The CLI is tested through run, with the shop of testdata (two services)
// copied into a temporary directory per test.

// result is what one run of tpgen did.
type result struct {
	code           int
	stdout, stderr string
}

// tpgen runs the command; a panic fails the test (printing a config.Errors
// once did: it was compared with ==).
func tpgen(t *testing.T, args ...string) (r result) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("tpgen %s panicked: %v", strings.Join(args, " "), p)
		}
	}()
	code := run(args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// outOfDate returns what -check listed as out of date, in order.
func outOfDate(r result) []string {
	var out []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if d, ok := strings.CutPrefix(l, "tpgen: out of date: "); ok {
			out = append(out, d)
		}
	}
	return out
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%sstderr:\n%s", r.code, r.stdout, r.stderr)
}

// shop copies testdata/shop into a new directory and returns it.
func shop(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "shop"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// snapshot reads every file under dir, by relative path; nil when dir is absent.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = readFile(t, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func names(files map[string]string) []string {
	var out []string
	for n := range files {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

var (
	sumRE  = regexp.MustCompile(`sha256:[0-9a-f]{64} `)
	listed = regexp.MustCompile(`file sha256:[0-9a-f]{64} orders/operations.go\n`)
)

// unsummed is a manifest without the files' hashes.
func unsummed(manifest string) string { return sumRE.ReplaceAllString(manifest, "") }

func TestUsageErrors(t *testing.T) {
	dir := shop(t)
	cfg := filepath.Join(dir, "services.yaml")
	spec := filepath.Join(dir, "specs", "orders.yaml")
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no flags", nil, "usage:"},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined: -nope"},
		{"bad flag value", []string{"-config", cfg, "-check=maybe"}, "invalid boolean value"},
		{"config and spec", []string{"-config", cfg, "-spec", spec}, "-config and -spec cannot be used together"},
		{"spec without package", []string{"-spec", spec, "-out", filepath.Join(dir, "out")}, "single-spec mode needs -package and -out"},
		{"spec without out", []string{"-spec", spec, "-package", "orders"}, "single-spec mode needs -package and -out"},
		{"stray argument", []string{"-config", cfg, "orders"}, `unexpected argument "orders"`},
		{"single-spec flag with config", []string{"-config", cfg, "-package", "orders"}, "belong to single-spec mode"},
		{"lenient with config", []string{"-config", cfg, "-lenient"}, "belong to single-spec mode"},
		{"service with spec", []string{"-spec", spec, "-package", "orders", "-out", filepath.Join(dir, "out"), "-service", "orders"}, "-service selects services of a -config file"},
		{"init with two files", []string{"init", "a.yaml", "b.yaml"}, "usage: tpgen init [FILE]"},
		{"import path with a quote", []string{"-config", cfg, "-import-path", `x.com/a"b`}, "is not an import path"},
		{"import path with a space", []string{"-config", cfg, "-import-path", "x.com/a b"}, "is not an import path"},
		{"import path not clean", []string{"-config", cfg, "-import-path", "x.com/../b"}, "is not an import path"},
		{"import path absolute", []string{"-spec", spec, "-package", "orders", "-out", filepath.Join(dir, "out"), "-import-path", "/x"}, "is not an import path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tpgen(t, tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.stderr) || r.stdout != "" {
				t.Errorf("want exit 2, %q on stderr and nothing on stdout; got %v", tt.stderr, r)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("a usage error wrote output")
	}
	if _, err := os.Stat(filepath.Join(dir, "gen")); err == nil {
		t.Error("a usage error wrote output")
	}
}

func TestHelp(t *testing.T) {
	r := tpgen(t, "-h")
	if r.code != exitOK || !strings.Contains(r.stderr, "usage:") || !strings.Contains(r.stderr, "-config") {
		t.Errorf("-h: want exit 0 and the usage; got %v", r)
	}
}

// TestInvalidFlagValues: a value that no run could accept is a usage error,
// as flag itself treats -check=maybe.
func TestInvalidFlagValues(t *testing.T) {
	dir := shop(t)
	spec := filepath.Join(dir, "specs", "orders.yaml")
	out := filepath.Join(dir, "out")
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"-package", "1orders"}, `-package "1orders" is not a valid Go package name`},
		{[]string{"-package", "func"}, `-package "func" is not a valid Go package name`},
		{[]string{"-package", "orders", "-grant", "client-credentials"}, `-grant "client-credentials" is not one of`},
		{[]string{"-package", "orders", "-models", "every"}, `-models "every" is not one of used, all`},
		{[]string{"-package", "orders", "-base-url", "http://api.example.com:pw@evil.example.net"}, `-base-url must not contain a user name or password`},
		{[]string{"-package", "orders", "-base-url", "ftp://api.example.com"}, `-base-url "ftp://api.example.com" is not an absolute http or https URL`},
	} {
		r := tpgen(t, append([]string{"-spec", spec, "-out", out}, tt.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.stderr) {
			t.Errorf("%v: want exit 2 and %q; got %v", tt.args, tt.stderr, r)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an invalid flag value wrote output")
	}
}

var positionRE = regexp.MustCompile(`(?m)^\S*services\.yaml:\d+:\d+: `)

func TestBadInput(t *testing.T) {
	t.Run("missing config", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "services.yaml")
		r := tpgen(t, "-config", missing)
		if r.code != exitFail || !strings.Contains(r.stderr, missing) || r.stdout != "" {
			t.Errorf("want exit 1 naming %s; got %v", missing, r)
		}
	})
	t.Run("invalid services.yaml", func(t *testing.T) {
		dir := shop(t)
		cfg := filepath.Join(dir, "services.yaml")
		data := strings.Replace(readFile(t, cfg), "grant: client_credentials", "grant: client-credentials", 1)
		data = strings.Replace(data, "spec: specs/billing.yaml", "spec: specs/billing.yaml\n    timeot: 5s", 1)
		writeFile(t, cfg, data)
		r := tpgen(t, "-config", cfg)
		if r.code != exitFail {
			t.Fatalf("want exit 1; got %v", r)
		}
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if len(lines) != 2 {
			t.Errorf("want both problems, one per line; got %v", r)
		}
		for _, line := range lines {
			if !positionRE.MatchString(line) {
				t.Errorf("error is not file:line:col: message: %q", line)
			}
		}
		for _, want := range []string{"did you mean client_credentials?", `"timeot"`} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr does not mention %s: %v", want, r)
			}
		}
		if snapshot(t, filepath.Join(dir, "gen")) != nil {
			t.Error("output was written")
		}
	})
	t.Run("spec error", func(t *testing.T) {
		dir := shop(t)
		spec := filepath.Join(dir, "specs", "orders.yaml")
		writeFile(t, spec, strings.Replace(readFile(t, spec), "operationId: getOrder", "operationId: listOrders", 1))
		r := tpgen(t, "-config", filepath.Join(dir, "services.yaml"))
		want := regexp.MustCompile(`(?m)^\S*orders\.yaml:\d+:\d+: operationId "listOrders" is used by both`)
		if r.code != exitFail || !want.MatchString(r.stderr) {
			t.Errorf("want exit 1 and %s; got %v", want, r)
		}
	})
	t.Run("missing spec", func(t *testing.T) {
		dir := t.TempDir()
		r := tpgen(t, "-spec", filepath.Join(dir, "openapi.yaml"), "-package", "api", "-out", filepath.Join(dir, "out"))
		if r.code != exitFail || !strings.Contains(r.stderr, "openapi.yaml: spec file does not exist") {
			t.Errorf("want exit 1 naming the spec; got %v", r)
		}
	})
}

func TestGenerate(t *testing.T) {
	dir := shop(t)
	r := tpgen(t, "-config", filepath.Join(dir, "services.yaml"))
	if r.code != exitOK || r.stdout != "" || r.stderr != "" {
		t.Fatalf("want exit 0 and no output; got %v", r)
	}
	got := names(snapshot(t, filepath.Join(dir, "gen")))
	want := []string{
		".tpgen-manifest",
		"billing/README.md", "billing/client.go", "billing/models.go", "billing/operations.go",
		"orders/README.md", "orders/client.go", "orders/models.go", "orders/operations.go",
	}
	if !slices.Equal(got, want) {
		t.Errorf("generated %v, want %v", got, want)
	}
	manifest := unsummed(readFile(t, filepath.Join(dir, "gen", ".tpgen-manifest")))
	if !strings.HasSuffix(manifest, `
config ../services.yaml
package billing
file billing/README.md
file billing/client.go
file billing/models.go
file billing/operations.go
package orders
file orders/README.md
file orders/client.go
file orders/models.go
file orders/operations.go
`) || strings.Contains(manifest, dir) {
		t.Errorf("the manifest does not list the packages and files, relative to gen:\n%s", manifest)
	}
	client := readFile(t, filepath.Join(dir, "gen", "orders", "client.go"))
	for _, s := range []string{"// Code generated by tpgen. DO NOT EDIT.\n", "// source: ../../specs/orders.yaml\n", "package orders\n"} {
		if !strings.Contains(client, s) {
			t.Errorf("orders/client.go lacks %q", s)
		}
	}
	if strings.Contains(client, dir) {
		t.Errorf("orders/client.go contains the absolute path %s", dir)
	}
}

func TestVerbose(t *testing.T) {
	dir := shop(t)
	r := tpgen(t, "-config", filepath.Join(dir, "services.yaml"), "-v")
	if r.code != exitOK || r.stdout != "" {
		t.Fatalf("want exit 0; got %v", r)
	}
	for _, want := range []string{"tpgen: orders: 2 operations", "tpgen: billing: 1 operations", "tpgen: wrote 8 files"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("-v does not print %q: %v", want, r)
		}
	}
}

// TestDeterministic generates the same input in two directories: the bytes
// must be the same, so nothing depends on where the files are or on map order.
func TestDeterministic(t *testing.T) {
	a, b := shop(t), shop(t)
	for _, dir := range []string{a, b} {
		if r := tpgen(t, "-config", filepath.Join(dir, "services.yaml")); r.code != exitOK {
			t.Fatalf("%v", r)
		}
	}
	sa, sb := snapshot(t, filepath.Join(a, "gen")), snapshot(t, filepath.Join(b, "gen"))
	if len(sa) == 0 {
		t.Fatal("nothing generated")
	}
	for _, n := range names(sa) {
		if sa[n] != sb[n] {
			t.Errorf("%s differs between two runs", n)
		}
	}
	if !slices.Equal(names(sa), names(sb)) {
		t.Errorf("two runs generated %v and %v", names(sa), names(sb))
	}
}

func TestCheck(t *testing.T) {
	dir := shop(t)
	cfg := filepath.Join(dir, "services.yaml")
	gen := filepath.Join(dir, "gen")

	r := tpgen(t, "-config", cfg, "-check")
	if r.code != exitFail || !strings.Contains(r.stdout, filepath.Join(gen, "orders", "client.go")) {
		t.Errorf("-check before generating: want exit 1 listing every file; got %v", r)
	}
	if snapshot(t, gen) != nil {
		t.Fatal("-check wrote files")
	}

	if r := tpgen(t, "-config", cfg); r.code != exitOK {
		t.Fatalf("%v", r)
	}
	fresh := snapshot(t, gen)
	if r := tpgen(t, "-config", cfg, "-check"); r.code != exitOK || r.stdout != "" || r.stderr != "" {
		t.Errorf("-check when fresh: want exit 0 and no output; got %v", r)
	}

	models := filepath.Join(gen, "orders", "models.go")
	writeFile(t, models, fresh["orders/models.go"]+"\n// edited by hand\n")
	r = tpgen(t, "-config", cfg, "-check")
	if r.code != exitFail || !slices.Equal(outOfDate(r), []string{models}) || !strings.Contains(r.stderr, "1 generated file(s) are out of date") ||
		!strings.Contains(r.stdout, "--- "+models+"\n+++ "+models+"\n") || !strings.Contains(r.stdout, "\n-// edited by hand\n") {
		t.Errorf("-check after an edit: want exit 1 listing %s; got %v", models, r)
	}
	if got := readFile(t, models); got == fresh["orders/models.go"] {
		t.Error("-check restored the edited file")
	}

	// A file tpgen wrote once and generates no more (the manifest lists
	// it), a user's own file, and a tpgen-headed file no manifest lists
	// (copied from elsewhere, say): only the first is tpgen's to remove.
	stale := filepath.Join(gen, "orders", "operations_2.go")
	writeFile(t, stale, "// Code generated by tpgen. DO NOT EDIT.\n\npackage orders\n")
	manifest := filepath.Join(gen, ".tpgen-manifest")
	writeFile(t, manifest, listed.ReplaceAllString(readFile(t, manifest), "${0}file orders/operations_2.go\n"))
	own := filepath.Join(gen, "orders", "helpers.go")
	writeFile(t, own, "package orders\n\n// Mine.\nfunc Mine() {}\n")
	unlisted := filepath.Join(gen, "orders", "copied.go")
	writeFile(t, unlisted, "// Code generated by tpgen. DO NOT EDIT.\n\npackage orders\n")
	r = tpgen(t, "-config", cfg, "-check")
	wantLines := []string{models, stale + " (stale: no longer generated)", manifest + " (the manifest of what tpgen generated)"}
	if got := outOfDate(r); r.code != exitFail || !slices.Equal(got, wantLines) {
		t.Errorf("-check: want exit 1 and %q; got %v", wantLines, r)
	}

	r = tpgen(t, "-config", cfg)
	if r.code != exitOK || r.stderr != "tpgen: removed "+stale+" (no longer generated)\n" {
		t.Fatalf("want exit 0 and the removal said; got %v", r)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the stale generated file was not removed (%v)", err)
	}
	if got := readFile(t, own); got != "package orders\n\n// Mine.\nfunc Mine() {}\n" {
		t.Errorf("the user's own file was changed: %q", got)
	}
	if _, err := os.Stat(unlisted); err != nil {
		t.Errorf("a tpgen-headed file no manifest lists was removed (%v)", err)
	}
	if got := readFile(t, models); got != fresh["orders/models.go"] {
		t.Error("the edited file was not regenerated")
	}
	if r := tpgen(t, "-config", cfg, "-check"); r.code != exitOK || r.stdout != "" {
		t.Errorf("-check after regenerating: want exit 0; got %v", r)
	}
}

// TestRemovedServiceIsStale: the files of a service taken out of services.yaml
// are files tpgen wrote and no longer generates; -check reports them and
// generating removes them, as the README says.
func TestRemovedServiceIsStale(t *testing.T) {
	dir := shop(t)
	cfg := filepath.Join(dir, "services.yaml")
	if r := tpgen(t, "-config", cfg); r.code != exitOK {
		t.Fatalf("%v", r)
	}
	writeFile(t, cfg, strings.Replace(readFile(t, cfg), "  billing:\n    spec: specs/billing.yaml\n    auth: {grant: none}\n", "", 1))
	billing := filepath.Join(dir, "gen", "billing")
	r := tpgen(t, "-config", cfg, "-check")
	if r.code != exitFail || !slices.Contains(outOfDate(r), filepath.Join(billing, "client.go")+" (stale: no longer generated)") {
		t.Errorf("-check: want %s listed as stale; got %v", filepath.Join(billing, "client.go"), r)
	}
	if r := tpgen(t, "-config", cfg); r.code != exitOK {
		t.Fatalf("%v", r)
	}
	if files := snapshot(t, billing); len(files) > 0 {
		t.Errorf("generating kept %v", names(files))
	}
}

// TestUserFileNotOverwritten: a file without tpgen's header where tpgen would
// write is the user's; generation refuses and writes nothing.
func TestUserFileNotOverwritten(t *testing.T) {
	for _, name := range []string{"README.md", "client.go", "models.go", "operations.go"} {
		t.Run(name, func(t *testing.T) {
			dir := shop(t)
			gen := filepath.Join(dir, "gen")
			own := filepath.Join(gen, "orders", name)
			writeFile(t, own, "my own "+name+"\n")
			before := snapshot(t, gen)
			r := tpgen(t, "-config", filepath.Join(dir, "services.yaml"))
			if r.code != exitFail || !strings.Contains(r.stderr, own+" exists and was not generated by tpgen") {
				t.Errorf("want exit 1 refusing to overwrite %s; got %v", own, r)
			}
			after := snapshot(t, gen)
			if after["orders/"+name] != before["orders/"+name] {
				t.Fatalf("the user's %s was overwritten", name)
			}
			if !slices.Equal(names(after), names(before)) {
				t.Errorf("the refusal came after %v were written beside the user's %s; want nothing written", names(after), name)
			}
		})
	}
}

// TestFailBeforeTouchingDisk: one broken service and nothing is written, for
// the good one neither.
func TestFailBeforeTouchingDisk(t *testing.T) {
	t.Run("no output yet", func(t *testing.T) {
		dir := shop(t)
		writeFile(t, filepath.Join(dir, "specs", "billing.yaml"), "openapi: 3.0.3\ninfo: {title: Broken, version: '1'}\npaths:\n  /x/{id}:\n    get:\n      responses: {'200': {description: OK}}\n")
		r := tpgen(t, "-config", filepath.Join(dir, "services.yaml"))
		if r.code != exitFail || !strings.Contains(r.stderr, "billing.yaml:4:3: GET /x/{id}: path parameter {id} is not declared") {
			t.Errorf("want exit 1 and the billing spec's error; got %v", r)
		}
		if files := snapshot(t, filepath.Join(dir, "gen")); files != nil {
			t.Errorf("wrote %v", names(files))
		}
	})
	t.Run("earlier output", func(t *testing.T) {
		dir := shop(t)
		cfg := filepath.Join(dir, "services.yaml")
		if r := tpgen(t, "-config", cfg); r.code != exitOK {
			t.Fatalf("%v", r)
		}
		before := snapshot(t, filepath.Join(dir, "gen"))
		// orders changes (its output would change), billing breaks.
		orders := filepath.Join(dir, "specs", "orders.yaml")
		writeFile(t, orders, strings.Replace(readFile(t, orders), "title: Orders", "title: Orders Renamed", 1))
		writeFile(t, filepath.Join(dir, "specs", "billing.yaml"), "")
		r := tpgen(t, "-config", cfg)
		if r.code != exitFail || !strings.Contains(r.stderr, "billing.yaml: spec file is empty") {
			t.Errorf("want exit 1 and the billing spec's error; got %v", r)
		}
		after := snapshot(t, filepath.Join(dir, "gen"))
		if !slices.Equal(names(after), names(before)) {
			t.Fatalf("files changed from %v to %v", names(before), names(after))
		}
		for n := range before {
			if after[n] != before[n] {
				t.Errorf("%s was rewritten", n)
			}
		}
	})
}

func TestSelectService(t *testing.T) {
	dir := shop(t)
	cfg := filepath.Join(dir, "services.yaml")
	if r := tpgen(t, "-config", cfg, "-service", "orders"); r.code != exitOK {
		t.Fatalf("%v", r)
	}
	got := names(snapshot(t, filepath.Join(dir, "gen")))
	if len(got) == 0 || !slices.ContainsFunc(got, func(n string) bool { return strings.HasPrefix(n, "orders/") }) ||
		slices.ContainsFunc(got, func(n string) bool { return !strings.HasPrefix(n, "orders/") && n != ".tpgen-manifest" }) {
		t.Errorf("-service orders generated %v", got)
	}
	// -check with -service looks at that service only.
	if r := tpgen(t, "-config", cfg, "-service", "orders", "-check"); r.code != exitOK {
		t.Errorf("-check -service orders: %v", r)
	}

	r := tpgen(t, "-config", cfg, "-service", "ordrs")
	if r.code != exitFail || !strings.Contains(r.stderr, `-service "ordrs": no such service`) || !strings.Contains(r.stderr, "(did you mean orders?)") {
		t.Errorf("unknown -service: want exit 1 and a suggestion; got %v", r)
	}
}

func TestSingleSpec(t *testing.T) {
	dir := shop(t)
	out := filepath.Join(dir, "client", "orders")
	r := tpgen(t, "-spec", filepath.Join(dir, "specs", "orders.yaml"), "-package", "orders", "-out", out,
		"-base-url", "https://orders.internal.example.com/v2", "-grant", "client_credentials")
	if r.code != exitOK || r.stdout != "" || r.stderr != "" {
		t.Fatalf("want exit 0 and no output; got %v", r)
	}
	client := readFile(t, filepath.Join(out, "client.go"))
	for _, want := range []string{`"https://orders.internal.example.com/v2"`, "runtime.GrantClientCredentials", "package orders\n", "// source: ../../specs/orders.yaml\n"} {
		if !strings.Contains(client, want) {
			t.Errorf("client.go lacks %s", want)
		}
	}
	if r := tpgen(t, "-spec", filepath.Join(dir, "specs", "orders.yaml"), "-package", "orders", "-out", out,
		"-base-url", "https://orders.internal.example.com/v2", "-grant", "client_credentials", "-check"); r.code != exitOK {
		t.Errorf("-check in single-spec mode: %v", r)
	}
}

// TestLenient: a broken spec fails by default and generates with -lenient,
// each repair a warning on every run (not only with -v), at its place.
func TestLenient(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "broken.yaml")
	writeFile(t, spec, "openapi: 3.0.3\ninfo: {title: Broken, version: \"1\"}\nservers: [{url: \"https://api.example.com\"}]\npaths:\n"+
		"  /pets/{id}:\n    get:\n      responses:\n        \"200\": {description: OK, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}\n")
	out := filepath.Join(dir, "out")
	if r := tpgen(t, "-spec", spec, "-package", "pets", "-out", out); r.code != exitFail || !strings.Contains(r.stderr, `broken.yaml:8:79: failed to resolve "components" in fragment in URI: "#/components/schemas/Pet"`) {
		t.Errorf("strict: want exit 1 and the dangling $ref at its place; got %v", r)
	}
	r := tpgen(t, "-spec", spec, "-package", "pets", "-out", out, "-lenient")
	want := []string{
		"tpgen: warning: pets: " + spec + `:8:78: $ref "#/components/schemas/Pet": ` + spec + ` has no "components" at its top level: typed as raw JSON (json.RawMessage) (lenient)`,
		"tpgen: warning: pets: " + spec + `:5:3: GET /pets/{id}: path parameter {id} is not declared: sent as a required string parameter (lenient)`,
	}
	if r.code != exitOK || r.stdout != "" || r.stderr != strings.Join(want, "\n")+"\n" {
		t.Fatalf("lenient: want exit 0 and\n%s\ngot %v", strings.Join(want, "\n"), r)
	}
	ops := readFile(t, filepath.Join(out, "operations.go"))
	if !strings.Contains(ops, "func (c *Client) GetPetsByID(ctx context.Context, id string, opts ...runtime.CallOption) (json.RawMessage, error)") {
		t.Errorf("operations.go lacks the repaired method:\n%s", ops)
	}
}

// TestImportPath: the README names the package by the import path the
// enclosing go.mod gives it.
func TestImportPath(t *testing.T) {
	dir := shop(t)
	writeFile(t, filepath.Join(dir, "go.mod"), "// The shop.\nmodule \"example.com/shop\"\n\ngo 1.26\n")
	if r := tpgen(t, "-config", filepath.Join(dir, "services.yaml")); r.code != exitOK {
		t.Fatalf("%v", r)
	}
	orders := filepath.Join(dir, "gen", "orders")
	if readme := readFile(t, filepath.Join(orders, "README.md")); !strings.Contains(readme, `"example.com/shop/gen/orders"`) {
		t.Errorf("README.md does not import example.com/shop/gen/orders:\n%s", readme)
	}
	// With the import path known, the types go to the model subpackage and
	// the client re-exports them.
	if got := names(snapshot(t, orders)); !slices.Contains(got, "model/models.go") || !slices.Contains(got, "types.go") || slices.Contains(got, "models.go") {
		t.Errorf("want model/models.go and types.go, not models.go; got %v", got)
	}
	if types := readFile(t, filepath.Join(orders, "types.go")); !strings.Contains(types, `"example.com/shop/gen/orders/model"`) {
		t.Errorf("types.go does not import the model package:\n%s", types)
	}
	// Without it (go.mod gone), the types move back: the model package's
	// files are stale, -check says so and generating removes them.
	if err := os.Remove(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatal(err)
	}
	r := tpgen(t, "-config", filepath.Join(dir, "services.yaml"), "-check")
	if stale := filepath.Join(orders, "model", "models.go") + " (stale: no longer generated)"; r.code != exitFail || !slices.Contains(outOfDate(r), stale) {
		t.Errorf("-check: want %s listed as stale; got %v", stale, r)
	}
	if r := tpgen(t, "-config", filepath.Join(dir, "services.yaml")); r.code != exitOK {
		t.Fatalf("%v", r)
	}
	if got := names(snapshot(t, orders)); slices.Contains(got, "model/models.go") || slices.Contains(got, "types.go") || !slices.Contains(got, "models.go") {
		t.Errorf("want models.go only; got %v", got)
	}
}

func TestInit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "services.yaml")
	r := tpgen(t, "init", path)
	if r.code != exitOK || !strings.Contains(r.stdout, "wrote "+path) {
		t.Fatalf("init: %v", r)
	}
	written := readFile(t, path)

	// The starter file is valid but for its spec, which the user has yet to add.
	_, err := config.Load(path)
	var errs config.Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		t.Fatalf("config.Load of the starter file: %v, want errors about its spec", err)
	}
	for _, e := range errs {
		if !strings.Contains(e.Msg, "spec") || !strings.Contains(e.Msg, "does not exist") {
			t.Errorf("the starter file has a problem beside its missing spec: %v", e)
		}
	}

	r = tpgen(t, "init", path)
	if r.code != exitFail || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("init over an existing file: want exit 1; got %v", r)
	}
	if readFile(t, path) != written {
		t.Error("init overwrote the file")
	}

	t.Run("default file", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		writeFile(t, "services.yaml", "mine\n")
		if r := tpgen(t, "init"); r.code != exitFail || readFile(t, "services.yaml") != "mine\n" {
			t.Errorf("init over ./services.yaml: %v", r)
		}
		os.Remove("services.yaml")
		if r := tpgen(t, "init"); r.code != exitOK || readFile(t, "services.yaml") != written {
			t.Errorf("init: %v", r)
		}
	})

	// The directories the file goes into are made; a file where one
	// should be is an error, and nothing is written.
	t.Run("new directories", func(t *testing.T) {
		t.Chdir(t.TempDir())
		name := filepath.Join("services", "shop", "services.yaml")
		if r := tpgen(t, "init", name); r.code != exitOK || readFile(t, name) != written {
			t.Fatalf("init %s: %v", name, r)
		}
		writeFile(t, "taken", "a file\n")
		if r := tpgen(t, "init", filepath.Join("taken", "services.yaml")); r.code != exitFail || readFile(t, "taken") != "a file\n" {
			t.Errorf("init under a file: %v", r)
		}
	})
}

func TestVersion(t *testing.T) {
	r := tpgen(t, "version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "tpgen ") || !strings.Contains(r.stdout, "(runtime "+tpruntime.Version+")") {
		t.Errorf("version: want the runtime version %s; got %v", tpruntime.Version, r)
	}
}

func TestSchema(t *testing.T) {
	r := tpgen(t, "schema")
	if r.code != exitOK || !json.Valid([]byte(r.stdout)) {
		t.Fatalf("schema: want exit 0 and JSON; got exit %d and %d bytes", r.code, len(r.stdout))
	}
	var s struct {
		Schema string `json:"$schema"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || s.Schema == "" {
		t.Errorf("schema: not a JSON Schema ($schema = %q, %v)", s.Schema, err)
	}
}
