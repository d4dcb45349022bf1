package load

import (
	"strings"
	"testing"
)

func TestSplitPathQuery(t *testing.T) {
	for _, tc := range []struct {
		key, path, query, err string
	}{
		{"/pets", "/pets", "", ""},
		{"/responses/compact?beta=true", "/responses/compact", "beta=true", ""},
		{"/x?a=1&&b", "/x", "a=1&b", ""},
		{"/x?q=a b&r=%2F", "/x", "q=a+b&r=%2F", ""},
		{"/x?a=1#frag", "/x", "a=1", ""},
		{"/x?", "/x", "", ""},
		{"/x?q={q}", "", "", "holds a template variable"},
		{"/x?a=%zz", "", "", "not a query of name=value pairs"},
		{"/x?=1", "", "", "not a query of name=value pairs"},
	} {
		path, query, err := SplitPathQuery(tc.key)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.key, err, tc.err)
			}
			continue
		}
		if err != nil || path != tc.path || query != tc.query {
			t.Errorf("%q: %q, %q, %v; want %q, %q", tc.key, path, query, err, tc.path, tc.query)
		}
	}
}
