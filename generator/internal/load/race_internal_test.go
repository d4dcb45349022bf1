//go:build race

package load

// raceCorpusLimit is the size of the largest corpus document TestJSONDocLoad
// takes under the race detector, as
// TestCorpus does.
const raceCorpusLimit = 1 << 20
