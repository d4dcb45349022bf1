//go:build !race

package load

// raceCorpusLimit is the size of the largest corpus document TestJSONDocLoad
// takes under the race detector (without
// it, all are taken).
const raceCorpusLimit = 1 << 62
