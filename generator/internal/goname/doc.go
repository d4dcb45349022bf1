// Package goname makes Go identifiers from spec text: words, exported and
// unexported names, package names, and a Namespace that hands out each name
// once, deterministically. The loader's bundler and the builder share it,
// so a name is derived one way everywhere.
package goname
