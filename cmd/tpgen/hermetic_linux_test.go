//go:build linux

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// hermeticInputs lays out a services.yaml with two services, one of whose
// specs refers to another file, in dir; its output is dir/gen.
func hermeticInputs(t *testing.T, dir string, gomod bool) {
	t.Helper()
	src := filepath.Join(testdataDir, "bazel", "services")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "BUILD.bazel")); err != nil {
		t.Fatal(err)
	}
	if gomod {
		writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/shop\n\ngo 1.26\n")
	}
}

// TestHermetic runs the tpgen binary as a build action would: inputs
// read-only, a fresh HOME, an empty TMPDIR, another working directory, an
// empty environment (no PATH to a Go toolchain, no GOPATH, no module cache),
// no network. It checks that the run writes the declared outputs and nothing
// else anywhere in the sandbox, and, with strace, that it opens nothing but
// services.yaml, the specs and the file they refer to, go.mod and
// .tpgen-manifest files in the output directory and above it, and what the
// Go runtime reads of the machine (/proc, the dynamic loader); that it
// starts no process and opens no socket. Then that the bytes do not depend
// on the working directory or the environment, and that a copy of the tree
// (a fresh clone) is up to date.
func TestHermetic(t *testing.T) {
	bin := tpgenBinary(t)
	for _, gomod := range []bool{true, false} {
		name := "without go.mod"
		if gomod {
			name = "with go.mod"
		}
		t.Run(name, func(t *testing.T) {
			s := newSandbox(t)
			in, gen := filepath.Join(s.root, "in"), filepath.Join(s.root, "in", "gen")
			hermeticInputs(t, in, gomod)
			s.writable(gen)
			s.freeze(in, gen)
			env := []string{"HOME=" + s.home, "TMPDIR=" + s.tmp}
			args := []string{"-config", filepath.Join("..", "in", "services.yaml")}

			declared, _ := s.run(s.cwd, env, false, bin, append([]string{"outputs"}, args...)...)
			if declared.code != exitOK {
				t.Fatalf("tpgen outputs: %v", declared)
			}
			before := walkTree(t, s.root)
			r, trace := s.run(s.cwd, env, true, bin, args...)
			if r.code != exitOK || r.stdout != "" || r.stderr != "" {
				t.Fatalf("want exit 0 and no output; got %v", r)
			}
			after := walkTree(t, s.root)
			for _, c := range changes(before, after) {
				if !within(filepath.Join(s.root, strings.TrimSuffix(strings.TrimSuffix(c, " (added)"), " (removed)")), gen) {
					t.Errorf("the run changed %s, outside its output", c)
				}
			}
			var want []string
			for _, f := range filesUnder(after, "in/gen") {
				want = append(want, "../in/gen/"+f)
			}
			if got := strings.Split(strings.TrimSpace(declared.stdout), "\n"); !slices.Equal(got, want) {
				t.Errorf("the run wrote\n%s\ntpgen outputs declared\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
			}
			if gomod != slices.Contains(want, "../in/gen/orders/model/models.go") {
				t.Errorf("with go.mod %v, the files are %v", gomod, want)
			}
			checkMachineFree(t, s.root, gen)
			if trace != nil {
				checkTrace(t, trace, s.cwd, bin, in, gen)
			} else {
				t.Log("strace is not installed: the files opened are not checked (the walk is)")
			}

			// Another working directory, another environment, in an
			// empty output: the same bytes.
			first := snapshot(t, gen)
			clear(t, gen)
			other := filepath.Join(s.root, "home2")
			if err := os.Mkdir(other, 0o555); err != nil {
				t.Fatal(err)
			}
			env2 := []string{"HOME=" + other, "TMPDIR=" + s.tmp, "PATH=/nonexistent", "GOPATH=/nonexistent", "GOCACHE=/nonexistent",
				"GOFLAGS=-mod=vendor", "GOMAXPROCS=1", "GOGC=50", "TZ=Pacific/Kiritimati", "LANG=de_DE.UTF-8", "LC_ALL=de_DE.UTF-8",
				"TPGEN_ORDERS_BASE_URL=https://elsewhere.example.com", "SHOP_CLIENT_SECRET=s3cret"}
			r, _ = s.run(in, env2, false, bin, "-config", "services.yaml")
			if r.code != exitOK {
				t.Fatalf("from another directory and environment: %v", r)
			}
			if second := snapshot(t, gen); !maps(first, second) {
				t.Errorf("the output depends on the working directory or the environment: %v and %v", names(first), names(second))
			}

			// Up to date: nothing generated, nothing touched.
			before = walkTree(t, s.root)
			r, _ = s.run(s.cwd, env, false, bin, append(args, "-v")...)
			if r.code != exitOK || strings.Count(r.stderr, "up to date, not generated (") != 2 {
				t.Errorf("a run with nothing changed: want both services up to date; got %v", r)
			}
			if c := changes(before, walkTree(t, s.root)); len(c) > 0 {
				t.Errorf("a run with nothing changed touched %v", c)
			}

			// A fresh clone: another directory, new times, still up to date.
			clone := filepath.Join(s.root, "clone")
			if err := os.CopyFS(clone, os.DirFS(in)); err != nil {
				t.Fatal(err)
			}
			cloneGen := filepath.Join(clone, "gen")
			s.writable(cloneGen)
			s.freeze(clone, cloneGen)
			before = walkTree(t, s.root)
			r, _ = s.run(s.cwd, env, false, bin, "-config", filepath.Join("..", "clone", "services.yaml"), "-v")
			if r.code != exitOK || strings.Count(r.stderr, "up to date, not generated (") != 2 {
				t.Errorf("a fresh clone: want both services up to date; got %v", r)
			}
			if c := changes(before, walkTree(t, s.root)); len(c) > 0 {
				t.Errorf("the run in a fresh clone touched %v", c)
			}
		})
	}
}

// clear removes what is in dir.
func clear(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
}

var sourceLine = regexp.MustCompile(`(?m)^// source: (.*)$`)

// checkMachineFree: no generated file names the sandbox's absolute path,
// and every source: line is relative.
func checkMachineFree(t *testing.T, root, gen string) {
	t.Helper()
	for name, data := range snapshot(t, gen) {
		if strings.Contains(data, root) || strings.Contains(data, os.TempDir()+"/") {
			t.Errorf("%s names a path of this machine", name)
		}
		for _, m := range sourceLine.FindAllStringSubmatch(data, -1) {
			if filepath.IsAbs(m[1]) || !strings.HasPrefix(m[1], "../") {
				t.Errorf("%s: source line %q is not relative", name, m[1])
			}
		}
	}
}

// statCalls look at a path's metadata, never its content.
var statCalls = map[string]bool{"newfstatat": true, "fstatat": true, "lstat": true, "stat": true, "statx": true, "readlink": true, "readlinkat": true}

// checkTrace: every path the run named is an input (read only), in the
// output, go.mod or the manifest in the output directory or above it, or the
// machine's (systemPaths); one process, no socket.
func checkTrace(t *testing.T, lines []string, cwd, bin, in, gen string) {
	t.Helper()
	paths, network := parseTrace(lines, cwd)
	for _, l := range network {
		t.Errorf("the run used the network: %s", l)
	}
	execs, readSpec := 0, false
	for _, p := range paths {
		switch {
		case p.call == "execve":
			execs++
			if p.path != bin {
				t.Errorf("the run started %s", p.path)
			}
		case within(p.path, gen):
		case !p.write && within(p.path, in):
			readSpec = readSpec || strings.HasSuffix(p.path, filepath.Join("specs", "money.yaml"))
		case !p.write && (filepath.Base(p.path) == "go.mod" || filepath.Base(p.path) == manifestName) && within(gen, filepath.Dir(p.path)):
		case !p.write && slices.ContainsFunc(systemPaths, func(s string) bool { return strings.HasPrefix(p.path, s) }):
		case !p.write && p.path == cwd && p.call != "chdir":
		case !p.write && statCalls[p.call] && (within(in, p.path) || within(gen, p.path)):
			// The directories above an input or the output, looked at
			// (never read) to resolve symbolic links and absolute paths.
		default:
			t.Errorf("the run touched %s (write %v): %s", p.path, p.write, p.line)
		}
	}
	if execs != 1 {
		t.Errorf("%d processes started, want tpgen's only", execs)
	}
	if !readSpec {
		t.Errorf("the trace does not show the referenced spec file read: is it parsed right?\n%s", strings.Join(lines, "\n"))
	}
}
