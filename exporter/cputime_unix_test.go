//go:build unix

package exporter_test

import (
	"syscall"
	"testing"
	"time"
)

// reportCPU makes b report the CPU time of the whole process per operation
// (user and system, garbage collection included) as cpu-ns/op: unlike ns/op,
// it does not grow when other processes compete for the cores.
func reportCPU(b *testing.B) {
	start := cpuTime()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	})
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
