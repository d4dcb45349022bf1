package emit

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/tpgen/tpgen/generator/internal/model"
	"github.com/tpgen/tpgen/internal/envname"
	"github.com/tpgen/tpgen/templates"
)

// readmeData is what the package README template lays out. Every field but
// Package and Example (Go identifiers) is Markdown already: spec text made
// inert by mdText and mdCode (see readme_text.go), or, ImportPath, a quoted
// Go string.
type readmeData struct {
	Package, Service, Title, Version, Source, ImportPath, Example string
	ModelPath                                                     string // the model package, when there is one
	Auth                                                          []readmeRow
	Env                                                           []string
	TokenStore                                                    []readmeRow // services.yaml's token_store, when written
	TokenStoreEnv                                                 []string
	TokenStoreLink                                                string // the import that links the store in
	Schemes                                                       []readmeScheme
	Operations                                                    []readmeOp
}

type readmeScheme struct{ Name, Kind, Credential string }

type readmeRow struct{ Name, Value string }

type readmeOp struct{ Call, Name, Grant, Scopes, Security string }

func renderReadme(pkg *model.Package, importPath string) ([]byte, error) {
	rd := pkg.Runtime
	d := readmeData{Package: pkg.Name, Service: mdCode(pkg.Service, false), Title: mdText(pkg.Title, false), Version: mdText(pkg.Version, false),
		Source: mdCode(pkg.Source, false), ImportPath: strconv.Quote(importPath), ModelPath: mdCode(ModelImportPath(importPath, pkg), false)}
	if importPath == "" {
		d.ImportPath = strconv.Quote("your/module/gen/" + pkg.Name)
	}
	grant := rd.Grant.String()
	if grant == "" {
		grant = "none"
	}
	row := func(name, v string) {
		if v != "" {
			md := mdCode(v, true)
			if from := pkg.AuthFrom[name]; from != "" {
				md += " (from " + mdText(from, true) + ")"
			}
			d.Auth = append(d.Auth, readmeRow{name, md})
		}
	}
	row("base URL", rd.BaseURL)
	row("grant", grant)
	row("issuer", rd.Issuer)
	row("token URL", rd.TokenURL)
	row("client id", rd.ClientID)
	if rd.ClientIDEnv != "" {
		row("client id from", "$"+rd.ClientIDEnv)
	}
	if rd.ClientSecretEnv != "" {
		row("client secret from", "$"+rd.ClientSecretEnv)
	}
	row("scopes", strings.Join(rd.Scopes, " "))
	row("audience", strings.Join(rd.Audiences, " "))
	row("resource", strings.Join(rd.Resources, " "))
	if rd.ActorTokenEnv != "" {
		row("actor token from", "$"+rd.ActorTokenEnv)
	}
	prefix := envname.Prefix(pkg.Service)
	for _, v := range envname.Vars {
		d.Env = append(d.Env, mdCode(prefix+v, false))
	}
	if ts := rd.TokenStore; ts.Kind != model.StoreUnset {
		store := func(name, v string) {
			if v != "" {
				d.TokenStore = append(d.TokenStore, readmeRow{name, mdCode(v, true)})
			}
		}
		store("kind", ts.Kind.String())
		store("address", ts.Addr)
		store("user", ts.Username)
		if ts.PasswordEnv != "" {
			store("password from", "$"+ts.PasswordEnv)
		}
		if ts.TLS {
			store("TLS", "yes")
		}
		store("key prefix", ts.KeyPrefix)
		if ts.EncryptionKeyEnv != "" {
			store("encryption key from", "$"+ts.EncryptionKeyEnv)
		}
		d.TokenStoreEnv = append(d.TokenStoreEnv, mdCode(envname.TokenStore, false))
		for _, v := range envname.TokenStoreVars {
			d.TokenStoreEnv = append(d.TokenStoreEnv, mdCode(envname.TokenStore+"_"+v, false))
		}
		if ts.Kind == model.StoreRedis {
			d.TokenStoreLink = mdCode(`import _ "github.com/tpgen/tpgen/redis"`, false)
		}
	}
	if pkg.Security != nil {
		row("security", requirementsText(pkg.Security))
	}
	d.Schemes, d.Env = readmeSchemes(pkg, prefix, d.Env)
	for _, op := range pkg.Methods {
		g := op.Grant.String()
		if g == "" {
			g = "(service)"
		}
		sc := "(service)"
		if g == "none" {
			sc = "-"
		} else if op.Scopes != nil {
			sc = strings.Join(op.Scopes, " ")
			if sc == "" {
				sc = "(none)"
			}
		}
		sec := "(service)"
		switch {
		case op.Security != nil:
			sec = requirementsText(op.Security)
		case pkg.Security == nil:
			sec = "-" // the spec states none
		}
		name := mdCode(op.Name, true)
		if op.Paging != nil {
			name += ", " + mdCode(op.Paging.Method, true) + " (every page)"
		}
		d.Operations = append(d.Operations, readmeOp{mdCode(op.HTTPMethod+" "+op.WrittenPath(), true), name, mdText(g, true), mdText(sc, true), mdText(sec, true)})
	}
	for _, op := range pkg.Methods {
		if op.Result.Kind == model.ResultNone && op != pkg.Methods[len(pkg.Methods)-1] {
			continue // prefer an example that returns something
		}
		args := []string{"ctx"}
		for _, p := range op.PathParams {
			args = append(args, p.Name)
		}
		if op.Body != nil {
			args = append(args, "body")
		}
		if op.ParamsType != "" {
			args = append(args, "nil")
		}
		lhs := "result, err :="
		if op.Result.Kind == model.ResultNone {
			lhs = "err ="
		}
		d.Example = fmt.Sprintf("%s client.%s(%s)", lhs, op.Name, strings.Join(args, ", "))
		break
	}
	var buf bytes.Buffer
	if err := templates.ServiceReadme.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("%s: README: %w", pkg.Service, err)
	}
	return buf.Bytes(), nil
}

