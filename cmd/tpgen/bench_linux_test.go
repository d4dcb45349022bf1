//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkGitHub runs the tpgen binary on the corpus's github.json (13 MB,
// 1,223 operations) in single-spec mode, into a Go module (so that the
// package has its model subpackage, as in bench/peers), as a build step
// would: wall time per run (ns/op), CPU time (cpu-s/op) and the largest peak
// RSS of the runs (maxrss-MB, the kernel's count). Every run starts from an
// empty output directory, so none is a no-op. B/op of the same work, in
// process: BenchmarkGenerate in generator.
//
//	TPGEN_CORPUS=../shared/corpus go test ./cmd/tpgen -run '^$' -bench GitHub -benchtime 5x
func BenchmarkGitHub(b *testing.B) {
	corpus := os.Getenv("TPGEN_CORPUS")
	if corpus == "" {
		b.Skip("TPGEN_CORPUS is not set; set it to a folder of OpenAPI documents (../shared/corpus)")
	}
	if _, err := os.Stat(corpus); err != nil && !filepath.IsAbs(corpus) {
		corpus = filepath.Join("..", "..", corpus)
	}
	spec, err := filepath.Abs(filepath.Join(corpus, "github.json"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(spec); err != nil {
		b.Skip(err)
	}
	bin := tpgenBinary(b)
	mod := b.TempDir()
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module bench.local/github\n\ngo 1.26\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(mod, "github")
	var cpu time.Duration
	var maxRSS int64
	for b.Loop() {
		b.StopTimer()
		if err := os.RemoveAll(out); err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(bin, "-spec", spec, "-package", "github", "-out", out)
		cmd.Dir = mod
		b.StartTimer()
		if data, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, data)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			maxRSS = max(maxRSS, ru.Maxrss) // KiB on Linux
		}
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(maxRSS)/1024, "maxrss-MB")
}
