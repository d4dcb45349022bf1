// Package generator turns services.yaml and OpenAPI documents into typed Go
// client packages, in memory: load and validate the inputs, build a typed
// model in which every Go name is settled, then emit Go files with jennifer.
// cmd/tpgen writes what it returns; nothing here touches the output directory.
package generator

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dave/jennifer/jen"
	"github.com/tpgen/tpgen/generator/config"
)

// Service is one client package to generate, as the config describes it.
type Service struct {
	Name        string // the services.yaml key
	Package     string // Go package name; derived from Name when empty
	Spec        string // the spec file to read
	SpecDisplay string // the spec's path as the user wrote it, for messages
	Source      string // the spec's path relative to the output, for the "// source:" line
	// RefRoot is the directory tree the spec's $refs may read files in, as
	// the user wrote it; "" is the spec's own directory. It must hold the spec.
	RefRoot string
	// FollowLinks lets $refs read through symbolic links that lead out of
	// the ref root, for build systems that lay out a run's inputs as links
	// (Bazel's sandbox): paths are still confined to the ref root as
	// written, but the links in it are trusted. Off by default: a link in a
	// vendored spec's tree could otherwise read any file.
	FollowLinks bool
	OutDir      string     // the directory the package is written to
	ImportPath  string     // the package's import path; "" when unknown (see ModelDir)
	Pos         config.Pos // where services.yaml declares the service, for messages
	Runtime     RuntimeDefaults
	// Credentials name the variables of the spec's security schemes' secrets.
	Credentials Credentials
	Include     Filter
	Exclude     Filter
	Overrides   []*Override
	// AllModels generates every component schema; by default only those
	// the generated operations use are.
	AllModels bool
	// Lenient generates from a broken spec: each defect that has an honest
	// repair (see lenient.go) becomes an alert at its place instead of an error.
	Lenient bool
}

// Filter selects operations by tag or operationId. OperationsPos holds the
// services.yaml position of each entry of Operations, when known.
type Filter struct {
	Tags          []string
	Operations    []string
	OperationsPos []config.Pos
	TagsPos       []config.Pos
}

func (f Filter) empty() bool { return len(f.Tags) == 0 && len(f.Operations) == 0 }

// Override is services.yaml's settings for one operation: its auth and pagination.
type Override struct {
	ID        string
	Pos       config.Pos
	Grant     string
	Scopes    []string
	ScopesSet bool
	Audiences []string // nil inherits
	Resources []string // nil inherits
	// Pagination is the operation's pagination: keys, nil when not written.
	Pagination *config.Pagination
}

// File is one generated file.
type File struct {
	Path string // where it goes: OutDir joined with the file name
	Data []byte
}

// Output is what Generate produces.
type Output struct {
	Files []File
	// Warnings are the -v notes on what could not be typed exactly, was
	// ignored or chosen, one a line: notes of one kind grouped under a line
	// with their count (see Note).
	Warnings []string
	// Alerts are for every run, not only -v: settings that put calls at
	// risk, such as a base URL over plain http to a host that is not loopback.
	Alerts []string
	Stats  []Stats
}

// Stats describe one generated package.
type Stats struct {
	Service    string
	Operations int
	Types      int
	Unused     int // component schemas left out: no generated operation uses them
	Lines      int
	BaseURL    string // the client's default base URL, "" when it has none
	Load       time.Duration
	Build      time.Duration
	Emit       time.Duration
	// Inputs are the files read, sorted by path: the spec and the files it
	// refers to. With the Service they are all the package is made from.
	Inputs []Input
}

