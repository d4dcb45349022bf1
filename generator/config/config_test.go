package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the .golden and .err files of testdata")

// TestValid loads every testdata/valid/*.yaml and compares the config, and
// the settings each service runs with, to name.golden.
func TestValid(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			cfg, err := Load(file)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := dump(t, cfg)
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			compare(t, golden, got)
		})
	}
}

// TestInvalid loads every testdata/invalid/*.yaml and compares the error
// text to name.err.
func TestInvalid(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			cfg, err := Load(file)
			if err == nil {
				t.Fatalf("Load succeeded: %+v", cfg)
			}
			if cfg != nil {
				t.Errorf("Load returned a config with its error")
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("error %T is not Errors: %v", err, err)
			}
			for i, e := range es {
				if e.File != file {
					t.Errorf("error %d: File = %q, want %q", i, e.File, file)
				}
				if i > 0 && (e.Line < es[i-1].Line || e.Line == es[i-1].Line && e.Col < es[i-1].Col) {
					t.Errorf("error %d is out of order: %v after %v", i, e, es[i-1])
				}
			}
			compare(t, strings.TrimSuffix(file, ".yaml")+".err", []byte(err.Error()+"\n"))
		})
	}
}

func compare(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s--- want\n%s", golden, got, want)
	}
}

