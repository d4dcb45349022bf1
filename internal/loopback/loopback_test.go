package loopback

import "testing"

func TestIs(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "localhost.": true, "api.localhost": true,
		"127.0.0.1": true, "127.9.8.7": true, "::1": true, "0:0:0:0:0:0:0:1": true,
		"localhost.example.com": false, "127.0.0.1.nip.io": false, "10.0.0.1": false, "::": false,
		"0.0.0.0": false, "example.com": false, "": false, "mylocalhost": false,
	} {
		if got := Is(host); got != want {
			t.Errorf("Is(%q) = %v, want %v", host, got, want)
		}
	}
}