// Generate builds every service's package. It returns all problems found, or
// the files; never some of the files.
func Generate(services []*Service) (*Output, error) {
	res := &Output{}
	var errs []error
	for i, r := range GenerateEach(services) {
		if r.Err != nil {
			errs = append(errs, r.Err)
			continue
		}
		name := services[i].Name
		res.Files = append(res.Files, r.Files...)
		res.Stats = append(res.Stats, r.Stats)
		for _, w := range r.Warnings {
			res.Warnings = append(res.Warnings, name+": "+w)
		}
		for _, a := range r.Alerts {
			res.Alerts = append(res.Alerts, name+": "+a)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Slice(res.Files, func(i, j int) bool { return res.Files[i].Path < res.Files[j].Path })
	return res, nil
}

// ServiceResult is what generating one service gave: its files, or why not.
type ServiceResult struct {
	Files []File // sorted by path
	Stats Stats
	// Warnings are the -v notes, grouped one a line as Output.Warnings,
	// without the service's name.
	Warnings []string
	// Alerts are for every run (see Output.Alerts): lenient mode's repairs
	// and settings that put calls at risk, without the service's name.
	Alerts []string
	// Err joins every problem found, each of which prints as one line.
	Err error
}

// GenerateEach generates each service on its own, as many at once as
// GOMAXPROCS allows (a service's load runs on one core; its rendering uses
// all of them), and returns their results in the order of services, so that
// output and errors come in the same order however the work was scheduled.
func GenerateEach(services []*Service) []ServiceResult {
	out := make([]ServiceResult, len(services))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, svc := range services {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			files, st, notes, repairs, err := generateService(svc)
			if err != nil {
				out[i] = ServiceResult{Err: errors.Join(lineErrors(err)...)}
				return
			}
			sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
			r := ServiceResult{Files: files, Stats: st, Warnings: noteLines("", notes)}
			for _, rep := range repairs {
				r.Alerts = append(r.Alerts, sanitize(rep))
			}
			if a := insecureBaseURL(st.BaseURL); a != "" {
				r.Alerts = append(r.Alerts, a)
			}
			out[i] = r
		}()
	}
	wg.Wait()
	return out
}

// generateService builds one service's files. Besides them it returns
// notes for -v, and the repairs of lenient mode, for every run.
func generateService(svc *Service) ([]File, Stats, []Note, []string, error) {
	st := Stats{Service: svc.Name}
	t0 := time.Now()
	sp, err := loadSpec(svc.Spec, svc.SpecDisplay, svc.RefRoot, svc.Lenient, svc.FollowLinks)
	if err != nil {
		return nil, st, nil, nil, err
	}
	st.Load = time.Since(t0)
	t1 := time.Now()
	pkg, err := buildPackage(svc, sp)
	if err != nil {
		return nil, st, nil, nil, err
	}
	st.Build = time.Since(t1)
	// The loaded document is most of the memory in use, and rendering has
	// no use for it: what is kept of the spec is taken now, so that the
	// collector may free the rest while the files are rendered.
	st.Inputs = sp.inputs
	notes := append(sp.notes, pkg.Notes...)
	repairs := unique(append(append(sp.repairs, pkg.Repairs...), pkg.Alerts...)) // lenient repairs, then alerts of the build
	sp = nil
	t2 := time.Now()
	files, err := emitPackage(svc, pkg)
	if err != nil {
		return nil, st, nil, nil, err
	}
	st.Emit = time.Since(t2)
	st.Operations, st.Types, st.Unused = len(pkg.Operations), len(pkg.Types), pkg.UnusedSchemas
	st.BaseURL = pkg.Runtime.BaseURL
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".go") {
			st.Lines += bytes.Count(f.Data, []byte("\n"))
		}
	}
	if svc.RefRoot != "" {
		notes = append(notes, Note{Group: fmt.Sprintf("$ref may read files anywhere under %s (ref_root), not only in the spec's directory", svc.RefRoot)})
	}
	if svc.FollowLinks {
		notes = append(notes, Note{Group: "$ref follows symbolic links wherever they lead (-follow-links)"})
	}
	if modelImportPath(svc.ImportPath, pkg) == "" && len(pkg.Types) > 0 {
		notes = append(notes, Note{Group: "no go.mod above " + svc.OutDir + ", so the package's import path is unknown: its types stay in the client package instead of a " + ModelDir + " subpackage"})
	}
	return files, st, notes, repairs, nil
}

// lineErrors splits err into the problems it joins, each of which prints as
// one line of text whatever spec text it holds (see sanitize).
func lineErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, lineErrors(e)...)
		}
		return out
	}
	return []error{sanitized{err}}
}

// sanitized is an error whose text is sanitized; errors.As and errors.Is
// see the error it holds.
type sanitized struct{ err error }

func (e sanitized) Error() string { return sanitize(e.err.Error()) }
func (e sanitized) Unwrap() error { return e.err }

