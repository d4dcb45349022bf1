//go:build race

package generator

// raceCorpusLimit is the size of the largest corpus document the tests of
// this package (not generator_test's) take under the race detector, as
// TestCorpus does.
const raceCorpusLimit = 1 << 20
