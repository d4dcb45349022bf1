package runtime_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// TestAuthPrintsNoSecrets: the attack is an application that logs its
// configuration, the Auth it passes and the Service it made, with fmt (every
// verb, as a value, a pointer, inside a struct), slog (text and JSON) and
// encoding/json: none shows the client secret, the actor token, an API key,
// the password or the static bearer token.
func TestAuthPrintsNoSecrets(t *testing.T) {
	const (
		clientSecret = "cs-secret-Ub72Qw"
		actor        = "at-secret-Mk41Zp"
		apiKey       = "ak-secret-Lr95Tv"
		password     = "pw-secret-Xc38Jn"
		bearer       = "bt-secret-Gh07Ds"
	)
	secrets := []string{clientSecret, actor, apiKey, password, bearer}
	a := runtime.Auth{Grant: runtime.GrantClientCredentials, TokenURL: "https://idp.example/token", ClientID: "orders-client",
		ClientSecret: clientSecret, ActorToken: actor, Scopes: []string{"orders.read"},
		APIKeys: map[string]string{"headerKey": apiKey}, Username: "ada", Password: password, BearerToken: bearer}
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "orders", BaseURL: "https://orders.example/v1"}, envMap(nil), runtime.WithAuth(a))
	if err != nil {
		t.Fatal(err)
	}
	type config struct {
		Auth    runtime.Auth
		AuthPtr *runtime.Auth
		Service *runtime.Service
		Any     any
	}
	values := map[string]any{"Auth": a, "*Auth": &a, "*Service": svc,
		"struct holding them": config{Auth: a, AuthPtr: &a, Service: svc, Any: a}, "slice of Auths": []runtime.Auth{a}}
	leaks := func(where, out string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s shows %q: %s", where, s, out)
			}
		}
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%T %[1]v", "%10.3v"} {
			leaks(name+" with "+verb, fmt.Sprintf(verb, v))
		}
		for _, h := range []func(io.Writer) slog.Handler{
			func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
			func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
		} {
			var b bytes.Buffer
			slog.New(h(&b)).Info("config", "v", v, slog.Group("g", "v", v))
			leaks(name+" in slog", b.String())
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		leaks("json.Marshal("+name+")", string(b))
	}
	// What a description still says, so that it is useful.
	if s := fmt.Sprint(a); !strings.Contains(s, "orders-client") || !strings.Contains(s, "[redacted]") || !strings.Contains(s, `"headerKey"`) {
		t.Errorf("Auth prints as %s", s)
	}
	if s := fmt.Sprintf("%+v", svc); !strings.Contains(s, "orders") || !strings.Contains(s, "https://orders.example/v1") {
		t.Errorf("Service prints as %s", s)
	}
}

// TestAuthCopiesWhatItIsGiven: the application changes the map and the
// slices it gave WithAuth, after WithAuth and again after NewService (a
// config struct reused for the next service): the service keeps sending the
// key and asking for the scopes it was made with.
func TestAuthCopiesWhatItIsGiven(t *testing.T) {
	srv, _ := wireServer(t)
	f := &countingFetcher{}
	keys := map[string]string{"headerKey": "hk-1"}
	scopes := []string{"orders.read"}
	opt := runtime.WithAuth(runtime.Auth{Grant: runtime.GrantClientCredentials, APIKeys: keys, Scopes: scopes, Tokens: token.Config{Fetcher: f}})
	keys["headerKey"], scopes[0] = "hk-changed-before-New", "changed.before.New"
	svc, obs := schemeService(t, srv.URL, nil, opt)
	keys["headerKey"], scopes[0] = "hk-changed-after-New", "changed.after.New"
	keys["oauth"] = "added"
	s, _, err := callWith(t, svc, obs, [][]string{{"headerKey", "oauth"}}, "1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Key != "hk-1" {
		t.Errorf("the server got key %q, want hk-1", s.Key)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) != 1 || strings.Join(f.reqs[0].Scopes, " ") != "orders.read" {
		t.Errorf("token requests %v, want one for orders.read", f.reqs)
	}
}
