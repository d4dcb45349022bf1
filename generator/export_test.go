package generator

import (
	"path/filepath"
	"sort"

	"github.com/tpgen/tpgen/generator/internal/emit"
	"github.com/tpgen/tpgen/generator/internal/load"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// ExpectedDecls lists, per package directory, the top-level declarations
// that the generated files of svc are meant to hold, worked out from the
// model rather than from the emitted code: "type T", "const C", "var V",
// "func F", "method T.M" ("const _" for the version handshake). Tests compare
// it with what they parse from the files, so that a declaration that spec
// text smuggled in (an init, another method) shows as one tpgen never meant.
func ExpectedDecls(svc *Job) (map[string][]string, error) {
	sp, err := load.LoadSpec(svc.Spec, svc.SpecDisplay, svc.RefRoot, svc.Lenient, svc.FollowLinks)
	if err != nil {
		return nil, err
	}
	pkg, err := buildPackage(svc, sp)
	if err != nil {
		return nil, err
	}
	client := []string{"const _", "var serviceConfig", "type Client", "func New", "method Client.Runtime"}
	for _, m := range pkg.ErrorModels {
		client = append(client, "func "+m.Func)
	}
	for _, op := range pkg.Methods {
		client = append(client, "var "+op.VarName, "method Client."+op.Name)
		if op.Paging != nil {
			client = append(client, "method Client."+op.Paging.Method)
		}
		if op.ParamsType != "" {
			client = append(client, "type "+op.ParamsType)
		}
	}
	var types []string
	for _, d := range pkg.Types {
		types = append(types, "type "+d.Name)
		method := func(names ...string) {
			for _, n := range names {
				types = append(types, "method "+d.Name+"."+n)
			}
		}
		switch d.Kind {
		case model.DeclNullable:
			types = append(types, "func "+d.NewFunc, "func "+d.NullFunc)
			method("Get", "IsNull", "MarshalJSON", "UnmarshalJSON")
		case model.DeclStruct:
			if d.Additional != nil {
				method("MarshalJSON", "UnmarshalJSON")
			}
		case model.DeclEnum:
			for _, v := range d.EnumValues {
				types = append(types, "const "+v.Name)
			}
			if len(d.EnumValues) > 0 {
				types = append(types, "var known"+d.Name)
			}
			method("IsKnown")
		case model.DeclUnion:
			method("MarshalJSON", "UnmarshalJSON")
			for _, v := range d.Variants {
				method("As"+v.Name, "From"+v.Name)
			}
			if d.Discriminator != "" {
				method("Discriminator", "ValueByDiscriminator")
			}
		}
	}
	out := map[string][]string{}
	if emit.ModelImportPath(svc.ImportPath, pkg) == "" {
		out[svc.OutDir] = append(client, types...)
	} else {
		// The client package re-exports the model's types and enum values.
		for _, d := range pkg.Types {
			client = append(client, "type "+d.Name)
			for _, v := range d.EnumValues {
				if d.Kind == model.DeclEnum {
					client = append(client, "const "+v.Name)
				}
			}
			if d.Kind == model.DeclNullable {
				client = append(client, "func "+d.NewFunc, "func "+d.NullFunc)
			}
		}
		out[svc.OutDir] = client
		// The model package has a version handshake of its own.
		out[filepath.Join(svc.OutDir, emit.ModelDir)] = append(types, "const _")
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out, nil
}
