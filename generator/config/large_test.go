package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLargeInputs: a file near the size limit, full of what the loader
// checks one by one, is judged in time linear in its size.
func TestLargeInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	var ops, services, scopes strings.Builder
	for i := 0; ops.Len() < MaxFileSize/4; i++ {
		fmt.Fprintf(&ops, "op%d, ", i)
		fmt.Fprintf(&scopes, "s%d, ", i)
	}
	for i := 0; services.Len() < MaxFileSize/4; i++ {
		fmt.Fprintf(&services, "  s%d: {spec: ../specs/orders.yaml, auth: {grnt: x}}\n", i)
	}
	for name, data := range map[string]string{
		"long lists":                "version: 1\nservices:\n  orders:\n    spec: ../specs/orders.yaml\n    include: {operations: [" + ops.String() + "]}\n    exclude: {operations: [" + ops.String() + "]}\n    auth: {scopes: [" + scopes.String() + "]}\n",
		"many services with errors": "version: 1\nservices:\n" + services.String(),
		"a long key":                "version: 1\n" + strings.Repeat("k", MaxFileSize-100) + ": 1\n",
	} {
		t.Run(name, func(t *testing.T) {
			if len(data) > MaxFileSize {
				t.Fatalf("test input is %d bytes, over the limit", len(data))
			}
			start := time.Now()
			_, err := Parse("testdata/valid/large.yaml", []byte(data))
			if err == nil {
				t.Fatal("no error")
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("Parse of %d bytes took %v", len(data), d)
			}
			t.Logf("%d bytes: %v", len(data), time.Since(start))
		})
	}
}
