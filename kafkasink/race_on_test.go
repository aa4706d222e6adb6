//go:build race

package kafkasink

// raceEnabled: the race detector adds allocations (and sync.Pool drops
// items at random), so allocation counts are checked without it.
const raceEnabled = true
