package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/generator/config"
)

// fromConfig loads services.yaml and describes its services, and where they
// are written: services.yaml's output, or out when set; importBase is that
// directory's import path, derived from go.mod when "".
func fromConfig(path string, only []string, out, importBase string) (*unit, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if out != "" {
		cfg.OutputDir = out
	}
	abs, err := filepath.Abs(cfg.OutputDir)
	if err != nil {
		return nil, err
	}
	id, err := identityOf(cfg.OutputDir, cfg.File)
	if err != nil {
		return nil, err
	}
	if importBase == "" {
		importBase = importPathOf(abs)
	}
	svcs, err := generator.FromConfig(cfg, only, importBase)
	if err != nil {
		return nil, err
	}
	return &unit{name: path, tgt: target{root: cfg.OutputDir, identity: id, partial: len(only) > 0}, svcs: svcs}, nil
}

// importPathOf derives the import path of dir from the go.mod in it or the
// nearest directory above, or returns "" when there is none. It reads each
// directory's go.mod on the way up: the one input of a run besides
// services.yaml and the specs (-import-path spares it).
func importPathOf(dir string) string {
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
