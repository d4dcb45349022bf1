// Package templates holds the text templates for what tpgen writes that is not
// Go: each generated package's README.md and the `tpgen init` starter
// services.yaml. The templates only lay out data the generator prepared.
package templates

import (
	"embed"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

// ServiceReadme renders a generated package's README.md.
var ServiceReadme = template.Must(template.New("service_readme.md.tmpl").ParseFS(files, "service_readme.md.tmpl"))

// InitConfig is the starter services.yaml that `tpgen init` writes.
func InitConfig() []byte {
	b, err := files.ReadFile("init_services.yaml.tmpl")
	if err != nil {
		panic(err) // embedded at build time: cannot fail
	}
	return b
}
