//go:build !unix

package exporter_test

import "testing"

// reportCPU reports nothing where getrusage is not available.
func reportCPU(*testing.B) {}
