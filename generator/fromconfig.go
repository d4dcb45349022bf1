package generator

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"sort"

	"github.com/tpgen/tpgen/generator/config"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// FromConfig describes the services of a loaded services.yaml as packages to
// generate: settings merged defaults -> service -> operation, paths resolved
// relative to the config file. only selects services by name (all when empty).
// importBase is the import path of the config's output directory, "" when unknown.
func FromConfig(cfg *config.Config, only []string, importBase string) ([]*Job, error) {
	var errs config.Errors
	for _, name := range only {
		if cfg.Service(name) == nil {
			names := make([]string, len(cfg.Services))
			for i, s := range cfg.Services {
				names[i] = s.Name
			}
			msg := fmt.Sprintf("-service %q: no such service in %s", name, cfg.File)
			if s := config.Suggest(name, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			errs = append(errs, &config.Error{Msg: msg})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var out []*Job
	for _, s := range cfg.Services {
		if len(only) > 0 && !slices.Contains(only, s.Name) {
			continue
		}
		pkg := s.Package // config.Load has derived it and refused collisions
		eff := cfg.Effective(s)
		dir := filepath.Join(cfg.OutputDir, pkg)
		src, err := filepath.Rel(dir, s.SpecPath)
		if err != nil {
			src = s.Spec
		}
		rd, bad := runtimeDefaults(eff, s.BaseURL)
		for _, e := range bad {
			errs = append(errs, &config.Error{Pos: cmp.Or(e.Pos, s.Pos), Msg: fmt.Sprintf("service %q: %s", s.Name, e.Msg)})
		}
		svc := &Job{
			Name:        s.Name,
			Package:     pkg,
			Spec:        s.SpecPath,
			SpecDisplay: s.SpecPath,
			Source:      filepath.ToSlash(src),
			RefRoot:     eff.RefRootDir,
			OutDir:      dir,
			Pos:         s.Pos,
			Runtime:     rd,
			Credentials: credentials(eff.Auth),
			Include:     filter(s.Include),
			Exclude:     filter(s.Exclude),
			AllModels:   s.Models == config.ModelsAll,
			Lenient:     eff.Lenient,
		}
		if importBase != "" {
			svc.ImportPath = importBase + "/" + pkg
		}
		for _, o := range s.Operations {
			svc.Overrides = append(svc.Overrides, &Override{
				ID: o.ID, Pos: o.Pos, Grant: o.Auth.Grant,
				Scopes: o.Auth.Scopes, ScopesSet: o.Auth.ScopesSet,
				Audiences: o.Auth.Audiences, Resources: o.Auth.Resources,
				Pagination: o.Pagination,
			})
		}
		out = append(out, svc)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// runtimeDefaults are a service's settings as the runtime takes them, each
// word of services.yaml parsed into the model's kind here, once; bad says
// which words are none the runtime knows (config.Load refuses those, so
// only a Config made by hand has them), at their place when it is known.
func runtimeDefaults(eff config.Settings, baseURL string) (rd model.RuntimeDefaults, bad []config.Error) {
	a := eff.Auth
	unknown := func(what, v string, pos config.Pos) {
		bad = append(bad, config.Error{Pos: pos, Msg: fmt.Sprintf("unknown %s %q", what, v)})
	}
	grant, ok := model.ParseGrant(a.Grant)
	if !ok {
		unknown("grant", a.Grant, config.Pos{})
	}
	clientAuth, ok := model.ParseClientAuth(a.ClientAuth)
	if !ok {
		unknown("client_auth", a.ClientAuth, config.Pos{})
	}
	rd = model.RuntimeDefaults{
		BaseURL:            baseURL,
		TokenURL:           a.TokenURL,
		Issuer:             a.Issuer,
		ClientID:           a.ClientID.Literal,
		ClientIDEnv:        a.ClientID.Env,
		ClientSecretEnv:    a.ClientSecret.Env,
		Grant:              grant,
		Audiences:          a.Audiences,
		Resources:          a.Resources,
		SubjectTokenType:   a.SubjectTokenType,
		RequestedTokenType: a.RequestedTokenType,
		ActorTokenEnv:      a.ActorToken.Env,
		ActorTokenType:     a.ActorTokenType,
		ClientAuth:         clientAuth,
		MessageIDHeader:    eff.MessageIDHeader,
		TimeoutNanos:       int64(eff.Timeout),
		ValidateResponses:  eff.ValidateResponses,
	}
	if ts := eff.TokenStore; ts.Kind != "" {
		kind, ok := model.ParseTokenStoreKind(ts.Kind)
		if !ok {
			unknown("token_store kind", ts.Kind, ts.Pos)
		}
		rd.TokenStore = model.TokenStoreDefaults{Kind: kind, Addr: ts.Addr, Username: ts.Username, PasswordEnv: ts.Password.Env,
			TLS: ts.TLS, KeyPrefix: ts.KeyPrefix, EncryptionKeyEnv: ts.EncryptionKey.Env}
	}
	if a.ScopesSet {
		rd.Scopes = append([]string{}, a.Scopes...)
	}
	return rd, bad
}

func credentials(a config.Auth) Credentials {
	c := Credentials{APIKey: a.APIKey.Env, Username: a.Username.Literal, UserEnv: a.Username.Env, Password: a.Password.Env,
		Bearer: a.BearerToken.Env, APIKeysPos: a.APIKeysPos}
	for name, r := range a.APIKeys {
		if c.APIKeys == nil {
			c.APIKeys = map[string]string{}
		}
		c.APIKeys[name] = r.Env
	}
	return c
}

func filter(f config.Filter) Filter {
	return Filter{Tags: f.Tags, Operations: f.Operations, TagsPos: f.TagsPos, OperationsPos: f.OperationsPos}
}
