package load

import (
	"crypto/sha256"
	"path/filepath"
	"slices"
	"strings"
)

// Input is a file that generating a service read: its spec, or a file the
// spec refers to. With the Service itself, the inputs are everything its
// files are made from, so that a caller can tell, by their hashes, that
// generating again would give the same files (cmd/tpgen's no-op runs).
type Input struct {
	Path string // absolute
	Sum  [sha256.Size]byte
}

// inputsOf lists the root spec, read as data, and the files the ref reader
// read for it (the spec again among them, in places), by path, once each.
// The hashes are of the bytes that were read, so a file changed since
// cannot pass for the one generated from.
func inputsOf(specPath string, data []byte, read []readFile) []Input {
	abs, err := filepath.Abs(specPath)
	if err != nil {
		abs = specPath
	}
	in := []Input{{Path: abs, Sum: sha256.Sum256(data)}}
	for _, f := range read {
		p := filepath.FromSlash(f.path)
		if p != abs {
			in = append(in, Input{Path: p, Sum: sha256.Sum256(f.data)})
		}
	}
	slices.SortFunc(in, func(a, b Input) int { return strings.Compare(a.Path, b.Path) })
	return slices.CompactFunc(in, func(a, b Input) bool { return a.Path == b.Path })
}
