//go:build race

package redis_test

// raceEnabled slows the fleet test's calls down: under the race detector a
// call costs several times its CPU.
const raceEnabled = true
