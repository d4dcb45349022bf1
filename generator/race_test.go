//go:build race

package generator_test

// raceSlowdown scales time limits in tests: the race detector makes
// generation several times slower.
const raceSlowdown = 4
