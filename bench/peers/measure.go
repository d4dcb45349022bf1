//go:build linux

package main

// This file runs child processes and measures them: wall time, CPU time and
// peak RSS (from the rusage that wait4 returns, Maxrss in KiB on Linux), and
// implements the compile-only measurement through a -toolexec wrapper, which
// is this same binary re-executed with toolexecEnv set.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// proc is the outcome of one child process.
type proc struct {
	Wall     time.Duration
	CPU      time.Duration // user + system
	MaxRSSKB int64
	Out      string // combined stdout and stderr, head and tail kept
	Err      error  // start failure, non-zero exit or timeout
}

// runProc runs name with args in dir, with env added to the environment.
// The child gets its own process group so that a timeout or an interrupt
// kills it together with anything it started (go build's compilers).
func runProc(ctx context.Context, timeout time.Duration, dir string, env []string, name string, args ...string) proc {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out := &headTail{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second

	start := time.Now()
	err := cmd.Run()
	p := proc{Wall: time.Since(start), Err: err}
	if ctx.Err() == context.DeadlineExceeded {
		p.Err = fmt.Errorf("timed out after %v", timeout)
	}
	if st := cmd.ProcessState; st != nil {
		p.CPU = st.UserTime() + st.SystemTime()
		if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
			p.MaxRSSKB = ru.Maxrss
		}
	}
	p.Out = out.String()
	return p
}

// headTail is an io.Writer that keeps the first and the last max bytes
// written: enough for the first error line of go build and for ogen's
// error, which comes after any number of log lines.
type headTail struct {
	max        int
	head, tail []byte
	dropped    bool
}

func (w *headTail) Write(b []byte) (int, error) {
	n := len(b)
	if room := w.max - len(w.head); room > 0 {
		k := min(room, len(b))
		w.head = append(w.head, b[:k]...)
		b = b[k:]
	}
	if len(b) > 0 {
		w.tail = append(w.tail, b...)
		if over := len(w.tail) - w.max; over > 0 {
			w.tail = w.tail[over:]
			w.dropped = true
		}
	}
	return n, nil
}

func (w *headTail) String() string {
	if w.dropped {
		return string(w.head) + "\n[…]\n" + string(w.tail)
	}
	return string(w.head) + string(w.tail)
}

// errLine picks the line of a failed command's output that says what went
// wrong: the first one that is not noise (see messageLines), with the lines
// that continue it (oapi-codegen puts the cause on a line starting with ":").
// Without one it falls back to err.
func errLine(out string, err error) string {
	lines := messageLines(out)
	if len(lines) == 0 {
		if err != nil {
			return err.Error()
		}
		return "failed without output"
	}
	msg := strings.TrimPrefix(lines[0], "- ")
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, ":") {
			break
		}
		msg += l
	}
	return msg
}

// messageLines returns the trimmed lines of a command's output without the
// noise: blank lines, go build's "# package" headers and download notices,
// and ogen's log lines (zap's "INFO\t…", "WARN\t…").
func messageLines(out string) []string {
	var keep []string
	for line := range strings.Lines(out) {
		line = strings.TrimSpace(line)
		switch {
		case line == "", strings.HasPrefix(line, "#"),
			strings.HasPrefix(line, "go: downloading"), strings.HasPrefix(line, "go: finding"),
			strings.HasPrefix(line, "INFO\t"), strings.HasPrefix(line, "WARN\t"), strings.HasPrefix(line, "DEBUG\t"):
			continue
		}
		keep = append(keep, line)
	}
	return keep
}

// The compile-only measurement.
//
// After one ordinary `go build ./...` in the temporary module (which puts the
// generated package's dependencies in the build cache), each measured build is
//
//	go build -toolexec=SELF -gcflags=IMPORTPATH/...=-D=/tpgen-peers-nonce-N ./...
//
// The -gcflags pattern gives only the generated packages (the client and, for
// tpgen, its model subpackage) an extra compiler flag,
// with a value that is new on every build, so its cache key changes and it is
// recompiled while every dependency is still a cache hit. -D only sets the
// directory for resolving relative ("./x") imports, which module code cannot
// have (the go command also passes -nolocalimports), so it does not change what
// the compiler does. -toolexec does not change cache keys: the go command asks
// each tool for its version through the wrapper, which passes that through.
//
// The wrapper (toolexecMain) runs each tool, takes its wall time and rusage,
// and appends one JSON line per invocation to the log named by toolexecEnv.
// measureCompile then checks that the build compiled the generated package
// exactly once; anything else it ran is reported as extra. When the generated
// code is several packages (tpgen's client and model), their compiles are
// added up: time is the sum of their wall times, which the go command runs one
// after the other since the client imports the model, and memory is the
// largest peak RSS among them.

