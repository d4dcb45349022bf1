package runtime_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestRuntimeDependencies lists every package a build that imports the
// runtime compiles: the standard library, golang.org/x/oauth2 and
// golang.org/x/sync, and tpgen's own. The Redis store and the OpenTelemetry
// package are modules of their own so that none of theirs (a Redis client,
// OpenTelemetry) is among them.
func TestRuntimeDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}",
		"github.com/tpgen/tpgen/runtime/...").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	allowed := []string{"github.com/tpgen/tpgen/runtime", "github.com/tpgen/tpgen/internal/loopback",
		"github.com/tpgen/tpgen/internal/envname", "github.com/tpgen/tpgen/internal/keyheader", "golang.org/x/oauth2", "golang.org/x/sync"}
	var n int
	for _, p := range strings.Fields(string(out)) {
		n++
		ok := false
		for _, a := range allowed {
			if p == a || strings.HasPrefix(p, a+"/") {
				ok = true
			}
		}
		if !ok {
			t.Errorf("a build that imports the runtime compiles %s", p)
		}
	}
	if n == 0 {
		t.Fatal("go list named no package")
	}
}
