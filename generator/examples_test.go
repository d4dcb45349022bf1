package generator_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/generator/config"
)

// TestExamplesAreFresh fails when examples/gen (and internal/roundtrip/gen)
// is not exactly what tpgen generates from its services.yaml now.
func TestExamplesAreFresh(t *testing.T) {
	for _, dir := range []string{"examples", "internal/roundtrip"} {
		t.Run(dir, func(t *testing.T) { checkFresh(t, dir) })
	}
}

func checkFresh(t *testing.T, dir string) {
	cfg, err := config.Load(filepath.Join("..", dir, "services.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	svcs, err := generator.FromConfig(cfg, nil, "github.com/tpgen/tpgen/"+dir+"/gen")
	if err != nil {
		t.Fatal(err)
	}
	out, err := generator.Generate(svcs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, f := range out.Files {
		want[filepath.Clean(f.Path)] = true
		got, err := os.ReadFile(f.Path)
		if err != nil {
			t.Errorf("%s is not checked in: run go run ./cmd/tpgen -config %s/services.yaml", f.Path, dir)
			continue
		}
		if !bytes.Equal(got, f.Data) {
			t.Errorf("%s is stale: run go run ./cmd/tpgen -config %s/services.yaml", f.Path, dir)
		}
	}
	files, _ := filepath.Glob(filepath.Join(cfg.OutputDir, "*", "*"))
	models, _ := filepath.Glob(filepath.Join(cfg.OutputDir, "*", generator.ModelDir, "*"))
	for _, f := range append(files, models...) {
		if st, err := os.Stat(f); err == nil && st.IsDir() {
			continue
		}
		if !want[filepath.Clean(f)] {
			t.Errorf("%s is not generated any more: remove it (tpgen does when it writes)", f)
		}
	}
}
