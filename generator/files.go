package generator

import "github.com/tpgen/tpgen/generator/internal/emit"

// What a run writes, as the emitter lays it out: the same files for every
// spec, so that a build system can declare a run's outputs from the
// configuration alone.

// File is one generated file: where it goes (the Job's OutDir joined with
// its name) and what it holds.
type File = emit.File

// ModelDir is the subdirectory of a service's package, and the name of the
// package in it, that holds the service's types when the package's import
// path is known; the client package re-exports every type and enum value.
const ModelDir = emit.ModelDir

// PackageFiles are the files tpgen writes for a package in dir, whatever the
// spec holds, sorted; withModel is whether the package's import path is
// known, so that its types go into the ModelDir subpackage.
func PackageFiles(dir string, withModel bool) []string { return emit.PackageFiles(dir, withModel) }

// PackageDirs are the directories tpgen may write a package to: dir and its
// model subpackage. Files in them with tpgen's header are tpgen's.
func PackageDirs(dir string) []string { return emit.PackageDirs(dir) }
