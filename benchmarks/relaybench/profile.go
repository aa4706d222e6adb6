package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/otelrelayer/otelrelayer/benchmarks/internal/childbroker"
)

// profileMemRate is the allocation sampling rate of -profile: one sample
// every 64 KiB allocated instead of the runtime's 512 KiB (thousands of
// samples in a few seconds), still rare enough that unwinding the sampled
// stacks does not show in the CPU profile (at 4 KiB it took 8%).
const profileMemRate = 64 << 10

// profileRun is -profile: the relayer path alone against the broker in its
// own process (w's goroutines and lines, o.duration), with a CPU profile of
// the measurement and an allocation profile of the run written to dir as
// cpu.pprof and allocs.pprof, then the ten largest CPU sites (flat) and
// allocation sites (objects, then bytes) printed with go tool pprof.
func profileRun(ctx context.Context, o options, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ext, err := childbroker.Start(childEnv)
	if err != nil {
		return err
	}
	defer func() { _ = ext.Stop() }()
	cnt, err := childbroker.NewCounter(ctx, ext.Addrs, "entity_created", "logging") // creates the topics
	if err != nil {
		return err
	}
	cnt.Close()
	w := workload{shape: shape{lines: o.lines[0]}, concurrency: o.goroutines[len(o.goroutines)-1], duration: o.duration, brokers: ext.Addrs, linger: o.linger}
	fmt.Printf("relaybench -profile: relayer path, %d goroutines, %d line(s), %v, GOMAXPROCS=%d, %s; broker: %s\n",
		w.concurrency, w.lines, w.duration, runtime.GOMAXPROCS(0), runtime.Version(), ext.Where)

	cpuPath, allocPath := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "allocs.pprof")
	f, err := os.Create(cpuPath)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	cpu0 := cpuTime()
	m, err := relayer(ctx, w)
	cpu1 := cpuTime()
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	af, err := os.Create(allocPath)
	if err != nil {
		return err
	}
	err = pprof.Lookup("allocs").WriteTo(af, 0)
	if cerr := af.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Printf("%d requests, %.0f requests/s, %.2f µs of CPU per request\n", m.requests,
		float64(m.requests)/m.elapsed.Seconds(), float64((cpu1-cpu0)/time.Duration(m.requests))/float64(time.Microsecond))
	fmt.Printf("profiles: %s %s\n", cpuPath, allocPath)
	for _, top := range []struct{ title, file, index string }{
		{"top 10 CPU (flat)", cpuPath, ""},
		{"top 10 allocation sites (objects)", allocPath, "alloc_objects"},
		{"top 10 allocation sites (bytes)", allocPath, "alloc_space"},
	} {
		args := []string{"tool", "pprof", "-top", "-nodecount=10"}
		if top.index != "" {
			args = append(args, "-sample_index="+top.index)
		}
		out, err := exec.CommandContext(ctx, "go", append(args, top.file)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("go tool pprof %s: %w\n%s", top.file, err, out)
		}
		fmt.Printf("\n== %s\n%s", top.title, out)
	}
	return nil
}
