package generator

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

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
	Operations                                                    []readmeOp
}

type readmeRow struct{ Name, Value string }

type readmeOp struct{ Call, Name, Grant, Scopes string }

func renderReadme(pkg *Package, importPath string) ([]byte, error) {
	rd := pkg.Runtime
	d := readmeData{Package: pkg.Name, Service: mdCode(pkg.Service, false), Title: mdText(pkg.Title, false), Version: mdText(pkg.Version, false),
		Source: mdCode(pkg.Source, false), ImportPath: strconv.Quote(importPath), ModelPath: mdCode(modelImportPath(importPath, pkg), false)}
	if importPath == "" {
		d.ImportPath = strconv.Quote("your/module/gen/" + pkg.Name)
	}
	grant := rd.Grant
	if grant == "" {
		grant = "none"
	}
	row := func(name, v string) {
		if v != "" {
			d.Auth = append(d.Auth, readmeRow{name, mdCode(v, true)})
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
	row("audience", rd.Audience)
	row("resource", rd.Resource)
	prefix := envname.Prefix(pkg.Service)
	for _, v := range envname.Vars {
		d.Env = append(d.Env, mdCode(prefix+v, false))
	}
	if ts := rd.TokenStore; ts.Kind != "" {
		store := func(name, v string) {
			if v != "" {
				d.TokenStore = append(d.TokenStore, readmeRow{name, mdCode(v, true)})
			}
		}
		store("kind", ts.Kind)
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
		if ts.Kind == "redis" {
			d.TokenStoreLink = mdCode(`import _ "github.com/tpgen/tpgen/redis"`, false)
		}
	}
	for _, op := range pkg.Operations {
		g := op.Grant
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
		d.Operations = append(d.Operations, readmeOp{mdCode(op.Method+" "+op.writtenPath(), true), mdCode(op.Name, true), mdText(g, true), mdText(sc, true)})
	}
	for _, op := range pkg.Operations {
		if op.Result.Kind == ResultNone && op != pkg.Operations[len(pkg.Operations)-1] {
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
		if op.Result.Kind == ResultNone {
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
