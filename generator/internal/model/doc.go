// Package model is the typed intermediate form of a generated client: one
// Package per service, its operations and declared types, every Go name
// already settled and every type resolved, in a deterministic order. The
// generator's builder makes it from a loaded spec; the emitter writes Go
// from it and from nothing else. It is data: it imports nothing of the
// spec's libraries (kin-openapi) and nothing of the loader, and the layout
// test in package generator fails if it ever does.
package model
