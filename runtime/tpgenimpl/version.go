package tpgenimpl

// SupportPackageIsVersion4 is referred to by generated code. A generated
// package that needs a runtime this one is not compatible with refers to a
// constant this package lacks, and fails to compile instead of misbehaving at
// run time.
//
// Version 4: nullable types keep their state unexported (NullState, set by
// their constructors), and EncodeNullable and DecodeNullable take it;
// runtime.ServiceConfig has ValidateResponses (services.yaml's
// validate_responses).
// Regenerate packages that refer to SupportPackageIsVersion3.
//
// Version 3: what only generated code uses moved from package runtime to this
// package (operation tables, Invoke, codecs and helpers), and Invoke is a
// function of the runtime.Service. Regenerate packages that refer to
// runtime.SupportPackageIsVersion2 with this version of tpgen.
//
// Version 2: path parameters reach Invoke as text, nullable fields are types
// of the generated package.
const SupportPackageIsVersion4 = true
