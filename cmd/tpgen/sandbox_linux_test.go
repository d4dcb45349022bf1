//go:build linux

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A sandbox for runs of the tpgen binary that a build system could make: its
// inputs read-only, a fresh empty HOME, a TMPDIR that must stay empty, the
// working directory elsewhere, an environment that names nothing else (no
// PATH, GOPATH, GOCACHE), no network (a network namespace of its own, where
// the kernel allows one), and as root another user, so that the read-only
// bits hold. Everything below its root is walked before and after a run;
// strace, when installed, lists every file the process touched.

// hermeticVersion is the version the sandbox's binary is built with: with one,
// tpgen writes stamps and skips what is up to date.
const hermeticVersion = "v0.0.0-hermetic"

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// tpgenBinary builds tpgen once per test process, with hermeticVersion.
func tpgenBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tpgen-bin-")
		if err != nil {
			binErr = err
			return
		}
		binDirs = append(binDirs, dir)
		if binErr = os.Chmod(dir, 0o755); binErr != nil {
			return
		}
		binPath = filepath.Join(dir, "tpgen")
		cmd := exec.Command("go", "build", "-ldflags=-X main.buildVersion="+hermeticVersion, "-o", binPath, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

var binDirs []string

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range binDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// nobody is the user runs are made as when the tests run as root.
const nobody = 65534

type sandbox struct {
	t              *testing.T
	root           string // everything the run may see of the test, walked before and after
	home, tmp, cwd string
	asNobody       bool
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	root := t.TempDir()
	// t.TempDir's directories are the test's own (0700): let another user in.
	for _, d := range []string{filepath.Dir(root), root} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s := &sandbox{t: t, root: root, home: filepath.Join(root, "home"), tmp: filepath.Join(root, "tmp"), cwd: filepath.Join(root, "cwd"),
		asNobody: os.Geteuid() == 0}
	t.Cleanup(func() {
		// Writable again, so that t.TempDir can remove it (before this runs).
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
	})
	for _, d := range []string{s.home, s.tmp, s.cwd} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.writable(s.tmp) // so that a temporary file would be made, and seen
	return s
}

// writable makes dir (created if need be) writable for the run's user.
func (s *sandbox) writable(dir string) {
	s.t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		s.t.Fatal(err)
	}
	if s.asNobody {
		if err := os.Chown(dir, nobody, nobody); err != nil {
			s.t.Fatal(err)
		}
	}
}

// freeze makes every file and directory below dir read-only, but the
// directories in keep (and what is in them).
func (s *sandbox) freeze(dir string, keep ...string) {
	s.t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if slices.Contains(keep, p) {
			return fs.SkipDir
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			return nil
		case d.IsDir():
			return os.Chmod(p, 0o555)
		default:
			return os.Chmod(p, 0o444)
		}
	})
	if err != nil {
		s.t.Fatal(err)
	}
	// HOME and the working directory: empty and read-only.
	for _, d := range []string{s.home, s.cwd} {
		if err := os.Chmod(d, 0o555); err != nil {
			s.t.Fatal(err)
		}
	}
}

// run runs name with args in dir with exactly env. With trace set and strace
// installed, it returns strace's record of the run's file and network calls.
func (s *sandbox) run(dir string, env []string, trace bool, name string, args ...string) (result, []string) {
	s.t.Helper()
	var traceLog string
	if trace {
		if strace, err := exec.LookPath("strace"); err == nil {
			logDir := s.t.TempDir()
			if err := os.Chmod(logDir, 0o777); err != nil {
				s.t.Fatal(err)
			}
			traceLog = filepath.Join(logDir, "strace.log")
			args = append([]string{"-f", "-qq", "-y", "-s", "4096", "-e", "trace=file,network,process", "-o", traceLog, "--", name}, args...)
			name = strace
		}
	}
	run := func(newNet bool) (result, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		if cmd.Env == nil {
			cmd.Env = []string{} // nil would be this process's environment
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{}
		if newNet {
			cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWNET
		}
		if s.asNobody {
			cmd.SysProcAttr.Credential = &syscall.Credential{Uid: nobody, Gid: nobody}
		}
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return result{exit.ExitCode(), stdout.String(), stderr.String()}, nil
		}
		return result{0, stdout.String(), stderr.String()}, err
	}
	r, err := run(true)
	if err != nil {
		s.t.Logf("no network namespace of its own (%v): the network is checked by strace only", err)
		r, err = run(false)
	}
	if err != nil {
		s.t.Fatalf("%s: %v", name, err)
	}
	if traceLog == "" {
		return r, nil
	}
	data, err := os.ReadFile(traceLog)
	if err != nil {
		s.t.Fatal(err)
	}
	return r, strings.Split(strings.TrimSpace(string(data)), "\n")
}

