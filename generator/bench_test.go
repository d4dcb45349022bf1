package generator

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
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
				if _, err := loadSpec(path, name, "", false, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, name := range []string{"github.json", "stripe.yaml"} {
		path := corpusFile(b, name)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Generate([]*Service{{Name: "api", Spec: path, SpecDisplay: name, Source: name, OutDir: "out"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
