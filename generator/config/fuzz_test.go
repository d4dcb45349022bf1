package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzParse: no input makes Parse panic, and every answer is either a
// config that keeps the documented promises or Errors that point into the
// file. Specs are looked for next to the valid test files, so seeds that
// name ../specs/*.yaml get past the spec check.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"testdata/valid/*.yaml", "testdata/invalid/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for _, s := range []string{
		"",
		"---\n...\n",
		"version: 1\nservices: {a: {spec: ../specs/orders.yaml}}\n",
		"a: &a [*a, *a]\nb: &b [*a, *a]\n",
		"version: 1\n<<: {services: {}}\n",
		"version: 0x1\nservices: {a: {spec: ../specs/orders.yaml, auth: {client_secret: ${X}}}}\n",
		"version: 1\nservices: {a: {spec: ../specs/orders.yaml, operations: {'': {auth: {scopes: [\"\"]}}}}}\n",
		"version: 1\nservices: {a: {spec: ../specs/orders.yaml, base_url: 'http://[::1', timeout: 1e400s}}\n",
		"? - a\n: b\n",
		"!!binary aGVsbG8=\n",
		"version: !!str 1\n",
	} {
		f.Add([]byte(s))
	}
	const file = "testdata/valid/fuzz.yaml"
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(file, data)
		if err != nil {
			checkErrors(t, file, cfg, err)
			return
		}
		checkConfig(t, cfg)
	})
}

func checkErrors(t *testing.T, file string, cfg *Config, err error) {
	if cfg != nil {
		t.Fatalf("config and error: %v", err)
	}
	var es Errors
	if !errors.As(err, &es) || len(es) == 0 {
		t.Fatalf("error is not a non-empty Errors: %#v", err)
	}
	for i, e := range es {
		if e.File != file || e.Msg == "" || e.Line < 0 || e.Col < 0 {
			t.Fatalf("bad error %d: %#v", i, e)
		}
		if i > 0 && (e.Line < es[i-1].Line || e.Line == es[i-1].Line && e.Col < es[i-1].Col) {
			t.Fatalf("errors out of order: %v after %v", e, es[i-1])
		}
	}
	_ = err.Error()
}

func checkConfig(t *testing.T, cfg *Config) {
	if cfg.Version != 1 || len(cfg.Services) == 0 || cfg.OutputDir == "" {
		t.Fatalf("accepted config breaks a promise: %+v", cfg)
	}
	if !slices.IsSortedFunc(cfg.Services, func(a, b *Service) int { return strings.Compare(a.Name, b.Name) }) {
		t.Fatalf("services not sorted")
	}
	for _, s := range cfg.Services {
		if !serviceName.MatchString(s.Name) || s.Spec == "" || s.SpecPath == "" || s.Package == "" {
			t.Fatalf("accepted service breaks a promise: %+v", s)
		}
		if len(s.Include.Tags) != len(s.Include.TagsPos) || len(s.Exclude.Operations) != len(s.Exclude.OperationsPos) {
			t.Fatalf("filter positions do not match names: %+v", s)
		}
		eff := cfg.Effective(s)
		if eff.Timeout <= 0 || eff.MessageIDHeader == "" {
			t.Fatalf("effective settings lack a default: %+v", eff)
		}
		auths := []Auth{cfg.Defaults.Auth, s.Settings.Auth, eff.Auth}
		for _, op := range s.Operations {
			if op.Auth.Issuer != "" || op.Auth.TokenURL != "" || !op.Auth.ClientID.IsZero() || !op.Auth.ClientSecret.IsZero() || op.Auth.ClientAuth != "" {
				t.Fatalf("operation override sets more than it may: %+v", op)
			}
			auths = append(auths, op.Auth)
		}
		for _, a := range auths {
			if a.ClientSecret.Literal != "" {
				t.Fatalf("literal client secret accepted")
			}
			if a.Issuer != "" && a.TokenURL != "" {
				t.Fatalf("issuer and token_url both set: %+v", a)
			}
			for _, tt := range []string{a.SubjectTokenType, a.RequestedTokenType} {
				if tt != "" && !strings.HasPrefix(tt, tokenTypePrefix) {
					t.Fatalf("token type not normalised: %q", tt)
				}
			}
		}
	}
}
