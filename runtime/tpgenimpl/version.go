package tpgenimpl

// SupportPackageIsVersion5 is referred to by generated code. A generated
// package that needs a runtime this one is not compatible with refers to a
// constant this package lacks, and fails to compile instead of misbehaving at
// run time.
//
// Version 5: operations may carry Paging, which Pages interprets for the
// generated methods that iterate over all pages (ListOrdersAll). Packages
// generated for version 4 still work with this runtime: the constant stays.
//
// Version 4: operations carry the spec's security requirements
// (Operation.Security) and the service its security schemes
// (runtime.ServiceConfig.Schemes), audiences and resources are lists,
// Invoke takes the method's call options (runtime.CallOption), nullable
// types keep their state unexported (NullState, set by their constructors;
// EncodeNullable and DecodeNullable take it), and runtime.ServiceConfig has
// ValidateResponses and TokenStore. It also covers Operation.Query (a query
// written into a path key), which was added under version 3 without a bump:
// a version 3 package that sets it did not compile against an earlier
// version 3 runtime, and failed at the field rather than at the handshake.
// Regenerate packages that refer to SupportPackageIsVersion3.
//
// Version 3: what only generated code uses moved from package runtime to this
// package (operation tables, Invoke, codecs and helpers), and Invoke is a
// function of the runtime.Service. Regenerate packages that refer to
// runtime.SupportPackageIsVersion2 with this version of tpgen.
//
// Version 2: path parameters reach Invoke as text, nullable fields are types
// of the generated package.
const SupportPackageIsVersion5 = true

// SupportPackageIsVersion4 lets packages generated for version 4, which set
// no Paging, compile against this runtime.
const SupportPackageIsVersion4 = true
