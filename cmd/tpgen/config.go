package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/generator/config"
)

// fromConfig loads services.yaml and describes its services, and where they
// are written.
func fromConfig(path string, only []string) ([]*generator.Service, target, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, target{}, err
	}
	abs, err := filepath.Abs(cfg.OutputDir)
	if err != nil {
		return nil, target{}, err
	}
	id, err := identityOf(cfg.OutputDir, cfg.File)
	if err != nil {
		return nil, target{}, err
	}
	svcs, err := generator.FromConfig(cfg, only, importPath(abs))
	return svcs, target{root: cfg.OutputDir, identity: id, partial: len(only) > 0}, err
}

// importPath derives the import path of dir from the enclosing go.mod, or
// returns "" when there is none.
func importPath(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			mod := modulePath(data)
			if mod == "" {
				return ""
			}
			rel, err := filepath.Rel(d, dir)
			if err != nil {
				return ""
			}
			if rel == "." {
				return mod
			}
			return mod + "/" + filepath.ToSlash(rel)
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func modulePath(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "module"); ok && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "\t")) {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}
