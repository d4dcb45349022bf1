package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator"
)

// monorepo lays out, in a new directory, configs directories each with a
// services.yaml of perConfig services, the services' specs taken from the
// corpus in turn (largest first, then again from the smallest), every
// service with an https base_url (so that no spec's server is warned about:
// a warned package is generated on every run). It returns the directory and
// the spec files in the order they were used.
func monorepo(tb testing.TB, corpus string, configs, perConfig int) (string, []string) {
	tb.Helper()
	ents, err := os.ReadDir(corpus)
	if err != nil {
		tb.Fatal(err)
	}
	type spec struct {
		name string
		size int64
	}
	var specs []spec
	for _, e := range ents {
		if ext := filepath.Ext(e.Name()); ext != ".json" && ext != ".yaml" && ext != ".yml" {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			tb.Fatal(err)
		}
		specs = append(specs, spec{e.Name(), fi.Size()})
	}
	if len(specs) == 0 {
		tb.Skipf("no OpenAPI documents in %s", corpus)
	}
	slices.SortFunc(specs, func(a, b spec) int { return int(b.size - a.size) })
	order := slices.Clone(specs)
	for i := len(specs) - 1; len(order) < configs*perConfig; i-- {
		if i < 0 {
			i = len(specs) - 1
		}
		order = append(order, specs[i])
	}
	dir := tb.TempDir()
	for _, s := range specs {
		data, err := os.ReadFile(filepath.Join(corpus, s.name))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "specs"), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "specs", s.name), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	nonAlnum := regexp.MustCompile(`[^a-z0-9]`)
	var used []string
	for c := range configs {
		var b strings.Builder
		b.WriteString("version: 1\noutput: gen\nservices:\n")
		for i := range perConfig {
			s := order[c*perConfig+i].name
			used = append(used, filepath.Join(dir, "specs", s))
			name := fmt.Sprintf("s%d%s", i, nonAlnum.ReplaceAllString(strings.ToLower(strings.TrimSuffix(s, filepath.Ext(s))), ""))
			fmt.Fprintf(&b, "  %s:\n    spec: ../specs/%s\n    base_url: https://%s.example.com\n", name, s, name)
		}
		cfg := filepath.Join(dir, fmt.Sprintf("c%02d", c), "services.yaml")
		if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir, used
}

// BenchmarkManyConfigs generates 50 services of the corpus, in 10
// services.yaml files, in one run (tpgen -config 'c*/services.yaml'):
// from nothing (full), with nothing changed (noop: no spec is loaded), and
// with one spec changed (one service generated). services/op is how many
// services each run generated.
//
//	TPGEN_CORPUS=../shared/corpus go test ./cmd/tpgen -run '^$' -bench ManyConfigs -benchtime 3x
func BenchmarkManyConfigs(b *testing.B) {
	corpus := os.Getenv("TPGEN_CORPUS")
	if corpus == "" {
		b.Skip("TPGEN_CORPUS is not set; set it to a folder of OpenAPI documents (../shared/corpus)")
	}
	if _, err := os.Stat(corpus); err != nil && !filepath.IsAbs(corpus) {
		corpus = filepath.Join("..", "..", corpus)
	}
	dir, used := monorepo(b, corpus, 10, 5)
	old := toolIdentity
	toolIdentity = "tpgen v0.0.0-bench go1.26 deps:000000000000"
	defer func() { toolIdentity = old }()
	defer debug.SetGCPercent(debug.SetGCPercent(200)) // as main does
	generated := 0
	orig := generate
	generate = func(svcs []*generator.Job) []generator.JobResult {
		generated += len(svcs)
		return orig(svcs)
	}
	defer func() { generate = orig }()
	args := []string{"-config", filepath.Join(dir, "c*", "services.yaml")}
	runOnce := func(b *testing.B) {
		if code := run(args, io.Discard, io.Discard); code != exitOK {
			var stderr strings.Builder
			run(args, io.Discard, &stderr)
			b.Fatalf("exit %d:\n%s", code, stderr.String())
		}
	}
	removeOutputs := func(b *testing.B) {
		for c := range 10 {
			if err := os.RemoveAll(filepath.Join(dir, fmt.Sprintf("c%02d", c), "gen")); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("full", func(b *testing.B) {
		generated = 0
		for b.Loop() {
			b.StopTimer()
			removeOutputs(b)
			b.StartTimer()
			runOnce(b)
		}
		b.ReportMetric(float64(generated)/float64(b.N), "services/op")
	})
	b.Run("noop", func(b *testing.B) {
		runOnce(b)
		generated = 0
		for b.Loop() {
			runOnce(b)
		}
		b.ReportMetric(float64(generated)/float64(b.N), "services/op")
	})
	b.Run("one-spec-changed", func(b *testing.B) {
		runOnce(b)
		// The smallest spec that one service uses.
		var spec string
		for i := len(used) - 1; i >= 0 && spec == ""; i-- {
			if n := len(slices.DeleteFunc(slices.Clone(used), func(u string) bool { return u != used[i] })); n == 1 {
				spec = used[i]
			}
		}
		data, err := os.ReadFile(spec)
		if err != nil {
			b.Fatal(err)
		}
		generated = 0
		i := 0
		for b.Loop() {
			b.StopTimer()
			i++
			if err := os.WriteFile(spec, append(slices.Clone(data), fmt.Sprintf("\n%s\n", strings.Repeat(" ", i%2))...), 0o644); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			runOnce(b)
		}
		b.ReportMetric(float64(generated)/float64(b.N), "services/op")
	})
}
