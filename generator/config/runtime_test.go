package config_test

import (
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator/config"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// The generator names runtime values only as strings; these tests keep the
// strings and defaults that services.yaml accepts equal to the runtime's.

func TestGrantsMatchRuntime(t *testing.T) {
	// Every grant the runtime knows is accepted, and nothing else.
	var names []string
	for g := runtime.GrantNone; g <= runtime.GrantAuto; g++ {
		names = append(names, g.String())
	}
	for _, name := range names {
		data := "version: 1\nservices:\n  orders:\n    spec: ../specs/orders.yaml\n    auth: {grant: " + name + "}\n"
		cfg, err := config.Parse("testdata/valid/services.yaml", []byte(data))
		if err != nil {
			t.Errorf("grant %s: %v", name, err)
			continue
		}
		if got := cfg.Services[0].Settings.Auth.Grant; got != name {
			t.Errorf("grant %s read as %q", name, got)
		}
		var g runtime.Grant
		if err := g.UnmarshalText([]byte(name)); err != nil || g.String() != name {
			t.Errorf("runtime.Grant.UnmarshalText(%q) = %v, %v", name, g, err)
		}
	}
	data := "version: 1\nservices:\n  orders:\n    spec: ../specs/orders.yaml\n    auth: {grant: x}\n"
	_, err := config.Parse("testdata/valid/services.yaml", []byte(data))
	if err == nil {
		t.Fatal("grant x accepted")
	}
	want := "(want one of " + strings.Join(names, ", ") + ")"
	if got := err.Error(); !strings.HasSuffix(got, want) {
		t.Errorf("unknown grant error %q does not end with the runtime's names %q", got, want)
	}
}

func TestDefaultsMatchRuntime(t *testing.T) {
	if config.DefaultTimeout != runtime.DefaultTimeout {
		t.Errorf("DefaultTimeout = %v, runtime's is %v", config.DefaultTimeout, runtime.DefaultTimeout)
	}
	if config.DefaultMessageIDHeader != runtime.DefaultMessageIDHeader {
		t.Errorf("DefaultMessageIDHeader = %q, runtime's is %q", config.DefaultMessageIDHeader, runtime.DefaultMessageIDHeader)
	}
}

func TestTokenTypesMatchRuntime(t *testing.T) {
	data := "version: 1\nservices:\n  orders:\n    spec: ../specs/orders.yaml\n    auth: {subject_token_type: access_token, requested_token_type: jwt}\n" +
		"  payments:\n    spec: ../specs/payments.yaml\n    auth: {subject_token_type: id_token}\n"
	cfg, err := config.Parse("testdata/valid/services.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	orders, payments := cfg.Service("orders").Settings.Auth, cfg.Service("payments").Settings.Auth
	for _, tc := range []struct{ got, want string }{
		{orders.SubjectTokenType, token.TypeAccessToken},
		{orders.RequestedTokenType, token.TypeJWT},
		{payments.SubjectTokenType, token.TypeIDToken},
	} {
		if tc.got != tc.want {
			t.Errorf("token type %q, want the runtime's %q", tc.got, tc.want)
		}
	}
}

func TestEnvCollisionMatchesRuntime(t *testing.T) {
	// Two services whose runtime.EnvPrefix is the same are refused.
	a, b := "orders-v2", "orders_v2"
	if runtime.EnvPrefix(a) != runtime.EnvPrefix(b) {
		t.Fatalf("runtime.EnvPrefix no longer maps %s and %s together; update the collision check", a, b)
	}
	data := "version: 1\nservices:\n  " + a + ": {spec: ../specs/orders.yaml}\n  " + b + ": {spec: ../specs/orders.yaml, package: other}\n"
	if _, err := config.Parse("testdata/valid/services.yaml", []byte(data)); err == nil {
		t.Errorf("services %s and %s accepted together", a, b)
	}
}

func TestDiagnosticsHeaderReserved(t *testing.T) {
	data := "version: 1\nservices:\n  orders:\n    spec: ../specs/orders.yaml\n    message_id_header: " + runtime.DefaultDiagnosticsHeader + "\n"
	if _, err := config.Parse("testdata/valid/services.yaml", []byte(data)); err == nil {
		t.Errorf("message_id_header %s (the runtime's diagnostics header) accepted", runtime.DefaultDiagnosticsHeader)
	}
}

func TestTokenStoreMatchesRuntime(t *testing.T) {
	if config.TokenStoreMemory != runtime.TokenStoreMemory || config.TokenStoreRedis != runtime.TokenStoreRedis {
		t.Errorf("token store kinds %q, %q; the runtime's are %q, %q", config.TokenStoreMemory, config.TokenStoreRedis,
			runtime.TokenStoreMemory, runtime.TokenStoreRedis)
	}
}
