//go:build !race

package generator_test

// raceSlowdown scales time limits in tests: the race detector makes
// generation several times slower.
const raceSlowdown = 1

// raceCorpusLimit is the size of the largest corpus document TestCorpus
// takes under the race detector (without it, all are taken).
const raceCorpusLimit = 1 << 62