// unique is ss without repetitions, in the order first met: a $ref walked
// twice (through an alias, say) is one repair.
func unique[T comparable](ss []T) []T {
	seen := make(map[T]bool, len(ss))
	out := ss[:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// buildPackage turns a loaded spec into the model.
func buildPackage(svc *Service, sp *spec) (*Package, error) {
	name := svc.Package
	if name == "" {
		name = packageName(svc.Name)
	}
	pkg := &Package{Name: name, Service: svc.Name, Source: svc.Source, Runtime: svc.Runtime, AuthFrom: map[string]string{}}
	if info := sp.doc.Info; info != nil {
		pkg.Title, pkg.Version, pkg.Description = info.Title, info.Version, info.Description
	}
	ns := newNamespace(reservedIdents...)
	b := &builder{svc: svc, sp: sp, types: ns, pkg: pkg}
	b.typer = newTyper(ns, func(n Note) { b.pkg.Notes = append(b.pkg.Notes, n) })
	b.typer.fail = func(source, msg string) {
		b.errs = append(b.errs, sp.errorAt(msg, sourceKeys(source)...))
	}
	b.defaultBaseURL()
	if pkg.Runtime.Scopes == nil && sp.doc.Security != nil {
		// services.yaml says nothing of scopes: the spec's global security does.
		pkg.Runtime.Scopes = b.oauthScopes(sp.doc.Security)
	}
	if sp.doc.Components != nil {
		b.typer.declareComponents(sp.doc.Components.Schemas)
	}
	if sp.doc.Security != nil {
		pkg.Security = requirements(sp.doc.Security)
	}
	b.auditDocument()
	b.operations()
	b.security()
	b.authDefaults()
	b.typer.nameSharedEnums()
	b.typer.nameNullables()
	b.typer.requiredValues()
	b.errorModels()
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	if len(pkg.Operations) == 0 {
		b.note("no operations selected: the package has types only", "", "")
	}
	pkg.Types = b.typer.decls
	if !svc.AllModels && len(pkg.Operations) > 0 {
		pkg.Types, pkg.UnusedSchemas = usedDecls(pkg)
		pkg.Notes = notesOf(pkg.Notes, pkg.Types)
	}
	sort.Slice(pkg.Types, func(i, j int) bool { return pkg.Types[i].Name < pkg.Types[j].Name })
	if bd := sp.bundle; bd != nil {
		// Schemas from other files are named in comments and notes where the user wrote them.
		for _, d := range pkg.Types {
			d.Source = bd.displaySources(d.Source)
		}
		for i := range pkg.Notes {
			pkg.Notes[i] = pkg.Notes[i].rewrite(bd.displaySources)
		}
	}
	if sp.swagger {
		for i := range pkg.Notes {
			pkg.Notes[i] = pkg.Notes[i].rewrite(swagger2Text)
		}
	}
	return pkg, nil
}

// renderFile renders code as a formatted Go file of package name with tpgen's
// header and, when doc is set, the package's doc comment.
func renderFile(name, source, doc, modelPath string, code []jen.Code) ([]byte, error) {
	f := jen.NewFile(name)
	f.NoFormat = true
	f.ImportName(runtimePkg, "runtime")
	f.ImportName(implPkg, "tpgenimpl")
	f.ImportName(tokenPkg, "token")
	if modelPath != "" {
		f.ImportName(modelPath, ModelDir)
	}
	fileComments(f, filepath.ToSlash(source), doc)
	for _, c := range code {
		f.Add(c)
		f.Line()
	}
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, err
	}
	out, err := format.Source(unindent(buf.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, offendingLine(buf.Bytes(), err))
	}
	return out, nil
}

func packageDoc(pkg *Package) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Package %s is a typed client for the %s service", pkg.Name, pkg.Service)
	if pkg.Title != "" {
		fmt.Fprintf(&b, " (%s", strings.TrimSpace(pkg.Title))
		if pkg.Version != "" {
			fmt.Fprintf(&b, " %s", pkg.Version)
		}
		b.WriteString(")")
	}
	b.WriteString(", generated by tpgen.\n\n")
	b.WriteString("Create a Client once with New and reuse it. Calls get their tokens, message ids, retries and diagnostics from github.com/tpgen/tpgen/runtime; see README.md beside this file.")
	return b.String()
}

func modelPackageDoc(pkg *Package) string {
	return fmt.Sprintf("Package model holds the types of the %s service's client, generated by tpgen.\n\n"+
		"Package %s re-exports every type and enum value declared here under the same name: import that package, not this one.", pkg.Service, pkg.Name)
}

// offendingLine quotes the line a format error points at, for bug reports.
func offendingLine(src []byte, err error) string {
	var line int
	if _, scanErr := fmt.Sscanf(err.Error(), "%d:", &line); scanErr != nil || line <= 0 {
		return ""
	}
	lines := bytes.Split(src, []byte("\n"))
	if line > len(lines) {
		return ""
	}
	return "\t" + string(bytes.TrimSpace(lines[line-1]))
}

// unindent removes the whitespace jennifer puts at the start of lines. gofmt
// only reformats a doc comment that starts in column 1 right above its
// declaration, so without this a second gofmt run would still change the
// output. Generated code has no multi-line raw strings, so no line's meaning
// depends on its indentation.
func unindent(src []byte) []byte {
	out := src[:0]
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i+1], src[i+1:]
		} else {
			src = nil
		}
		out = append(out, bytes.TrimLeft(line, " \t")...)
	}
	return out
}

// sourceKeys turns a model source ("components/schemas/Pet/properties/id",
// "GET /pets request body") into the keys that locate it in the spec.
func sourceKeys(source string) []string {
	if rest, ok := strings.CutPrefix(source, "components/"); ok {
		return append([]string{"components"}, strings.Split(rest, "/")...)
	}
	if method, rest, ok := strings.Cut(source, " "); ok {
		path, _, _ := strings.Cut(rest, " ")
		return []string{"paths", path, strings.ToLower(method)}
	}
	return nil
}
