package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestManyConfigs: -config a -config b, and a glob, generate what running
// each alone does, byte for byte (the manifest they share included), in one
// process.
func TestManyConfigs(t *testing.T) {
	alone, a, b := twoConfigs(t)
	for _, cfg := range []string{a, b} {
		if r := tpgen(t, "-config", cfg); r.code != exitOK {
			t.Fatalf("%v", r)
		}
	}
	want := snapshot(t, filepath.Join(alone, "gen"))
	for _, args := range [][]string{
		{"-config", "services.yaml", "-config", "b.yaml"},
		{"-config", "b.yaml", "-config", "services.yaml"},
		{"-config", "*.yaml"},
		{"-config", "*.yaml", "-config", "b.yaml"}, // named twice: once
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir, _, _ := twoConfigs(t)
			t.Chdir(dir)
			asked := countGenerated(t)
			if r := tpgen(t, args...); r.code != exitOK || r.stderr != "" {
				t.Fatalf("%v", r)
			}
			if got := snapshot(t, "gen"); !maps(got, want) {
				t.Errorf("one run of both wrote %v, not what two runs write (%v)", names(got), names(want))
			}
			if slices.Sort(*asked); !slices.Equal(*asked, []string{"billing", "orders", "stock"}) {
				t.Errorf("generated %v", *asked)
			}
			if r := tpgen(t, append(args, "-check")...); r.code != exitOK {
				t.Errorf("-check: %v", r)
			}
		})
	}
}

// TestManyConfigsErrors: an error names the configuration it belongs to,
// all of them are reported (in the order the configurations were named,
// each in service order, however the work was scheduled), and nothing of any
// configuration is written.
func TestManyConfigsErrors(t *testing.T) {
	dir, a, b := twoConfigs(t)
	for i := range 3 {
		writeFile(t, filepath.Join(dir, "specs", fmt.Sprintf("bad%d.yaml", i)), fmt.Sprintf("openapi: 3.0.3\ninfo: {title: Bad, version: \"1\"}\npaths:\n  /x%d: {get: {responses: {\"200\": {description: ok, content: {application/json: {schema: {$ref: \"#/components/schemas/Missing%d\"}}}}}}}\n", i, i))
	}
	writeFile(t, b, readFile(t, b)+"  bad2: {spec: specs/bad2.yaml}\n  bad0: {spec: specs/bad0.yaml}\n")
	writeFile(t, a, readFile(t, a)+"  bad1: {spec: specs/bad1.yaml}\n")
	var first string
	for i := range 5 {
		r := tpgen(t, "-config", a, "-config", b)
		if r.code != exitFail {
			t.Fatalf("want exit 1; got %v", r)
		}
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], a+": ") || !strings.Contains(lines[0], "Missing1") ||
			!strings.HasPrefix(lines[1], b+": ") || !strings.Contains(lines[1], "Missing0") ||
			!strings.HasPrefix(lines[2], b+": ") || !strings.Contains(lines[2], "Missing2") {
			t.Fatalf("want three errors, each naming its services.yaml, in order; got %v", r)
		}
		if i == 0 {
			first = r.stderr
		} else if r.stderr != first {
			t.Errorf("run %d reported\n%s\nthe first\n%s", i+1, r.stderr, first)
		}
	}
	if snapshot(t, filepath.Join(dir, "gen")) != nil {
		t.Error("a run with errors wrote output")
	}

	// Configuration errors name their file too, and all are reported.
	writeFile(t, a, "version: 1\nservices:\n  orders: {spec: specs/orders.yaml, grnat: none}\n")
	writeFile(t, b, "version: 1\nservices:\n  stock: {spec: specs/nope.yaml}\n")
	r := tpgen(t, "-config", a, "-config", b)
	if r.code != exitFail || !strings.Contains(r.stderr, a+":3:") || !strings.Contains(r.stderr, b+":3:") {
		t.Errorf("want both services.yaml's errors at their lines; got %v", r)
	}
}

// TestManyConfigsRefused: two configurations of one run cannot generate one
// package, a glob that matches nothing is an error, and the flags that
// replace one configuration's output (or select its services) take one.
func TestManyConfigsRefused(t *testing.T) {
	dir, a, b := twoConfigs(t)
	writeFile(t, b, "version: 1\noutput: gen\nservices:\n  orders: {spec: specs/orders.yaml}\n")
	r := tpgen(t, "-config", a, "-config", b)
	if r.code != exitFail || !strings.Contains(r.stderr, a+" and "+b+" both generate into "+filepath.Join(dir, "gen", "orders")) {
		t.Errorf("want the overlap refused; got %v", r)
	}
	if snapshot(t, filepath.Join(dir, "gen")) != nil {
		t.Error("the refused run wrote output")
	}
	if r := tpgen(t, "-config", filepath.Join(dir, "nothing", "*.yaml")); r.code != exitFail || !strings.Contains(r.stderr, "no file matches") {
		t.Errorf("a glob that matches nothing: %v", r)
	}
	for _, flag := range [][]string{{"-service", "orders"}, {"-out", "x"}, {"-import-path", "x.com/y"}} {
		if r := tpgen(t, append([]string{"-config", a, "-config", b}, flag...)...); r.code != exitUsage {
			t.Errorf("%s with two configurations: want a usage error; got %v", flag[0], r)
		}
	}
}

// TestConcurrentDeterministic: many services of one configuration,
// generated concurrently, give the same bytes as one at a time.
func TestConcurrentDeterministic(t *testing.T) {
	dir := shop(t)
	cfg := filepath.Join(dir, "services.yaml")
	var services strings.Builder
	for i := range 12 {
		fmt.Fprintf(&services, "  svc%02d: {spec: specs/%s}\n", i, []string{"orders.yaml", "billing.yaml"}[i%2])
	}
	writeFile(t, cfg, "version: 1\noutput: gen\nservices:\n"+services.String())
	if r := tpgen(t, "-config", cfg); r.code != exitOK {
		t.Fatalf("%v", r)
	}
	all := snapshot(t, filepath.Join(dir, "gen"))
	one := shop(t)
	writeFile(t, filepath.Join(one, "services.yaml"), readFile(t, cfg))
	for i := range 12 {
		if r := tpgen(t, "-config", filepath.Join(one, "services.yaml"), "-service", fmt.Sprintf("svc%02d", i)); r.code != exitOK {
			t.Fatalf("%v", r)
		}
	}
	if got := snapshot(t, filepath.Join(one, "gen")); !maps(got, all) {
		t.Errorf("one service at a time wrote %d files, all at once %d, or their bytes differ", len(got), len(all))
	}
}
