//go:build !race

package exporter_test

// raceEnabled: see race_on_test.go.
const raceEnabled = false
