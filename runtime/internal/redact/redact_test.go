package redact

import "testing"

func TestLowerHex(t *testing.T) {
	for in, want := range map[string]string{"": "", "a%2Bb": "a%2bb", "%2F%3D%E2%82%AC": "%2f%3d%e2%82%ac", "%": "%", "%G1%AB": "%G1%ab", "100%": "100%", "%A": "%A"} {
		if got := LowerHex(in); got != want {
			t.Errorf("LowerHex(%q) = %q, want %q", in, got, want)
		}
	}
}
