//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

// The Bazel rule of the README, tested without Bazel: the macro
// (examples/bazel/tpgen.bzl) is evaluated by a Starlark interpreter from the
// BUILD file of a small workspace (testdata/bazel), with a native.genrule
// that records what Bazel would be given; the test then lays out an execroot
// as Bazel's Linux sandbox does (each input a symbolic link to the source
// tree, the output directories made beforehand), expands the command's make
// variables as Bazel does and runs exactly that command with bash in the
// sandbox of TestHermetic.

// genrule is what a genrule call was given.
type genrule struct {
	name, cmd        string
	srcs, outs, tool []string
}

// evalBuild evaluates the BUILD file of package pkg in workspace ws and
// returns its genrules. Labels of .bzl files are looked up in bzl.
func evalBuild(t *testing.T, ws, pkg string, bzl map[string]string) []genrule {
	t.Helper()
	var rules []genrule
	strs := func(v starlark.Value) []string {
		var out []string
		if l, ok := v.(*starlark.List); ok {
			for i := range l.Len() {
				s, _ := starlark.AsString(l.Index(i))
				out = append(out, s)
			}
		}
		return out
	}
	native := &starlarkstruct.Module{Name: "native", Members: starlark.StringDict{
		"genrule": starlark.NewBuiltin("genrule", func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if len(args) > 0 {
				return nil, fmt.Errorf("genrule takes keyword arguments only")
			}
			var g genrule
			for _, kv := range kwargs {
				k, _ := starlark.AsString(kv[0])
				switch k {
				case "name":
					g.name, _ = starlark.AsString(kv[1])
				case "cmd":
					g.cmd, _ = starlark.AsString(kv[1])
				case "srcs":
					g.srcs = strs(kv[1])
				case "outs":
					g.outs = strs(kv[1])
				case "tools":
					g.tool = strs(kv[1])
				case "visibility", "tags":
				default:
					return nil, fmt.Errorf("genrule: the test does not know attribute %s", k)
				}
			}
			rules = append(rules, g)
			return starlark.None, nil
		}),
	}}
	glob := starlark.NewBuiltin("glob", func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var patterns *starlark.List
		if err := starlark.UnpackPositionalArgs("glob", args, kwargs, 1, &patterns); err != nil {
			return nil, err
		}
		var files []starlark.Value
		for _, p := range strs(patterns) {
			prefix, ok := strings.CutSuffix(p, "/**")
			if !ok {
				return nil, fmt.Errorf("glob: the test knows dir/** only, not %q", p)
			}
			err := filepath.WalkDir(filepath.Join(ws, pkg, prefix), func(path string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(filepath.Join(ws, pkg), path)
					files = append(files, starlark.String(filepath.ToSlash(rel)))
				}
				return err
			})
			if err != nil {
				return nil, err
			}
		}
		return starlark.NewList(files), nil
	})
	opts := &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true}
	thread := &starlark.Thread{Name: "BUILD"}
	thread.Load = func(th *starlark.Thread, module string) (starlark.StringDict, error) {
		file, ok := bzl[module]
		if !ok {
			return nil, fmt.Errorf("load(%q): not in this workspace", module)
		}
		return starlark.ExecFileOptions(opts, th, file, nil, starlark.StringDict{"native": native})
	}
	build := filepath.Join(ws, pkg, "BUILD.bazel")
	if _, err := starlark.ExecFileOptions(opts, thread, build, nil, starlark.StringDict{"glob": glob}); err != nil {
		t.Fatalf("%s: %v", build, err)
	}
	return rules
}

// Where Bazel puts things in an execroot, as in its Linux sandbox.
const (
	binDir  = "bazel-out/k8-fastbuild/bin"
	toolDir = "bazel-out/k8-opt-exec-ST-0/bin/external/com_github_tpgen_tpgen/cmd/tpgen/tpgen_"
)

var makeVar = regexp.MustCompile(`\$\((execpath|location) ([^)]+)\)|\$\(RULEDIR\)|\$\$|\$\(`)

// expand expands a genrule command's make variables as Bazel does, for the
// variables the macro uses; any other is an error, so that the macro cannot
// come to use one this test does not run as Bazel would.
func expand(cmd, pkg string, tools map[string]string) (string, error) {
	var err error
	out := makeVar.ReplaceAllStringFunc(cmd, func(m string) string {
		sub := makeVar.FindStringSubmatch(m)
		switch {
		case m == "$$":
			return "$"
		case m == "$(RULEDIR)":
			return binDir + "/" + pkg
		case sub[1] != "":
			label := sub[2]
			if p, ok := tools[label]; ok {
				return p
			}
			if strings.Contains(label, ":") || strings.HasPrefix(label, "/") || strings.HasPrefix(label, "@") {
				err = fmt.Errorf("label %s: the test resolves tools and files of the package only", label)
				return m
			}
			return pkg + "/" + label
		}
		err = fmt.Errorf("make variable at %q: not one the test expands", m)
		return m
	})
	return out, err
}

