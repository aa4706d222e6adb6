package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// part is where a service spends time: a CPU sample belongs to the first
// part one of whose functions is on its stack: a name ending with one of
// suffixes (or a closure of such a function, which the compiler may name
// after the function it was inlined into), or starting with one of
// prefixes.
type part struct {
	name     string
	suffixes []string
	prefixes []string
}

// parts splits a request's work the same way in every variant, the
// library's and the hand-rolled service's counterparts side by side.
var parts = []part{
	{name: "emit (bridge.Emit / hand-rolled emit)", suffixes: []string{"/bridge.Emit", "main.(*handrolled).emit"}},
	{name: "log (bridge.Log / hand-rolled log)", suffixes: []string{"/bridge.Log", "main.(*handrolled).log"}},
	{name: "the handler's response (the same code everywhere)", suffixes: []string{"(*service).handle"}},
	{name: "request log (Processor.OnEnd / hand-rolled middleware)", suffixes: []string{"exporter.(*Processor).OnEnd", "(*handrolled).middleware"}},
	{name: "processor OnStart", suffixes: []string{"exporter.(*Processor).OnStart"}},
	{name: "bridge.HTTPHandler's own work", suffixes: []string{"bridge.(*httpHandler).ServeHTTP"}},
	{name: "otelhttp and the SDK span", prefixes: []string{"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp.", "go.opentelemetry.io/otel/sdk/trace."}},
	{name: "net/http server", suffixes: []string{"net/http.(*conn).serve"}},
	{name: "producer goroutines (franz-go, kafkasink, exporter)", prefixes: []string{"github.com/twmb/franz-go/", "github.com/otelrelayer/otelrelayer/kafkasink.", "github.com/otelrelayer/otelrelayer/exporter."}},
	{name: "GC background workers", suffixes: []string{"runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge"}},
}

const otherPart = "runtime, other (scheduler, netpoll)"

func (p part) holds(fn string) bool {
	for _, s := range p.suffixes {
		if strings.HasSuffix(fn, s) || strings.Contains(fn, s+".func") {
			return true
		}
	}
	for _, s := range p.prefixes {
		if strings.HasPrefix(fn, s) {
			return true
		}
	}
	return false
}

// breakdown reads a CPU profile and returns the CPU time of each part
// (indexed as parts, the last entry the other samples) and the total.
func breakdown(path string) ([]time.Duration, time.Duration, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	prof, err := profile.Parse(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	cpu := -1
	for i, st := range prof.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			cpu = i
		}
	}
	if cpu < 0 {
		return nil, 0, fmt.Errorf("%s: not a CPU profile", path)
	}
	out := make([]time.Duration, len(parts)+1)
	var total time.Duration
	for _, s := range prof.Sample {
		d := time.Duration(s.Value[cpu])
		total += d
		out[partOf(s)] += d
	}
	return out, total, nil
}

// partOf returns the index of the part sample s belongs to.
func partOf(s *profile.Sample) int {
	for i, p := range parts {
		for _, loc := range s.Location {
			for _, l := range loc.Line {
				if l.Function != nil && p.holds(l.Function.Name) {
					return i
				}
			}
		}
	}
	return len(parts)
}

// printBreakdown prints, per variant, the CPU of each part of its service
// profile divided by the requests its process served.
func printBreakdown(dir string, results []*result) error {
	cols := make([][]time.Duration, len(results))
	totals := make([]time.Duration, len(results))
	for i, r := range results {
		ds, total, err := breakdown(filepath.Join(dir, r.variant+".cpu.pprof"))
		if err != nil {
			return err
		}
		cols[i], totals[i] = ds, total
	}
	fmt.Println("\nservice CPU profiles, µs a request (each profile's samples over the requests its process served, warm-up included):")
	fmt.Printf("%-55s", "part")
	for _, r := range results {
		fmt.Printf(" %11s", r.variant)
	}
	fmt.Println()
	row := func(name string, values func(i int) time.Duration) {
		fmt.Printf("%-55s", name)
		for i, r := range results {
			fmt.Printf(" %11.2f", us(values(i))/float64(max(r.served, 1)))
		}
		fmt.Println()
	}
	for j, p := range parts {
		row(p.name, func(i int) time.Duration { return cols[i][j] })
	}
	row(otherPart, func(i int) time.Duration { return cols[i][len(parts)] })
	row("total", func(i int) time.Duration { return totals[i] })
	return nil
}
