// Package generator turns services.yaml and OpenAPI documents into typed Go
// client packages, in memory: load and validate the inputs, build a typed
// model in which every Go name is settled, then emit Go files with jennifer.
// cmd/tpgen writes what it returns; nothing here touches the output directory.
//
// How the code is organised, one package per stage; their imports keep the
// stages apart (TestStageImports):
//
//	generator                  Generate, Job, FromConfig; building the model from a loaded spec
//	generator/config           services.yaml: strict decoding, defaults, errors at their line
//	generator/internal/load    reading and checking documents, errors located in them
//	generator/internal/model   the typed model, every Go name settled; the standard library only
//	generator/internal/goname  Go names from spec text
//	generator/internal/emit    model -> Go files and README; imports neither kin-openapi nor load
package generator

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tpgen/tpgen/generator/config"
	"github.com/tpgen/tpgen/generator/internal/emit"
	"github.com/tpgen/tpgen/generator/internal/goname"
	"github.com/tpgen/tpgen/generator/internal/load"
	"github.com/tpgen/tpgen/generator/internal/model"
)

// SpecError is a problem with a spec, at its file, line and column: what
// Generate returns for a spec it cannot read or check.
type SpecError = load.SpecError

// Input is a file that generating a service read (Stats.Inputs).
type Input = load.Input

// RuntimeDefaults are the non-secret settings a generated package hands the
// runtime, as Job.Runtime carries them; the model defines them.
type RuntimeDefaults = model.RuntimeDefaults

// Grant is a runtime grant, RuntimeDefaults.Grant (ParseGrant).
type Grant = model.Grant

// ParseGrant is the grant services.yaml's auth.grant (or -grant) names; ""
// is no grant set, and false says name is none the runtime knows.
func ParseGrant(name string) (Grant, bool) { return model.ParseGrant(name) }

// ClientAuth is how a client authenticates at the token endpoint,
// RuntimeDefaults.ClientAuth.
type ClientAuth = model.ClientAuth

// TokenStoreDefaults is services.yaml's token_store in RuntimeDefaults.
type TokenStoreDefaults = model.TokenStoreDefaults

// TokenStoreKind is TokenStoreDefaults.Kind.
type TokenStoreKind = model.TokenStoreKind

// GeneratedLine is the text of the first line of every file tpgen writes
// (a "// " comment in Go files, an HTML comment in READMEs): only files
// that start with it are tpgen's to overwrite or delete.
const GeneratedLine = emit.GeneratedLine

// Job is one client package to generate: a service of services.yaml (or of
// single-spec mode), its spec, where its package goes and its settings.
type Job struct {
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
	// repair (see load/lenient.go) becomes an alert at its place instead of an error.
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
	// refers to. With the Job they are all the package is made from.
	Inputs []Input
}

