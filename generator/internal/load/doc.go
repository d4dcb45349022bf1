// Package load reads and checks a service's spec: a document and the files
// its $refs reach (bundled into one, confined to the ref root), JSON and YAML
// alike, Swagger 2.0 converted, lenient repairs, YAML that kin-openapi would
// misread; every problem a SpecError at the file, line and column it is
// about. What it returns (a Spec) is what the generator's builder makes the
// model from; nothing after the builder sees a spec.
package load
