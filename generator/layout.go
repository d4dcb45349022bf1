package generator

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/dave/jennifer/jen"
)

// The files of a package are fixed: the same names for every spec, however
// large, so that a build system can declare a run's outputs from the
// configuration alone (PackageFiles) before tpgen reads a spec. Big files are
// still rendered and formatted in parallel, in parts that are joined after
// gofmt (joinParts).

// File names of a generated package.
const (
	FileClient     = "client.go"     // Client, New, the package doc
	FileOperations = "operations.go" // one method per operation
	FileTypes      = "types.go"      // re-exports of the model package's types (with a model package only)
	FileModels     = "models.go"     // the types: in ModelDir when there is a model package, else beside client.go
	FileReadme     = "README.md"
)

// ModelDir is the subdirectory of a service's package, and the name of the
// package in it, that holds the service's types when the service's import
// path is known (tpgen reads it from go.mod). The client package re-exports
// every type and enum value under the same name, so callers never need to
// import it; splitting the two halves the memory the largest single compile
// of a big client needs. Without an import path the types stay in the client
// package.
const ModelDir = "model"

// PackageFiles are the files tpgen writes for a package in dir: always these,
// whatever the spec holds (an operations.go without operations, a model
// package without types). withModel is whether the package's import path is
// known, so that its types go into the ModelDir subpackage. The paths are dir
// joined with the names, in sorted order.
func PackageFiles(dir string, withModel bool) []string {
	names := []string{FileClient, FileOperations, FileReadme}
	if withModel {
		names = append(names, FileTypes, path.Join(ModelDir, FileModels))
	} else {
		names = append(names, FileModels)
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(dir, filepath.FromSlash(n))
	}
	slices.Sort(out)
	return out
}

// PackageDirs are the directories tpgen may write a package to: dir and its
// model subpackage. Files in them with tpgen's header are tpgen's.
func PackageDirs(dir string) []string { return []string{dir, filepath.Join(dir, ModelDir)} }

// modelImportPath is the import path of the package's model package, or ""
// when the client does not import it: its own import path is unknown, or it
// has no types (the model package is then written, empty).
func modelImportPath(importPath string, pkg *Package) string {
	if importPath == "" || len(pkg.Types) == 0 {
		return ""
	}
	return importPath + "/" + ModelDir
}

// Part sizes: a file's declarations are rendered and formatted in parts of
// this many operations or types, on all cores, then joined. Variables, so
// that a test can show that the parts join to what one part would be.
var (
	opsPerPart   = 200
	typesPerPart = 400
)

// emitPackage renders the package's files (PackageFiles) and formats them.
func emitPackage(svc *Service, pkg *Package) ([]File, error) {
	type file struct {
		dir, pkg, name string
		doc            string // package doc comment
		// parts make the code of the file's parts, which are rendered and
		// formatted one by one, on all cores (the code is made there too),
		// then joined.
		parts []func() []jen.Code
	}
	modelPath := modelImportPath(svc.ImportPath, pkg)
	typesDir, typesPkg, typesDoc := svc.OutDir, pkg.Name, ""
	if svc.ImportPath != "" {
		typesDir, typesPkg, typesDoc = filepath.Join(svc.OutDir, ModelDir), ModelDir, modelPackageDoc(pkg)
	}
	one := func(code []jen.Code) []func() []jen.Code {
		return []func() []jen.Code{func() []jen.Code { return code }}
	}
	files := []*file{{dir: svc.OutDir, pkg: pkg.Name, name: FileClient, doc: packageDoc(pkg), parts: one(genClient(pkg))}}
	if svc.ImportPath != "" {
		files = append(files, &file{dir: svc.OutDir, pkg: pkg.Name, name: FileTypes, parts: one(genAliases(pkg, modelPath))})
	}
	ops := &file{dir: svc.OutDir, pkg: pkg.Name, name: FileOperations}
	for _, c := range partsOf(len(pkg.Operations), opsPerPart) {
		ops.parts = append(ops.parts, func() []jen.Code {
			var code []jen.Code
			for _, op := range pkg.Operations[c[0]:c[1]] {
				code = append(code, genOperation(op))
			}
			return code
		})
	}
	models := &file{dir: typesDir, pkg: typesPkg, name: FileModels, doc: typesDoc}
	for i, c := range partsOf(len(pkg.Types), typesPerPart) {
		models.parts = append(models.parts, func() []jen.Code {
			var code []jen.Code
			if i == 0 && modelPath != "" {
				// The model package is compiled first: it checks the runtime's version too.
				code = append(code, handshake())
			}
			for _, d := range pkg.Types[c[0]:c[1]] {
				code = append(code, genDecl(d))
			}
			return code
		})
	}
	files = append(files, ops, models)

	type job struct{ file, part int }
	var jobs []job
	rendered := make([][][]byte, len(files))
	for i, f := range files {
		rendered[i] = make([][]byte, len(f.parts))
		for p := range f.parts {
			jobs = append(jobs, job{i, p})
		}
	}
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for k, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			f := files[j.file]
			source := pkg.Source
			if f.dir != svc.OutDir && !filepath.IsAbs(source) {
				source = path.Join("..", filepath.ToSlash(source))
			}
			doc := f.doc
			if j.part > 0 {
				doc = "" // joinParts keeps the first part's header only
			}
			data, err := renderFile(f.pkg, source, doc, modelPath, f.parts[j.part]())
			if err != nil {
				errs[k] = fmt.Errorf("%s: generating %s: %w (a bug in tpgen: please report it with the spec)", svc.Name, f.name, err)
				return
			}
			rendered[j.file][j.part] = data
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := make([]File, 0, len(files)+1)
	for i, f := range files {
		data, err := joinParts(rendered[i])
		if err != nil {
			return nil, fmt.Errorf("%s: generating %s: %w (a bug in tpgen: please report it with the spec)", svc.Name, f.name, err)
		}
		out = append(out, File{Path: filepath.Join(f.dir, f.name), Data: groupImports(data)})
	}
	readme, err := renderReadme(pkg, svc.ImportPath)
	if err != nil {
		return nil, err
	}
	out = append(out, File{Path: filepath.Join(svc.OutDir, FileReadme), Data: readme})
	return out, nil
}