// toolexecEnv names the log file; when it is set, this binary is the wrapper.
const toolexecEnv = "TPGEN_PEERS_TOOLEXEC_LOG"

// toolRecord is one tool invocation seen by the wrapper.
type toolRecord struct {
	Tool     string  `json:"tool"`
	Pkg      string  `json:"pkg,omitempty"` // the compiler's -p
	Seconds  float64 `json:"seconds"`
	MaxRSSKB int64   `json:"maxrss_kb"`
	Exit     int     `json:"exit"`
}

// toolexecMain is main when the binary runs as go build's -toolexec wrapper:
// args are the tool's path and arguments. It returns the tool's exit code.
func toolexecMain(logPath string, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "peers toolexec: no tool to run")
		return 2
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			fmt.Fprintln(os.Stderr, "peers toolexec:", err)
			return 1
		}
		code = ee.ExitCode()
	}
	// To build cache keys the go command asks every Go tool for its version
	// (-V=full) and the C compiler for its (-###); those are not builds.
	if slices.Contains(args[1:], "-V=full") || slices.Contains(args[1:], "-###") {
		return code
	}
	rec := toolRecord{
		Tool:    strings.TrimSuffix(filepath.Base(args[0]), ".exe"),
		Pkg:     flagValue(args[1:], "-p"),
		Seconds: wall.Seconds(),
		Exit:    code,
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rec.MaxRSSKB = ru.Maxrss
	}
	line, _ := json.Marshal(rec)
	// One write of one short line on an O_APPEND file: lines from compilers
	// that the go command runs in parallel do not interleave.
	f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		_, err = f.Write(append(line, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "peers toolexec: log:", err)
		return 1
	}
	return code
}

// flagValue returns the value of a "-name value" or "-name=value" flag.
func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

// compileRun is one compile-only measurement.
type compileRun struct {
	Compile  toolRecord   `json:"compile"`            // the generated packages' compiles, added up (see above)
	Packages []toolRecord `json:"packages"`           // each compile of a generated package
	Extra    []toolRecord `json:"extra,omitempty"`    // anything else the build ran (should be empty)
	GoBuildS float64      `json:"go_build_s"`         // the whole go build command
	Err      string       `json:"error,omitempty"`    // first error line when the compile failed
	Verified string       `json:"verified,omitempty"` // what was compiled, for -v
}

// measureCompile runs one compile-only build of importPath (and the packages
// below it) in modDir; nonce must differ between calls (see above).
func (b *bench) measureCompile(ctx context.Context, modDir, importPath, nonce string) (compileRun, error) {
	logPath := filepath.Join(b.tmp, "toolexec.jsonl")
	if err := os.Remove(logPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return compileRun{}, err
	}
	p := runProc(ctx, b.timeout, modDir, append(b.goEnv(), toolexecEnv+"="+logPath),
		"go", "build", "-toolexec="+b.self, "-gcflags="+importPath+"/...=-D=/tpgen-peers-nonce-"+nonce, "./...")
	run := compileRun{GoBuildS: p.Wall.Seconds(), Compile: toolRecord{Tool: "compile", Pkg: importPath}}
	recs, err := readToolLog(logPath)
	if err != nil {
		return run, fmt.Errorf("reading the toolexec log: %v (go build: %s)", err, errLine(p.Out, p.Err))
	}
	var seen []string
	root := 0
	for _, r := range recs {
		seen = append(seen, r.Tool+" "+r.Pkg)
		if r.Tool == "compile" && (r.Pkg == importPath || strings.HasPrefix(r.Pkg, importPath+"/")) {
			if r.Pkg == importPath {
				root++
			}
			run.Packages = append(run.Packages, r)
			run.Compile.Seconds += r.Seconds
			run.Compile.MaxRSSKB = max(run.Compile.MaxRSSKB, r.MaxRSSKB)
			run.Compile.Exit = max(run.Compile.Exit, r.Exit)
		} else {
			run.Extra = append(run.Extra, r)
		}
	}
	run.Verified = strings.Join(seen, ", ")
	if root != 1 {
		return run, fmt.Errorf("expected exactly one compile of %s, saw %d (ran: %s; go build: %s)",
			importPath, root, run.Verified, errLine(p.Out, p.Err))
	}
	if p.Err != nil || run.Compile.Exit != 0 {
		run.Err = errLine(p.Out, p.Err)
	}
	return run, nil
}

func readToolLog(path string) ([]toolRecord, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // the build ran no tool
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []toolRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r toolRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	return recs, sc.Err()
}
