package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/tpgen/tpgen/generator/config"
	tpruntime "github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/templates"
)

func versionString() string {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	return fmt.Sprintf("tpgen %s (runtime %s)", v, tpruntime.Version)
}

func runSchema(stdout io.Writer) int {
	stdout.Write(config.Schema)
	return exitOK
}

// runInit writes the starter services.yaml, refusing to overwrite a file.
func runInit(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 {
		fmt.Fprintln(stderr, "usage: tpgen init [FILE]")
		return exitUsage
	}
	path := "services.yaml"
	if len(args) == 1 {
		path = args[0]
	}
	// The directories it goes into are made (tpgen init services/shop.yaml
	// in a fresh repository); the file itself must be new.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		fmt.Fprintf(stderr, "tpgen: %v\n", err)
		return exitFail
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			fmt.Fprintf(stderr, "tpgen: %s already exists; not overwriting it\n", path)
		} else {
			fmt.Fprintf(stderr, "tpgen: %v\n", err)
		}
		return exitFail
	}
	_, err = f.Write(templates.InitConfig())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path) // never half a starter file
		fmt.Fprintf(stderr, "tpgen: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "wrote %s: edit its services, then run tpgen -config %s\n", path, path)
	return exitOK
}
