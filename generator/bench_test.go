package generator

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/internal/load"
)

// Generation speed on the corpus's biggest documents (skipped without
// TPGEN_CORPUS). BenchmarkLoad compares kin-openapi's own loader with
// loadSpec, which adds tpgen's checks (nesting, aliases, version) before it:
// the rest of Generate is BenchmarkGenerate minus load.
//
//	TPGEN_CORPUS=/path/to/corpus go test -run '^$' -bench . -benchtime 3x ./generator

func corpusFile(b *testing.B, name string) string {
	dir := os.Getenv("TPGEN_CORPUS")
	if dir == "" {
		b.Skip("TPGEN_CORPUS is not set")
	}
	if _, err := os.Stat(dir); err != nil && !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir)
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		b.Skip(err)
	}
	return p
}

func BenchmarkLoad(b *testing.B) {
	for _, name := range []string{"github.json", "stripe.yaml"} {
		path := corpusFile(b, name)
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/kin-openapi", func(b *testing.B) {
			for b.Loop() {
				l := openapi3.NewLoader()
				if _, err := l.LoadFromData(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/tpgen", func(b *testing.B) {
			for b.Loop() {
				if _, err := load.LoadSpec(path, name, "", false, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGenerate generates a package from each of the corpus's biggest
// documents, in memory, as tpgen's binary does (garbage collected at 200%):
// ns/op, B/op with -benchmem, and peak-MB, the most memory the Go runtime
// held from the system during a run (sampled every millisecond, after the
// previous run's memory was returned): about the RSS a run of the binary
// adds. BenchmarkGitHub in cmd/tpgen times the binary itself.
func BenchmarkGenerate(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(200))
	for _, name := range []string{"github.json", "stripe.yaml"} {
		path := corpusFile(b, name)
		b.Run(name, func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				b.StopTimer()
				debug.FreeOSMemory()
				b.StartTimer()
				peak = max(peak, peakMemory(func() {
					if _, err := Generate([]*Job{{Name: "api", Spec: path, SpecDisplay: name, Source: name, OutDir: "out"}}); err != nil {
						b.Fatal(err)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
		})
	}
}

// peakMemory runs f and returns the most memory the Go runtime held from the
// system meanwhile (heap, stacks and its own, less what it had returned),
// sampled every millisecond.
func peakMemory(f func()) uint64 {
	samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	held := func() uint64 {
		metrics.Read(samples)
		return samples[0].Value.Uint64() - samples[1].Value.Uint64()
	}
	done, peak := make(chan struct{}), make(chan uint64)
	go func() {
		most := held()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				peak <- max(most, held())
				return
			case <-tick.C:
				most = max(most, held())
			}
		}
	}()
	f()
	close(done)
	return <-peak
}