// requirementsText writes security requirements as the README shows them:
// "apiKey+appKey or bearer"; "none" when no credentials are needed.
func requirementsText(reqs [][]string) string {
	alts := make([]string, 0, len(reqs))
	for _, r := range reqs {
		if len(r) == 0 {
			alts = append(alts, "none")
			continue
		}
		alts = append(alts, strings.Join(r, "+"))
	}
	if len(alts) == 0 {
		return "none"
	}
	return strings.Join(alts, " or ")
}

// readmeSchemes describes the package's security schemes, and adds the
// variables that hold their credentials to env.
func readmeSchemes(pkg *model.Package, prefix string, env []string) ([]readmeScheme, []string) {
	var out []readmeScheme
	added := map[string]bool{}
	add := func(v string) string {
		c := mdCode(v, true)
		if !added[v] {
			added[v] = true
			env = append(env, mdCode(v, false))
		}
		return c
	}
	from := func(vars ...string) string {
		var names []string
		for _, v := range vars {
			if v != "" {
				names = append(names, mdCode(v, true))
			}
		}
		return strings.Join(names, ", ")
	}
	for _, sc := range pkg.Schemes {
		r := readmeScheme{Name: mdCode(sc.Name, true)}
		switch sc.Kind {
		case model.SchemeAPIKey:
			r.Kind = "apiKey in " + sc.In.String() + " " + mdCode(sc.Param, true)
			own := add(prefix + envname.APIKeyOf(sc.Name))
			all := add(prefix + envname.APIKey)
			r.Credential = own
			if sc.SecretEnv != "" {
				r.Credential += ", " + from("$"+sc.SecretEnv)
			}
			r.Credential += ", " + all
			if pkg.Runtime.APIKeyEnv != "" {
				r.Credential += ", " + from("$"+pkg.Runtime.APIKeyEnv)
			}
			r.Credential += "; runtime.Auth{APIKeys}"
		case model.SchemeBasic:
			r.Kind = "HTTP basic"
			r.Credential = add(prefix+envname.Username) + ", " + add(prefix+envname.Password)
			if sc.UsernameEnv != "" || sc.SecretEnv != "" {
				r.Credential += ", " + from("$"+sc.UsernameEnv, "$"+sc.SecretEnv)
			}
			if sc.Username != "" {
				r.Credential += "; user name " + mdCode(sc.Username, true)
			}
			r.Credential += "; runtime.Auth{Username, Password}"
		case model.SchemeBearer:
			r.Kind = "HTTP bearer"
			r.Credential = add(prefix + envname.BearerToken)
			if sc.SecretEnv != "" {
				r.Credential += ", " + from("$"+sc.SecretEnv)
			}
			r.Credential += "; runtime.Auth{BearerToken}; else the grant's token"
		case model.SchemeOAuth2:
			r.Kind, r.Credential = "OAuth2", "the grant's token"
		case model.SchemeMutualTLS:
			r.Kind, r.Credential = "mutualTLS", "the certificate of runtime.WithHTTPClient's client"
		default:
			r.Kind, r.Credential = mdText(sc.Unsupported, true), "not supported: never met"
		}
		out = append(out, r)
	}
	return out, env
}
