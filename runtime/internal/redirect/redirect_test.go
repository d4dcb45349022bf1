package redirect

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPolicies: a token request sees the redirect itself; a metadata request
// follows it within its origin and refuses another origin.
func TestPolicies(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("another origin was asked") }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, "/landing", http.StatusTemporaryRedirect)
		case "/other":
			http.Redirect(w, r, other.URL+"/landing", http.StatusTemporaryRedirect)
		case "/landing":
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()
	resp, err := Never(srv.Client()).Get(srv.URL + "/same")
	if err != nil || resp.StatusCode != http.StatusTemporaryRedirect {
		t.Errorf("Never: %v, %v; want the 307 itself", resp, err)
	}
	resp, err = SameOrigin(srv.Client()).Get(srv.URL + "/same")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("SameOrigin, same origin: %v, %v", resp, err)
	}
	if _, err = SameOrigin(srv.Client()).Get(srv.URL + "/other"); err == nil || !strings.Contains(err.Error(), "another origin") {
		t.Errorf("SameOrigin, another origin: %v", err)
	}
}