// Generate builds every service's package. It returns all problems found, or
// the files; never some of the files.
func Generate(services []*Job) (*Output, error) {
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

// JobResult is what generating one service gave: its files, or why not.
type JobResult struct {
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
func GenerateEach(services []*Job) []JobResult {
	out := make([]JobResult, len(services))
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
				out[i] = JobResult{Err: errors.Join(lineErrors(err)...)}
				return
			}
			sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
			r := JobResult{Files: files, Stats: st, Warnings: noteLines("", notes)}
			for _, rep := range repairs {
				r.Alerts = append(r.Alerts, load.Sanitize(rep))
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
func generateService(svc *Job) ([]File, Stats, []model.Note, []string, error) {
	st := Stats{Service: svc.Name}
	t0 := time.Now()
	sp, err := load.LoadSpec(svc.Spec, svc.SpecDisplay, svc.RefRoot, svc.Lenient, svc.FollowLinks)
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
	st.Inputs = sp.Inputs
	notes := append(sp.Notes, pkg.Notes...)
	repairs := unique(append(append(sp.Repairs, pkg.Repairs...), pkg.Alerts...)) // lenient repairs, then alerts of the build
	sp = nil
	t2 := time.Now()
	files, err := emit.Package(pkg, svc.OutDir, svc.ImportPath)
	if err != nil {
		return nil, st, nil, nil, err
	}
	st.Emit = time.Since(t2)
	st.Operations, st.Types, st.Unused = len(pkg.Methods), len(pkg.Types), pkg.UnusedSchemas
	st.BaseURL = pkg.Runtime.BaseURL
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".go") {
			st.Lines += bytes.Count(f.Data, []byte("\n"))
		}
	}
	if svc.RefRoot != "" {
		notes = append(notes, model.Note{Group: fmt.Sprintf("$ref may read files anywhere under %s (ref_root), not only in the spec's directory", svc.RefRoot)})
	}
	if svc.FollowLinks {
		notes = append(notes, model.Note{Group: "$ref follows symbolic links wherever they lead (-follow-links)"})
	}
	if emit.ModelImportPath(svc.ImportPath, pkg) == "" && len(pkg.Types) > 0 {
		notes = append(notes, model.Note{Group: "no go.mod above " + svc.OutDir + ", so the package's import path is unknown: its types stay in the client package instead of a " + ModelDir + " subpackage"})
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

func (e sanitized) Error() string { return load.Sanitize(e.err.Error()) }
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
func buildPackage(svc *Job, sp *load.Spec) (*model.Package, error) {
	name := svc.Package
	if name == "" {
		name = goname.PackageName(svc.Name)
	}
	pkg := &model.Package{Name: name, Service: svc.Name, Source: svc.Source, Runtime: svc.Runtime, AuthFrom: map[string]string{}}
	if info := sp.Doc.Info; info != nil {
		pkg.Title, pkg.Version, pkg.Description = info.Title, info.Version, info.Description
	}
	ns := goname.NewNamespace(reservedIdents...)
	b := &builder{svc: svc, sp: sp, types: ns, pkg: pkg}
	b.typer = newTyper(ns, func(n model.Note) { b.pkg.Notes = append(b.pkg.Notes, n) })
	b.typer.fail = func(source, msg string) {
		b.errs = append(b.errs, sp.ErrorAt(msg, sourceKeys(source)...))
	}
	b.defaultBaseURL()
	if pkg.Runtime.Scopes == nil && sp.Doc.Security != nil {
		// services.yaml says nothing of scopes: the spec's global security does.
		pkg.Runtime.Scopes = b.oauthScopes(sp.Doc.Security)
	}
	if sp.Doc.Components != nil {
		b.typer.declareComponents(sp.Doc.Components.Schemas)
	}
	if sp.Doc.Security != nil {
		pkg.Security = requirements(sp.Doc.Security)
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
	if len(pkg.Methods) == 0 {
		b.note("no operations selected: the package has types only", "", "")
	}
	pkg.Types = b.typer.decls
	if !svc.AllModels && len(pkg.Methods) > 0 {
		pkg.Types, pkg.UnusedSchemas = usedDecls(pkg)
		pkg.Notes = notesOf(pkg.Notes, pkg.Types)
	}
	sort.Slice(pkg.Types, func(i, j int) bool { return pkg.Types[i].Name < pkg.Types[j].Name })
	if bd := sp.Bundle; bd != nil {
		// Schemas from other files are named in comments and notes where the user wrote them.
		for _, d := range pkg.Types {
			d.Source = sourceAt(bd.DisplaySources(d.Source.Place), d.Source.Component)
		}
		for i := range pkg.Notes {
			pkg.Notes[i] = rewriteNote(pkg.Notes[i], bd.DisplaySources)
		}
	}
	if sp.Swagger {
		for i := range pkg.Notes {
			pkg.Notes[i] = rewriteNote(pkg.Notes[i], load.Swagger2Text)
		}
	}
	return pkg, nil
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
