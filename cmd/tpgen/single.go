package main

import (
	"fmt"
	"go/token"
	"path/filepath"
	"strings"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/generator/config"
)

// fromSpec describes single-spec mode as one service; importPath is the
// package's, derived from go.mod when "".
func fromSpec(spec, pkg, out, baseURL, grant, refRoot, importPath string, allModels bool) ([]*generator.Job, error) {
	g, ok := generator.ParseGrant(grant)
	if !ok { // checkSpecFlags has refused it
		return nil, fmt.Errorf("-grant %q is not one of %s", grant, strings.Join(grantNames, ", "))
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	absSpec, err := filepath.Abs(spec)
	if err != nil {
		return nil, err
	}
	src, err := filepath.Rel(abs, absSpec)
	if err != nil {
		src = filepath.Base(spec)
	}
	if importPath == "" {
		importPath = importPathOf(abs)
	}
	return []*generator.Job{{
		Name:        pkg,
		Package:     pkg,
		Spec:        spec,
		SpecDisplay: spec,
		Source:      filepath.ToSlash(src),
		RefRoot:     refRoot,
		OutDir:      out,
		ImportPath:  importPath,
		Runtime:     generator.RuntimeDefaults{BaseURL: baseURL, Grant: g},
		AllModels:   allModels,
	}}, nil
}

var grantNames = []string{"none", "client_credentials", "token_exchange", "passthrough", "auto"}

// checkSpecFlags validates single-spec mode's -package, -grant, -models and
// -base-url (as services.yaml's base_url).
func checkSpecFlags(pkg, grant, models, baseURL string) string {
	if !token.IsIdentifier(pkg) || token.IsKeyword(pkg) {
		return fmt.Sprintf("-package %q is not a valid Go package name", pkg)
	}
	if _, ok := generator.ParseGrant(grant); !ok {
		return fmt.Sprintf("-grant %q is not one of %s", grant, strings.Join(grantNames, ", "))
	}
	if models != "" && models != config.ModelsUsed && models != config.ModelsAll {
		return fmt.Sprintf("-models %q is not one of %s, %s", models, config.ModelsUsed, config.ModelsAll)
	}
	if baseURL != "" {
		return config.CheckHTTPURL("-base-url", baseURL, false)
	}
	return ""
}
