package runtime

import (
	"testing"

	"github.com/tpgen/tpgen/runtime/token"
)

// TestCacheKeyFieldsCannotShift: values that contain the separators, or
// that move text between neighbouring fields, give different keys.
func TestCacheKeyFieldsCannotShift(t *testing.T) {
	sets := [][]string{
		{"orders", "scope-a scope-b", ""},
		{"orders", "scope-a", "scope-b"},
		{"orders|8:scope-a", "", ""},
		{"orders", "", "scope-a scope-b"},
		{"orders\x00", "scope-a scope-b", ""},
		{"", "orders", "scope-a scope-b"},
	}
	seen := map[string]int{}
	for i, s := range sets {
		k := cacheKey("cc", s...)
		if j, ok := seen[k]; ok {
			t.Errorf("fields %q and %q give one key %q", sets[j], s, k)
		}
		seen[k] = i
	}
}

func TestFetcherID(t *testing.T) {
	fv := func() token.Fetcher { return &token.Endpoint{} }
	a, b := fv(), fv()
	if fetcherID(a, false) == fetcherID(b, false) || fetcherID(a, false) != fetcherID(a, false) {
		t.Error("pointer fetchers: instances must differ, one instance must not")
	}
	if fetcherID(a, true) != "endpoint" {
		t.Error("the runtime's own endpoint fetcher")
	}
}
