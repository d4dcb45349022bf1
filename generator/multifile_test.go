package generator

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator/internal/load"
)

// multiFile describes a generated multi-file spec: ops operation files, the
// i-th of which answers with schema file i mod schemas, in refs media types
// (application/json, application/vnd.v1+json, ...: as converted Swagger
// documents list several), each a $ref to that file. pathItems makes each
// file a path item (which kin-openapi resolves itself) rather than an
// operation.
type multiFile struct {
	ops, schemas, refs int
	pathItems          bool
}

// writeMultiFileSpec writes a spec into dir as vendors split theirs: the root
// lists the paths, each path's operation (or path item) is a $ref to a file
// of its own, and each schema refers to the next, so that the schemas form
// one cycle. It returns the root's path.
func writeMultiFileSpec(t testing.TB, dir string, m multiFile) string {
	t.Helper()
	write := func(name, data string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var root strings.Builder
	root.WriteString("openapi: 3.0.3\ninfo: {title: Generated multi-file spec, version: \"1\"}\nservers: [{url: \"https://api.example.com\"}]\npaths:\n")
	for i := range m.ops {
		in := ""
		var op strings.Builder
		if m.pathItems {
			fmt.Fprintf(&root, "  /items%d: {$ref: 'ops/op%d.yaml'}\n", i, i)
			in = "  "
			op.WriteString("get:\n")
		} else {
			fmt.Fprintf(&root, "  /items%d:\n    get: {$ref: 'ops/op%d.yaml'}\n", i, i)
		}
		fmt.Fprintf(&op, "%[1]soperationId: getItem%[2]d\n%[1]ssummary: Operation %[2]d\n%[1]sresponses:\n%[1]s  \"200\":\n%[1]s    description: The item.\n%[1]s    content:\n", in, i)
		for r := range m.refs {
			media := "application/json"
			if r > 0 {
				media = fmt.Sprintf("application/vnd.v%d+json", r)
			}
			fmt.Fprintf(&op, "%s      %s: {schema: {$ref: '../models/s%d.yaml'}}\n", in, media, i%m.schemas)
		}
		write(fmt.Sprintf("ops/op%d.yaml", i), op.String())
	}
	for j := range m.schemas {
		write(fmt.Sprintf("models/s%d.yaml", j), fmt.Sprintf("type: object\ndescription: Schema %d.\nrequired: [id]\nproperties:\n  id: {type: string}\n  name: {type: string}\n  next: {$ref: 's%d.yaml'}\n", j, (j+1)%m.schemas))
	}
	write("spec.yaml", root.String())
	return filepath.Join(dir, "spec.yaml")
}

// TestMultiFileTypes generates specs of 500 operation (or path item) files
// that refer to 100 schema files 500 and 1,000 times (and the schemas to each
// other 100 times): one type per schema file, whatever the number of
// references.
func TestMultiFileTypes(t *testing.T) {
	for _, m := range []multiFile{{ops: 500, schemas: 100, refs: 1}, {ops: 500, schemas: 100, refs: 2}, {ops: 500, schemas: 100, refs: 2, pathItems: true}} {
		path := writeMultiFileSpec(t, t.TempDir(), m)
		out, err := Generate([]*Job{{Name: "api", Spec: path, SpecDisplay: "spec.yaml", Source: "spec.yaml", OutDir: "out"}})
		if err != nil {
			t.Fatal(err)
		}
		if st := out.Stats[0]; st.Operations != 500 || st.Types != 100 {
			t.Errorf("%+v: %d operations and %d types, want 500 and 100", m, st.Operations, st.Types)
		}
	}
}

// BenchmarkMultiFile generates multi-file specs of 500 operation files (one
// per operation) that refer to 100 or 500 schema files, once or ten times
// per operation (500 or 5,000 references; the schemas refer to each other
// another 100 or 500 times): one type per schema file, and time and memory
// follow the schemas, not the references: no file is read or decoded twice.
//
//	go test ./generator -run '^$' -bench MultiFile -benchmem -benchtime 5x
func BenchmarkMultiFile(b *testing.B) {
	for _, c := range []struct{ schemas, refs int }{{100, 1}, {100, 10}, {500, 1}, {500, 10}} {
		path := writeMultiFileSpec(b, b.TempDir(), multiFile{ops: 500, schemas: c.schemas, refs: c.refs})
		b.Run(fmt.Sprintf("schemas=%d/refs=%d", c.schemas, 500*c.refs), func(b *testing.B) {
			b.ReportAllocs()
			var st Stats
			for b.Loop() {
				out, err := Generate([]*Job{{Name: "api", Spec: path, SpecDisplay: "spec.yaml", Source: "spec.yaml", OutDir: "out"}})
				if err != nil {
					b.Fatal(err)
				}
				st = out.Stats[0]
			}
			b.ReportMetric(float64(st.Types), "types")
			b.ReportMetric(float64(st.Lines), "lines")
			b.ReportMetric(float64(st.Load.Microseconds())/1000, "load-ms")
			b.ReportMetric(float64(st.Build.Microseconds())/1000, "model-ms")
			b.ReportMetric(float64(st.Emit.Microseconds())/1000, "emit-ms")
		})
	}
}

// BenchmarkMultiFileLoad compares loading specs whose path items are files
// through the bundle with kin-openapi loading the files itself (as tpgen did
// before bundling), which decodes a referenced file again at every
// reference. (Operations as $refs kin-openapi does not load at all.)
func BenchmarkMultiFileLoad(b *testing.B) {
	for _, c := range []struct{ schemas, refs int }{{100, 1}, {100, 10}, {500, 1}} {
		path := writeMultiFileSpec(b, b.TempDir(), multiFile{ops: 500, schemas: c.schemas, refs: c.refs, pathItems: true})
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		name := fmt.Sprintf("schemas=%d/refs=%d", c.schemas, 500*c.refs)
		b.Run(name+"/bundled", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := load.LoadSpec(path, "spec.yaml", "", false, false); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/kin-openapi", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				refs, err := load.NewRefReader(path, "spec.yaml", "")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := load.LoadOpenAPI3(data, &url.URL{Path: filepath.ToSlash(path)}, refs); err != nil {
					b.Fatal(err)
				}
				refs.Close()
			}
		})
	}
}