// entry is what the walk records of a path: enough to see any change of
// content, kind, permissions or links, and of a directory's entries (its
// modification time).
type entry struct {
	mode  fs.FileMode
	uid   uint32
	sum   string
	link  string
	mtime time.Time
}

func walkTree(t *testing.T, root string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := entry{mode: fi.Mode(), mtime: fi.ModTime()}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			e.uid = st.Uid
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			e.link, _ = os.Readlink(p)
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			e.sum = hex.EncodeToString(sum[:])
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// changes lists the paths (relative to the walk's root) added, removed or
// changed between two walks.
func changes(before, after map[string]entry) []string {
	var out []string
	for p, b := range before {
		if a, ok := after[p]; !ok {
			out = append(out, p+" (removed)")
		} else if a != b {
			out = append(out, p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			out = append(out, p+" (added)")
		}
	}
	slices.Sort(out)
	return out
}

// filesUnder lists the regular files of a walk below dir (relative to the
// walk's root), relative to dir.
func filesUnder(walk map[string]entry, dir string) []string {
	var out []string
	for p, e := range walk {
		if rel, err := filepath.Rel(dir, p); err == nil && filepath.IsLocal(rel) && e.mode.IsRegular() {
			out = append(out, filepath.ToSlash(rel))
		}
	}
	slices.Sort(out)
	return out
}

// traced is one path a traced call named, resolved, and whether the call
// could change it.
type traced struct {
	call, path string
	write      bool
	line       string
}

var (
	traceCall = regexp.MustCompile(`^(?:\d+ +)?([a-z0-9_]+)\((.*)$`)
	traceArg  = regexp.MustCompile(`(?:(AT_FDCWD|\d+<([^>]*)>), )?"((?:[^"\\]|\\.)*)"`)
)

// parseTrace turns strace lines into the paths they name, each made
// absolute (against the call's directory descriptor, or cwd); the calls
// that create, write, rename or remove are writes.
func parseTrace(lines []string, cwd string) (paths []traced, network []string) {
	for _, line := range lines {
		m := traceCall.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		call, args := m[1], m[2]
		switch call {
		case "socket", "connect", "bind", "sendto", "sendmsg", "socketpair", "listen", "accept", "accept4":
			network = append(network, line)
			continue
		}
		matches := traceArg.FindAllStringSubmatch(args, -1)
		if len(matches) == 0 {
			continue
		}
		n := 1
		if strings.HasPrefix(call, "rename") || call == "linkat" || call == "link" {
			n = 2
		}
		for _, a := range matches[:min(n, len(matches))] {
			p := a[3]
			if !filepath.IsAbs(p) {
				base := cwd
				if a[2] != "" {
					base = a[2]
				}
				p = filepath.Join(base, p)
			}
			write := strings.Contains(args, "O_WRONLY") || strings.Contains(args, "O_RDWR") || strings.Contains(args, "O_CREAT") ||
				slices.Contains([]string{"mkdir", "mkdirat", "unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2", "chmod", "fchmodat", "chown", "fchownat", "symlink", "symlinkat", "link", "linkat", "truncate", "utimensat"}, call)
			paths = append(paths, traced{call: call, path: filepath.Clean(p), write: write, line: line})
		}
	}
	return paths, network
}

// systemPaths are read by the Go runtime and the dynamic loader, not by
// tpgen: what it reads of them is the machine's, not the build's.
var systemPaths = []string{"/proc/", "/sys/kernel/mm/transparent_hugepage/", "/sys/fs/cgroup/", "/etc/ld.so.", "/lib/", "/lib64/", "/usr/lib/"}

// within reports whether p is dir or below it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}
