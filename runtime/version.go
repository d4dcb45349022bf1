package runtime

// Version is the runtime's version.
const Version = "0.1.0"

// SupportPackageIsVersion1 is referred to by generated code. A generated package
// that needs a runtime this one is not compatible with refers to a constant
// this package lacks, and fails to compile instead of misbehaving at run time.
const SupportPackageIsVersion1 = true
