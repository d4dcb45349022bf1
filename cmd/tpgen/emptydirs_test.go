package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmptyDirectoriesRemoved: a directory that removing stale files leaves
// empty held tpgen's files only, and goes with them, also where no manifest
// listed it (the output of an older tpgen, read by the files' headers); a
// directory that holds anything else, a file or a directory of the user's,
// stays.
func TestEmptyDirectoriesRemoved(t *testing.T) {
	for _, tc := range []struct {
		name     string
		manifest bool   // the first run's manifest is kept (else: an older tpgen's output, without one)
		user     string // a path under orders/model the user adds, "" for none
		gone     bool   // orders/model is removed
	}{
		{"listed in the manifest", true, "", true},
		{"found by header", false, "", true},
		{"a file of the user's", false, "notes.txt", false},
		{"a directory of the user's", true, "fixtures/", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := shop(t)
			cfg := filepath.Join(dir, "services.yaml")
			gomod := filepath.Join(dir, "go.mod")
			writeFile(t, gomod, "module example.com/shop\n\ngo 1.26\n")
			if r := tpgen(t, "-config", cfg); r.code != exitOK {
				t.Fatalf("%v", r)
			}
			model := filepath.Join(dir, "gen", "orders", "model")
			if !tc.manifest {
				if err := os.Remove(filepath.Join(dir, "gen", manifestName)); err != nil {
					t.Fatal(err)
				}
			}
			switch {
			case strings.HasSuffix(tc.user, "/"):
				if err := os.MkdirAll(filepath.Join(model, tc.user), 0o755); err != nil {
					t.Fatal(err)
				}
			case tc.user != "":
				writeFile(t, filepath.Join(model, tc.user), "mine\n")
			}
			// Without go.mod the types move into the client package: the
			// model package's file is stale.
			if err := os.Remove(gomod); err != nil {
				t.Fatal(err)
			}
			r := tpgen(t, "-config", cfg)
			if r.code != exitOK || !strings.Contains(r.stderr, "removed "+filepath.Join(model, "models.go")) {
				t.Fatalf("want model/models.go removed: %v", r)
			}
			_, err := os.Stat(model)
			if gone := errors.Is(err, fs.ErrNotExist); gone != tc.gone {
				t.Errorf("%s gone: %v, want %v (%v)", model, gone, tc.gone, r)
			}
			if said := strings.Contains(r.stderr, "removed "+model+" (empty)"); said != tc.gone {
				t.Errorf("removal of %s said: %v, want %v: %v", model, said, tc.gone, r)
			}
			if tc.user != "" {
				if _, err := os.Stat(filepath.Join(model, tc.user)); err != nil {
					t.Errorf("the user's %s: %v", tc.user, err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "gen", "orders", "models.go")); err != nil {
				t.Errorf("models.go: %v", err)
			}
		})
	}
}
