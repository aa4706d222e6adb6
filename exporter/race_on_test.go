//go:build race

package exporter_test

// raceEnabled: the race detector adds allocations, so allocation counts
// are checked without it.
const raceEnabled = true
