package generator

import (
	"strings"
	"testing"

	"github.com/tpgen/tpgen/generator/config"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// TestRuntimeDefaultsParse: each word of services.yaml the runtime takes as
// a kind is parsed once, into the model's kind; a word none of them is
// refused with its name (config.Load refuses those first, so a Config made
// by hand is what this guards).
func TestRuntimeDefaultsParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		eff  config.Settings
		want func(model.RuntimeDefaults) bool
		bad  string // a refusal's message, "" for none
	}{
		{"client_auth unset", config.Settings{}, func(rd model.RuntimeDefaults) bool { return rd.ClientAuth == model.ClientAuthUnset }, ""},
		{"client_auth basic", config.Settings{Auth: config.Auth{ClientAuth: "basic"}},
			func(rd model.RuntimeDefaults) bool { return rd.ClientAuth == model.ClientAuthBasic }, ""},
		{"client_auth post", config.Settings{Auth: config.Auth{ClientAuth: "post"}},
			func(rd model.RuntimeDefaults) bool { return rd.ClientAuth == model.ClientAuthPost }, ""},
		{"client_auth unknown", config.Settings{Auth: config.Auth{ClientAuth: "private_key_jwt"}}, nil, `unknown client_auth "private_key_jwt"`},
		{"token_store unset", config.Settings{}, func(rd model.RuntimeDefaults) bool { return rd.TokenStore.Kind == model.StoreUnset }, ""},
		{"token_store memory", config.Settings{TokenStore: config.TokenStore{Kind: "memory"}},
			func(rd model.RuntimeDefaults) bool { return rd.TokenStore.Kind == model.StoreMemory }, ""},
		{"token_store redis", config.Settings{TokenStore: config.TokenStore{Kind: "redis", Addr: "redis.internal:6379"}},
			func(rd model.RuntimeDefaults) bool {
				return rd.TokenStore.Kind == model.StoreRedis && rd.TokenStore.Addr == "redis.internal:6379"
			}, ""},
		{"token_store unknown", config.Settings{TokenStore: config.TokenStore{Kind: "memcached", Pos: config.Pos{File: "services.yaml", Line: 3, Col: 3}}},
			nil, `unknown token_store kind "memcached"`},
		{"grant unknown", config.Settings{Auth: config.Auth{Grant: "implicit"}}, nil, `unknown grant "implicit"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rd, bad := runtimeDefaults(tc.eff, "https://api.example")
			switch {
			case tc.bad == "" && len(bad) > 0:
				t.Fatalf("refused: %v", bad)
			case tc.bad != "" && (len(bad) != 1 || !strings.Contains(bad[0].Msg, tc.bad)):
				t.Fatalf("refusals %v, want one saying %s", bad, tc.bad)
			case tc.bad != "" && tc.eff.TokenStore.Pos != (config.Pos{}) && bad[0].Pos != tc.eff.TokenStore.Pos:
				t.Errorf("refused at %v, want at token_store's %v", bad[0].Pos, tc.eff.TokenStore.Pos)
			case tc.want != nil && !tc.want(rd):
				t.Errorf("parsed as %+v", rd)
			}
		})
	}
}
