package generator

import (
	"bytes"
	"fmt"
	"github.com/tpgen/tpgen/internal/envname"
	"strings"

	"github.com/tpgen/tpgen/templates"
)

// readmeData is what the package README template lays out.
type readmeData struct {
	Package, Service, Title, Version, Source, ImportPath, Example string
	ModelPath                                                     string // the model package, when there is one
	Auth                                                          []readmeRow
	Env                                                           []string
	Operations                                                    []readmeOp
}

type readmeRow struct{ Name, Value string }

type readmeOp struct{ Method, Path, Name, Grant, Scopes string }

func renderReadme(pkg *Package, importPath string) ([]byte, error) {
	rd := pkg.Runtime
	d := readmeData{Package: pkg.Name, Service: pkg.Service, Title: pkg.Title, Version: pkg.Version, Source: pkg.Source, ImportPath: importPath,
		ModelPath: modelImportPath(importPath, pkg)}
	if d.ImportPath == "" {
		d.ImportPath = "your/module/gen/" + pkg.Name
	}
	grant := rd.Grant
	if grant == "" {
		grant = "none"
	}
	row := func(name, v string) {
		if v != "" {
			d.Auth = append(d.Auth, readmeRow{name, "`" + v + "`"})
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
		d.Env = append(d.Env, prefix+v)
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
		d.Operations = append(d.Operations, readmeOp{op.Method, strings.ReplaceAll(op.Path, "|", `\|`), op.Name, g, sc})
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
