package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// largeInputs are files near the size limit, full of what the loader checks
// one by one.
func largeInputs() map[string]string {
	var ops, services, scopes strings.Builder
	for i := 0; ops.Len() < MaxFileSize/4; i++ {
		fmt.Fprintf(&ops, "op%d, ", i)
		fmt.Fprintf(&scopes, "s%d, ", i)
	}
	for i := 0; services.Len() < MaxFileSize/4; i++ {
		fmt.Fprintf(&services, "  s%d: {spec: ../specs/orders.yaml, auth: {grnt: x}}\n", i)
	}
	return map[string]string{
		"long lists":                "version: 1\nservices:\n  orders:\n    spec: ../specs/orders.yaml\n    include: {operations: [" + ops.String() + "]}\n    exclude: {operations: [" + ops.String() + "]}\n    auth: {scopes: [" + scopes.String() + "]}\n",
		"many services with errors": "version: 1\nservices:\n" + services.String(),
		"a long key":                "version: 1\n" + strings.Repeat("k", MaxFileSize-100) + ": 1\n",
	}
}

// TestLargeInputs: each large input is judged, with an error, rather than
// taking the loader into a walk that never ends. How fast is
// BenchmarkLargeInputs' business: the bound here is only a hang detector,
// far above what a loaded machine needs (about 15 s), so that it cannot fail
// on a busy one; quadratic work on a file this size would take hours.
func TestLargeInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	for name, data := range largeInputs() {
		t.Run(name, func(t *testing.T) {
			if len(data) > MaxFileSize {
				t.Fatalf("test input is %d bytes, over the limit", len(data))
			}
			start := time.Now()
			_, err := Parse("testdata/valid/large.yaml", []byte(data))
			if err == nil {
				t.Fatal("no error")
			}
			if d := time.Since(start); d > 5*time.Minute {
				t.Errorf("Parse of %d bytes took %v", len(data), d)
			}
			t.Logf("%d bytes: %v", len(data), time.Since(start))
		})
	}
}

// BenchmarkLargeInputs: go test -run '^$' -bench LargeInputs ./generator/config
func BenchmarkLargeInputs(b *testing.B) {
	inputs := largeInputs()
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		data := inputs[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse("testdata/valid/large.yaml", []byte(data)); err == nil {
					b.Fatal("no error")
				}
			}
		})
	}
}