// partsOf splits n items into ranges of size; no items make one empty part,
// so that the file is written all the same.
func partsOf(n, size int) [][2]int {
	if n == 0 {
		return [][2]int{{0, 0}}
	}
	var out [][2]int
	for i := 0; i < n; i += size {
		out = append(out, [2]int{i, min(i+size, n)})
	}
	return out
}

// joinParts joins gofmt-ed files of one package into one file as gofmt would
// write it: the first part's header and package clause, the union of the
// imports in one sorted declaration, then every part's declarations, a blank
// line apart. Top-level declarations are formatted independently of one
// another (a blank line ends gofmt's alignment), so the result is gofmt-ed
// too; TestPartsJoinAsOne checks it.
func joinParts(parts [][]byte) ([]byte, error) {
	if len(parts) == 1 {
		return parts[0], nil
	}
	var (
		head    []byte
		imports []string
		bodies  [][]byte
	)
	for i, p := range parts {
		h, imps, body, err := splitFile(p)
		if err != nil {
			return nil, fmt.Errorf("joining part %d: %w", i+1, err)
		}
		if i == 0 {
			head = h
		}
		imports = append(imports, imps...)
		bodies = append(bodies, body)
	}
	imports, err := sortImports(imports)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(head)
	switch len(imports) {
	case 0:
	case 1:
		b.WriteString("\nimport " + imports[0] + "\n")
	default:
		b.WriteString("\nimport (\n")
		for _, imp := range imports {
			b.WriteString("\t" + imp + "\n")
		}
		b.WriteString(")\n")
	}
	for _, body := range bodies {
		if len(body) > 0 {
			b.WriteString("\n")
			b.Write(body)
		}
	}
	return b.Bytes(), nil
}

// splitFile cuts a gofmt-ed file as jennifer writes it into what comes up to
// and including the package clause, the import specs (`"path"` or
// `name "path"`), and the declarations after the imports.
func splitFile(src []byte) (head []byte, imports []string, body []byte, err error) {
	i := 0
	for {
		if i >= len(src) {
			return nil, nil, nil, errors.New("no package clause")
		}
		end := lineEnd(src, i)
		if bytes.HasPrefix(src[i:], []byte("package ")) {
			head, i = src[:end], end
			break
		}
		i = end
	}
	i = skipBlank(src, i)
	switch {
	case bytes.HasPrefix(src[i:], []byte("import (\n")):
		i += len("import (\n")
		for {
			if i >= len(src) {
				return nil, nil, nil, errors.New("unterminated import declaration")
			}
			end := lineEnd(src, i)
			line := strings.TrimSpace(string(src[i:end]))
			i = end
			if line == ")" {
				break
			}
			imports = append(imports, line)
		}
	case bytes.HasPrefix(src[i:], []byte("import ")):
		end := lineEnd(src, i)
		imports = append(imports, strings.TrimSpace(string(src[i+len("import "):end])))
		i = end
	}
	return head, imports, src[skipBlank(src, i):], nil
}

// sortImports removes repeated import specs and sorts them by path, as gofmt
// does. A path imported under two names, or a name given to two paths, would
// not compile: jennifer chose names part by part, and did so differently.
func sortImports(specs []string) ([]string, error) {
	type spec struct{ name, path, text string }
	var all []spec
	for _, s := range specs {
		name, p, ok := strings.Cut(s, " ")
		if !ok {
			name, p = "", s
		}
		if !strings.HasPrefix(p, `"`) || !strings.HasSuffix(p, `"`) || len(p) < 2 {
			return nil, fmt.Errorf("unexpected import %q", s)
		}
		all = append(all, spec{name, p, s})
	}
	slices.SortFunc(all, func(a, b spec) int {
		if c := strings.Compare(a.path, b.path); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	all = slices.Compact(all)
	out := make([]string, len(all))
	names := map[string]string{}
	for i, s := range all {
		if i > 0 && all[i-1].path == s.path {
			return nil, fmt.Errorf("%s is imported as %q and as %q", s.path, all[i-1].name, s.name)
		}
		name := s.name
		if name == "" {
			name = path.Base(strings.Trim(s.path, `"`))
		}
		if prev, dup := names[name]; dup {
			return nil, fmt.Errorf("%s and %s are both imported as %s", prev, s.path, name)
		}
		names[name] = s.path
		out[i] = s.text
	}
	return out, nil
}

func lineEnd(src []byte, i int) int {
	if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(src)
}

func skipBlank(src []byte, i int) int {
	for i < len(src) && src[i] == '\n' {
		i++
	}
	return i
}
