//go:build !race

package kafkasink

// raceEnabled: see race_on_test.go.
const raceEnabled = false
