package runtime

// Version is the runtime's version.
const Version = "0.2.0"

// SupportPackageIsVersion2 is referred to by generated code. A generated package
// that needs a runtime this one is not compatible with refers to a constant
// this package lacks, and fails to compile instead of misbehaving at run time.
//
// Version 2: path parameters reach Invoke as text, nullable fields are types
// of the generated package (runtime.Nullable is gone). Regenerate packages
// that refer to SupportPackageIsVersion1.
const SupportPackageIsVersion2 = true