// dump renders cfg for a golden file: JSON without the fields that are not
// set, positions as file:line:col, durations as Go writes them, and each
// service's effective settings beside what it sets.
func dump(t *testing.T, cfg *Config) []byte {
	t.Helper()
	type service struct {
		*Service
		Effective Settings
	}
	view := struct {
		*Config
		Services []service
	}{Config: cfg}
	for _, s := range cfg.Services {
		view.Services = append(view.Services, service{s, cfg.Effective(s)})
	}
	b, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(simplify("", v), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func simplify(key string, v any) any {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 3 && v["File"] == "" && v["Line"] == 0.0 {
			return nil // a position not set
		}
		if len(v) == 3 && v["File"] != nil && v["Line"] != nil && v["Col"] != nil {
			return fmt.Sprintf("%v:%v:%v", v["File"], v["Line"], v["Col"])
		}
		out := map[string]any{}
		for k, x := range v {
			if x = simplify(k, x); x != nil {
				out[k] = x
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		out := []any{}
		for _, x := range v {
			out = append(out, simplify("", x))
		}
		return out
	case float64:
		if v == 0 {
			return nil
		}
		if key == "Timeout" {
			return time.Duration(v).String()
		}
		return v
	case string:
		if v == "" {
			return nil
		}
		return v
	case bool:
		if !v {
			return nil
		}
		return v
	}
	return v
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()

	_, err := Load(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file: %v, want an error that is os.ErrNotExist", err)
	}

	big := filepath.Join(dir, "big.yaml")
	data := append([]byte("version: 1\n# "), bytes.Repeat([]byte("x"), MaxFileSize)...)
	if err := os.WriteFile(big, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(big)
	if want := big + ": file is larger than 4 MiB"; err == nil || err.Error() != want {
		t.Errorf("Load of a large file: %v, want %s", err, want)
	}
	_, err = Parse("big.yaml", data)
	if want := "big.yaml: file is larger than 4 MiB"; err == nil || err.Error() != want {
		t.Errorf("Parse of a large file: %v, want %s", err, want)
	}
}

// TestRelativePaths: paths in errors and in the config are built from the
// path as given, so relative paths stay relative.
func TestRelativePaths(t *testing.T) {
	cfg, err := Parse("testdata/valid/services.yaml", []byte("version: 1\nservices:\n  orders: {spec: ../specs/orders.yaml}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Dir != "testdata/valid" || cfg.OutputDir != filepath.FromSlash("testdata/valid/gen") {
		t.Errorf("Dir, OutputDir = %q, %q", cfg.Dir, cfg.OutputDir)
	}
	if got := cfg.Services[0].SpecPath; got != filepath.FromSlash("testdata/specs/orders.yaml") {
		t.Errorf("SpecPath = %q", got)
	}
	_, err = Parse("services.yaml", []byte("version: 1\nservices:\n  orders:\n    spec: nowhere.yaml\n"))
	if want := `services.yaml:4:11: service "orders": spec "nowhere.yaml" does not exist`; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestSecretsNotEchoed: an error about a secret written into services.yaml
// must not repeat it; error output ends up in CI logs.
func TestSecretsNotEchoed(t *testing.T) {
	for _, line := range []string{
		"client_secret: s3cr3t-value",
		"client_secret: \"s3cr3t-value ${X}\"",
		"client_secret: 7357735773577357",
		"client_secret: [s3cr3t-value]",
		"client_secret: $s3cr3t",
		"token_url: https://client:s3cr3t@auth.example.com/token",
		"token_url: \"https://client:s3cr3t@auth example.com/token\"",
		"issuer: https://client:s3cr3t@auth.example.com",
		"resource: https://client:s3cr3t@api.example.com",
	} {
		data := "version: 1\nservices:\n  orders:\n    spec: ../specs/orders.yaml\n    auth:\n      " + line + "\n"
		_, err := Parse("testdata/valid/services.yaml", []byte(data))
		if err == nil {
			t.Errorf("%s: no error", line)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "s3cr3t") || strings.Contains(msg, "7357") {
			t.Errorf("%s: error repeats the secret: %s", line, msg)
		}
	}
}

func TestErrorsAs(t *testing.T) {
	_, err := Parse("services.yaml", []byte("version: 1\nservices:\n  orders:\n    spec: x.yaml\n    auth: {grant: nope}\n"))
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("errors.As(Errors): %v", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Line != 4 || e.Col != 11 {
		t.Fatalf("errors.As(*Error) = %+v, want the first problem, at 4:11", e)
	}
}

func TestPosString(t *testing.T) {
	for _, tc := range []struct {
		pos  Pos
		want string
	}{
		{Pos{"services.yaml", 14, 7}, "services.yaml:14:7"},
		{Pos{"services.yaml", 3, 0}, "services.yaml:3"},
		{Pos{"services.yaml", 0, 0}, "services.yaml"},
		{Pos{"", 2, 5}, "2:5"},
	} {
		if got := tc.pos.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.pos, got, tc.want)
		}
	}
	err := Pos{"services.yaml", 14, 7}.Errorf("service %q: operations: %q is not an operationId", "orders", "createOrdr")
	if want := `services.yaml:14:7: service "orders": operations: "createOrdr" is not an operationId`; err.Error() != want {
		t.Errorf("Errorf: %q, want %q", err, want)
	}
}

func TestMergeAuth(t *testing.T) {
	parent := Auth{
		Issuer:             "https://auth.example.com",
		ClientID:           Ref{Env: "ID"},
		ClientSecret:       Ref{Env: "SECRET"},
		Grant:              "auto",
		Scopes:             []string{"a", "b"},
		ScopesSet:          true,
		Audiences:          []string{"aud", "aud2"},
		Resources:          []string{"https://api.example.com"},
		ClientAuth:         "basic",
		SubjectTokenType:   tokenTypePrefix + "access_token",
		RequestedTokenType: tokenTypePrefix + "jwt",
		ActorToken:         Ref{Env: "ACTOR"},
		APIKey:             Ref{Env: "KEY"},
		APIKeys:            map[string]Ref{"a": {Env: "A"}, "b": {Env: "B"}},
		APIKeysPos:         map[string]Pos{"a": {Line: 1}, "b": {Line: 2}},
		Username:           Ref{Literal: "bob"},
		Password:           Ref{Env: "PW"},
	}
	for _, tc := range []struct {
		name          string
		parent, child Auth
		want          Auth
	}{
		{"empty child inherits everything", parent, Auth{}, parent},
		{"empty parent", Auth{}, parent, parent},
		{
			"child wins field by field",
			parent,
			Auth{ClientID: Ref{Literal: "svc"}, Grant: "token_exchange", Audiences: []string{"orders"}, ClientAuth: "post", SubjectTokenType: tokenTypePrefix + "id_token",
				Username: Ref{Env: "USER"}, APIKeys: map[string]Ref{"b": {Env: "B2"}}, APIKeysPos: map[string]Pos{"b": {Line: 9}}},
			Auth{
				Issuer: parent.Issuer, ClientID: Ref{Literal: "svc"}, ClientSecret: parent.ClientSecret,
				Grant: "token_exchange", Scopes: []string{"a", "b"}, ScopesSet: true, Audiences: []string{"orders"},
				Resources: parent.Resources, ClientAuth: "post", SubjectTokenType: tokenTypePrefix + "id_token",
				RequestedTokenType: parent.RequestedTokenType, ActorToken: parent.ActorToken,
				APIKey: parent.APIKey, APIKeys: map[string]Ref{"a": {Env: "A"}, "b": {Env: "B2"}}, APIKeysPos: map[string]Pos{"a": {Line: 1}, "b": {Line: 9}},
				Username: Ref{Env: "USER"}, Password: parent.Password,
			},
		},
		{
			"scopes replace, not append",
			Auth{Scopes: []string{"a", "b"}, ScopesSet: true},
			Auth{Scopes: []string{"c"}, ScopesSet: true},
			Auth{Scopes: []string{"c"}, ScopesSet: true},
		},
		{
			"an empty scopes list clears",
			Auth{Scopes: []string{"a"}, ScopesSet: true},
			Auth{Scopes: []string{}, ScopesSet: true},
			Auth{Scopes: []string{}, ScopesSet: true},
		},
		{
			"token_url replaces an inherited issuer",
			Auth{Issuer: "https://issuer"},
			Auth{TokenURL: "https://token"},
			Auth{TokenURL: "https://token"},
		},
		{
			"issuer replaces an inherited token_url",
			Auth{TokenURL: "https://token"},
			Auth{Issuer: "https://issuer"},
			Auth{Issuer: "https://issuer"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := MergeAuth(tc.parent, tc.child)
			if !equalAuth(got, tc.want) {
				t.Errorf("MergeAuth =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}

	t.Run("result shares no slice", func(t *testing.T) {
		p := Auth{Scopes: []string{"a"}, ScopesSet: true}
		c := Auth{Scopes: []string{"b"}, ScopesSet: true}
		p.Audiences, c.Audiences = []string{"a"}, []string{"b"}
		p.APIKeys, c.APIKeys = map[string]Ref{"a": {Env: "A"}}, map[string]Ref{"b": {Env: "B"}}
		for _, got := range []Auth{MergeAuth(p, Auth{}), MergeAuth(Auth{}, c)} {
			got.Scopes[0] = "changed"
			got.Audiences[0] = "changed"
			for k := range got.APIKeys {
				got.APIKeys[k] = Ref{Env: "CHANGED"}
			}
		}
		if p.Scopes[0] != "a" || c.Scopes[0] != "b" || p.Audiences[0] != "a" || c.Audiences[0] != "b" ||
			p.APIKeys["a"].Env != "A" || c.APIKeys["b"].Env != "B" {
			t.Errorf("MergeAuth result aliases its input: %v %v", p.Scopes, c.Scopes)
		}
	})
}

func equalAuth(a, b Auth) bool {
	if (a.Scopes == nil) != (b.Scopes == nil) || !slices.Equal(a.Scopes, b.Scopes) {
		return false
	}
	a.Scopes, b.Scopes = nil, nil
	return fmt.Sprint(a) == fmt.Sprint(b) // fmt prints maps sorted by key
}

func TestEffective(t *testing.T) {
	cfg := &Config{Defaults: Settings{
		Auth:    Auth{Grant: "auto", Scopes: []string{"a"}, ScopesSet: true},
		Timeout: 5 * time.Second,
	}}
	for _, tc := range []struct {
		name string
		set  Settings
		want Settings
	}{
		{
			"defaults, then built-in defaults",
			Settings{},
			Settings{Auth: Auth{Grant: "auto", Scopes: []string{"a"}, ScopesSet: true}, Timeout: 5 * time.Second, MessageIDHeader: DefaultMessageIDHeader},
		},
		{
			"service wins",
			Settings{Auth: Auth{Grant: "none", ScopesSet: true, Scopes: []string{}}, Timeout: time.Second, MessageIDHeader: "X-Id"},
			Settings{Auth: Auth{Grant: "none", Scopes: []string{}, ScopesSet: true}, Timeout: time.Second, MessageIDHeader: "X-Id"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cfg.Effective(&Service{Settings: tc.set})
			if !equalAuth(got.Auth, tc.want.Auth) || got.Timeout != tc.want.Timeout || got.MessageIDHeader != tc.want.MessageIDHeader {
				t.Errorf("Effective = %+v, want %+v", got, tc.want)
			}
		})
	}
	if got := (&Config{}).Effective(&Service{}); got.Timeout != DefaultTimeout {
		t.Errorf("Effective timeout with nothing set = %v, want %v", got.Timeout, DefaultTimeout)
	}
}

func TestServiceLookup(t *testing.T) {
	cfg, err := Load("testdata/valid/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"orders", "payments"} {
		if s := cfg.Service(name); s == nil || s.Name != name {
			t.Errorf("Service(%q) = %v", name, s)
		}
	}
	if s := cfg.Service("nope"); s != nil {
		t.Errorf("Service(nope) = %v", s)
	}
}

func TestSuggest(t *testing.T) {
	grants := grantNames
	for _, tc := range []struct {
		word       string
		candidates []string
		want       string
	}{
		{"client-credential", grants, "client_credentials"},
		{"client_credential", grants, "client_credentials"},
		{"Client_Credentials", grants, "client_credentials"},
		{"tokenexchange", grants, "token_exchange"},
		{"passthrough_", grants, "passthrough"},
		{"passthru", grants, ""}, // three edits is too far for eight letters
		{"autoo", grants, "auto"},
		{"kerberos", grants, ""},
		{"", grants, ""},
		{"grnat", authKeys, "grant"},        // a swap is one edit
		{"tokenUrl", authKeys, "token_url"}, // case and separators
		{"baseURL", serviceKeys, "base_url"},
		{"spce", serviceKeys, "spec"},
		{"scope", authKeys, "scopes"},
		{"servces", topKeys, "services"},
		{"x", []string{"y"}, ""}, // one letter: no room for an edit
		{"jw", []string{"jwt"}, "jwt"},
		{"createOrdr", []string{"createOrder", "listOrders", "getOrder"}, "createOrder"},
		{"getOrders", []string{"getOrder", "listOrders"}, "getOrder"},
		{"completely", []string{"different"}, ""},
		{"ab", []string{"ac", "ab"}, "ab"},         // exact wins
		{"abcd", []string{"abce", "abcf"}, "abce"}, // ties: the first in order
		{"abcd", []string{"abcf", "abce"}, "abce"},
		{"ordres.yaml", []string{"orders.yaml", "payments.yaml"}, "orders.yaml"},
	} {
		if got := Suggest(tc.word, tc.candidates); got != tc.want {
			t.Errorf("Suggest(%q, %q) = %q, want %q", tc.word, tc.candidates, got, tc.want)
		}
	}
}

func TestFilterIsZero(t *testing.T) {
	cfg, err := Load("testdata/valid/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	orders, payments := cfg.Service("orders"), cfg.Service("payments")
	if orders.Include.IsZero() || !payments.Include.IsZero() || payments.Exclude.IsZero() {
		t.Errorf("IsZero: orders include %v, payments include %v, payments exclude %v",
			orders.Include.IsZero(), payments.Include.IsZero(), payments.Exclude.IsZero())
	}
}

// TestLenient: lenient: in defaults is inherited; a service's own, true or
// false, wins.
func TestLenient(t *testing.T) {
	for _, tc := range []struct {
		name              string
		defaults, service Settings
		want              bool
	}{
		{"unset", Settings{}, Settings{}, false},
		{"from defaults", Settings{Lenient: true, LenientSet: true}, Settings{}, true},
		{"service true", Settings{}, Settings{Lenient: true, LenientSet: true}, true},
		{"service false over defaults", Settings{Lenient: true, LenientSet: true}, Settings{Lenient: false, LenientSet: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &Config{Defaults: tc.defaults}
			if got := cfg.Effective(&Service{Settings: tc.service}).Lenient; got != tc.want {
				t.Errorf("Lenient = %v, want %v", got, tc.want)
			}
		})
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte("openapi: 3.0.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(filepath.Join(dir, "services.yaml"), []byte("version: 1\ndefaults: {lenient: true}\nservices:\n  a: {spec: spec.yaml}\n  b: {spec: spec.yaml, lenient: false}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := cfg.Effective(cfg.Service("a")).Lenient, cfg.Effective(cfg.Service("b")).Lenient; !a || b {
		t.Errorf("a lenient %v, b lenient %v; want true, false", a, b)
	}
	_, err = Parse(filepath.Join(dir, "services.yaml"), []byte("version: 1\nservices:\n  a: {spec: spec.yaml, lenient: \"yes\"}\n"))
	if want := `services.yaml:3:33: service "a": lenient must be true or false, not a string`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestValidateResponses: validate_responses in defaults is inherited; a
// service's own, true or false, wins; anything but a boolean is an error.
func TestValidateResponses(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte("openapi: 3.0.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(filepath.Join(dir, "services.yaml"), []byte("version: 1\ndefaults: {validate_responses: true}\nservices:\n  a: {spec: spec.yaml}\n  b: {spec: spec.yaml, validate_responses: false}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := cfg.Effective(cfg.Service("a")).ValidateResponses, cfg.Effective(cfg.Service("b")).ValidateResponses; !a || b {
		t.Errorf("a validates %v, b validates %v; want true, false", a, b)
	}
	cfg, err = Parse(filepath.Join(dir, "services.yaml"), []byte("version: 1\nservices:\n  a: {spec: spec.yaml}\n  b: {spec: spec.yaml, validate_responses: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := cfg.Effective(cfg.Service("a")).ValidateResponses, cfg.Effective(cfg.Service("b")).ValidateResponses; a || !b {
		t.Errorf("a validates %v, b validates %v; want false (the default), true", a, b)
	}
	_, err = Parse(filepath.Join(dir, "services.yaml"), []byte("version: 1\nservices:\n  a: {spec: spec.yaml, validate_responses: yes please}\n"))
	if want := `service "a": validate_responses must be true or false`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %s", err, want)
	}
}