func TestBazelRule(t *testing.T) {
	bin := tpgenBinary(t)
	s := newSandbox(t)

	// The workspace's source tree: the services package and the macro.
	src := filepath.Join(s.root, "src")
	if err := os.CopyFS(src, os.DirFS(filepath.Join(testdataDir, "bazel"))); err != nil {
		t.Fatal(err)
	}
	macro := filepath.Join("..", "..", "examples", "bazel", "tpgen.bzl")
	writeFile(t, filepath.Join(src, "tools", "tpgen.bzl"), readFile(t, macro))
	rules := evalBuild(t, src, "services", map[string]string{"//tools:tpgen.bzl": filepath.Join(src, "tools", "tpgen.bzl")})
	if len(rules) != 1 {
		t.Fatalf("the BUILD file declared %d genrules, want 1", len(rules))
	}
	g := rules[0]

	// The execroot: inputs as links into the source tree, the tool, and
	// the directories of the outputs.
	root := filepath.Join(s.root, "execroot", "_main")
	for _, f := range g.srcs {
		link := filepath.Join(root, "services", f)
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(src, "services", f), link); err != nil {
			t.Fatal(err)
		}
	}
	tools := map[string]string{}
	for _, label := range g.tool {
		tools[label] = toolDir + "/tpgen"
	}
	if err := os.MkdirAll(filepath.Join(root, toolDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, filepath.Join(root, toolDir, "tpgen")); err != nil {
		t.Fatal(err)
	}
	ruleDir := filepath.Join(root, binDir, "services")
	for _, o := range g.outs {
		s.writable(filepath.Dir(filepath.Join(ruleDir, o)))
	}
	// Bazel makes every parent of an output; the test lets the run write
	// in them, and in nothing else.
	err := filepath.WalkDir(ruleDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			s.writable(p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.freeze(src)
	s.freeze(filepath.Join(s.root, "execroot"), filepath.Join(root, binDir))

	cmd, err := expand(g.cmd, "services", tools)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("genrule %s runs: %s", g.name, cmd)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash, which runs genrules")
	}
	before := walkTree(t, s.root)
	r, _ := s.run(root, []string{"HOME=" + s.home, "TMPDIR=" + s.tmp}, false, bash, "-c", cmd)
	if r.code != exitOK || r.stdout != "" || r.stderr != "" {
		t.Fatalf("the genrule's command: want exit 0 and no output; got %v", r)
	}
	after := walkTree(t, s.root)
	rel, _ := filepath.Rel(s.root, ruleDir)
	for _, c := range changes(before, after) {
		if !within(filepath.Join(s.root, strings.TrimSuffix(c, " (added)")), ruleDir) {
			t.Errorf("the action changed %s, outside its outputs", c)
		}
	}
	outs := slices.Sorted(slices.Values(g.outs))
	if got := filesUnder(after, rel); !slices.Equal(got, outs) {
		t.Errorf("the action wrote\n%s\nthe rule declares\n%s", strings.Join(got, "\n"), strings.Join(outs, "\n"))
	}
	// tpgen outputs, given the same flags, lists the declared outputs.
	flags := strings.Fields(cmd)[1:]
	r, _ = s.run(root, nil, false, filepath.Join(root, toolDir, "tpgen"), append(append([]string{"outputs"}, withoutFlag(flags, "-follow-links")...), "-base", binDir+"/services")...)
	if got := strings.Split(strings.TrimSpace(r.stdout), "\n"); r.code != exitOK || !slices.Equal(got, outs) {
		t.Errorf("tpgen outputs: want the rule's outs; got %v", r)
	}
	if !strings.Contains(readFile(t, filepath.Join(ruleDir, "gen", "orders", "model", "models.go")), "An amount of money.") {
		t.Error("the referenced spec file, an input link, was not read")
	}
	buildOutputs(t, filepath.Join(ruleDir, "gen"), "example.com/shop", "services/gen")
}

func withoutFlag(args []string, flag string) []string {
	return slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == flag })
}

// buildOutputs builds the generated packages in a module of their own at
// the import path the rule gave them, against this tpgen's runtime.
func buildOutputs(t *testing.T, gen, module, dir string) {
	t.Helper()
	if testing.Short() {
		t.Log("-short: the generated packages are not built")
		return
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	if err := os.CopyFS(filepath.Join(mod, dir), os.DirFS(gen)); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(mod, "go.mod"), "module "+module+"\n\ngo 1.26.0\n\nrequire github.com/tpgen/tpgen v0.0.0\n\nreplace github.com/tpgen/tpgen => "+repo+"\n")
	if sum, err := os.ReadFile(filepath.Join(repo, "go.sum")); err == nil {
		writeFile(t, filepath.Join(mod, "go.sum"), string(sum))
	}
	cmd := exec.Command("go", "build", "./...")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off") // tpgen's own dependencies only, from the module cache
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go build of the rule's outputs: %v\n%s", err, out)
	}
}

// TestBazelReadme: the README shows the macro and the BUILD file that
// TestBazelRule runs, as they are.
func TestBazelReadme(t *testing.T) {
	readme := readFile(t, filepath.Join("..", "..", "README.md"))
	for _, f := range []string{filepath.Join("..", "..", "examples", "bazel", "tpgen.bzl"), filepath.Join("testdata", "bazel", "services", "BUILD.bazel")} {
		if !strings.Contains(readme, "```python\n"+readFile(t, f)+"```\n") {
			t.Errorf("README.md does not show %s as it is", f)
		}
	}
}
