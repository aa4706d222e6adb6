package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/benchmarks/internal/childbroker"
)

// path is one way of doing the benchmark's requests.
type path struct {
	name string
	fn   func(context.Context, workload) (measurement, error)
}

var allPaths = []path{
	{"raw_franz", rawFranz},
	{"raw_franz_distinct", rawFranzDistinct},
	{"relayer", relayer},
	{"otel_sdk", otelSDK},
	{"relayer_sampled", relayerSampled},
	{"floor", floor},
}

func pathsOf(list string) ([]path, error) {
	var out []path
	for _, name := range strings.Split(list, ",") {
		i := slices.IndexFunc(allPaths, func(p path) bool { return p.name == name })
		if i < 0 {
			return nil, fmt.Errorf("-paths: unknown path %q (raw_franz, raw_franz_distinct, relayer, otel_sdk, relayer_sampled, floor)", name)
		}
		out = append(out, allPaths[i])
	}
	return out, nil
}

// config is one cell of a table.
type config struct {
	shape
	goroutines int
	codec      string
}

// result is the median of a path's rounds in one config.
type result struct {
	path string
	config
	rps        float64
	roundRPS   []float64     // requests/s of each round, in order
	cpuPerReq  time.Duration // CPU time of this process per request
	brokerCPU  time.Duration // CPU time of the child broker per request
	wirePerMsg float64       // produce request bytes per message
	wirePerReq float64       // produce request bytes per request
	logPerReq  float64       // request log bytes per request, before compression
	counted    int64         // messages found on the broker, all rounds
}

// measureAll measures every path in every config, rounds alternating the
// paths so that a noisy moment hurts them alike, and checks after each
// measurement that the broker holds every message produced.
func measureAll(ctx context.Context, b *childbroker.Broker, o options, configs []config) ([]result, error) {
	cnt, err := childbroker.NewCounter(ctx, b.Addrs, "entity_created", "logging")
	if err != nil {
		return nil, err
	}
	defer cnt.Close()
	var results []result
	for _, c := range configs {
		w := workload{shape: c.shape, concurrency: c.goroutines, duration: o.duration, brokers: b.Addrs, codec: c.codec, linger: o.linger}
		rps := make([][]float64, len(o.paths))
		cpu := make([][]time.Duration, len(o.paths))
		bcpu := make([][]time.Duration, len(o.paths))
		wire := make([]float64, len(o.paths))
		wireReq := make([]float64, len(o.paths))
		logReq := make([]float64, len(o.paths))
		counted := make([]int64, len(o.paths))
		for range o.rounds {
			for i, p := range o.paths {
				runtime.GC()
				before, err := cnt.Count(ctx)
				if err != nil {
					return nil, err
				}
				cpu0, bcpu0 := cpuTime(), b.CPUTime()
				m, err := p.fn(ctx, w)
				cpu1, bcpu1 := cpuTime(), b.CPUTime()
				if err != nil {
					return nil, fmt.Errorf("%s: %w", p.name, err)
				}
				after, err := cnt.Count(ctx)
				if err != nil {
					return nil, err
				}
				if after-before != m.messages {
					return nil, fmt.Errorf("%s: %w: produced %d, the broker holds %d more", p.name, childbroker.ErrMissing, m.messages, after-before)
				}
				counted[i] += after - before
				rps[i] = append(rps[i], float64(m.requests)/m.elapsed.Seconds())
				cpu[i] = append(cpu[i], (cpu1-cpu0)/time.Duration(m.requests))
				bcpu[i] = append(bcpu[i], (bcpu1-bcpu0)/time.Duration(m.requests))
				if m.messages > 0 {
					wire[i] = float64(m.wireBytes) / float64(m.messages)
				}
				wireReq[i] = float64(m.wireBytes) / float64(m.requests)
				logReq[i] = float64(m.loggingBytes) / float64(m.requests)
			}
		}
		for i, p := range o.paths {
			results = append(results, result{path: p.name, config: c,
				rps: median(rps[i]), roundRPS: rps[i], cpuPerReq: median(cpu[i]), brokerCPU: median(bcpu[i]), wirePerMsg: wire[i], wirePerReq: wireReq[i], logPerReq: logReq[i], counted: counted[i]})
		}
	}
	return results, nil
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// medianRatio is the median of the rounds' ratios a[i]/b[i]: each round
// measured both paths back to back, under the same load.
func medianRatio(a, b []float64) float64 {
	var ratios []float64
	for i := range min(len(a), len(b)) {
		ratios = append(ratios, a[i]/b[i])
	}
	if len(ratios) == 0 {
		return 0
	}
	return median(ratios)
}

func printTable(results []result) {
	fmt.Printf("%-19s %10s %6s %7s %12s %12s %12s %12s %12s %12s %14s\n", "path", "goroutines", "lines", "codec", "requests/s", "cpu_us/req", "broker_us/req", "wire_B/msg", "wire_B/req", "log_B/req", "msgs_on_broker")
	for _, r := range results {
		codec := r.codec
		if codec == "" {
			codec = "default"
		}
		fmt.Printf("%-19s %10d %6d %7s %12.0f %12.2f %12.2f %12.1f %12.1f %12.1f %14d\n", r.path, r.goroutines, r.lines, codec,
			r.rps, float64(r.cpuPerReq)/float64(time.Microsecond), float64(r.brokerCPU)/float64(time.Microsecond), r.wirePerMsg, r.wirePerReq, r.logPerReq, r.counted)
	}
}

// printFigures prints the named figures: the headline ones for main
// goroutines and one line, then the scaling ones with a suffix.
func printFigures(prefix string, results []result, main int) {
	find := func(p string, g, l int) (result, bool) {
		i := slices.IndexFunc(results, func(r result) bool { return r.path == p && r.goroutines == g && r.lines == l })
		if i < 0 {
			return result{}, false
		}
		return results[i], true
	}
	for _, r := range results {
		suffix := ""
		switch {
		case r.lines != 1:
			suffix = fmt.Sprintf("_%dlines", r.lines)
		case r.goroutines != main:
			suffix = fmt.Sprintf("_%dgoroutines", r.goroutines)
		}
		fmt.Printf("%s%s_requests_per_s%s %.0f\n", prefix, r.path, suffix, r.rps)
		fmt.Printf("%s%s_cpu_s_per_request%s %.3g\n", prefix, r.path, suffix, r.cpuPerReq.Seconds())
		if r.path == "floor" {
			if distinct, ok := find("raw_franz_distinct", r.goroutines, r.lines); ok {
				fmt.Printf("%sratio_floor_vs_raw_distinct%s %.2f\n", prefix, suffix, medianRatio(r.roundRPS, distinct.roundRPS))
			}
		}
		if r.path != "relayer" {
			continue
		}
		if f, ok := find("floor", r.goroutines, r.lines); ok {
			fmt.Printf("%sratio_relayer_vs_floor%s %.2f\n", prefix, suffix, medianRatio(r.roundRPS, f.roundRPS))
		}
		if raw, ok := find("raw_franz", r.goroutines, r.lines); ok {
			fmt.Printf("%sratio_relayer_vs_raw%s %.2f\n", prefix, suffix, r.rps/raw.rps)
			fmt.Printf("%sratio_relayer_vs_raw_cpu%s %.2f\n", prefix, suffix, float64(raw.cpuPerReq)/float64(r.cpuPerReq))
		}
		if distinct, ok := find("raw_franz_distinct", r.goroutines, r.lines); ok {
			fmt.Printf("%sratio_relayer_vs_raw_distinct%s %.2f\n", prefix, suffix, medianRatio(r.roundRPS, distinct.roundRPS))
		}
		if sdk, ok := find("otel_sdk", r.goroutines, r.lines); ok {
			fmt.Printf("%sratio_relayer_vs_otel_sdk%s %.2f\n", prefix, suffix, medianRatio(r.roundRPS, sdk.roundRPS))
		}
	}
}

// printSamplingFigures prints the request log sampling comparison: bytes of
// request logs and on the wire, and CPU, per request, without and with
// sampling at 0.1.
func printSamplingFigures(results []result) {
	var off, on *result
	for i := range results {
		switch results[i].path {
		case "relayer":
			off = &results[i]
		case "relayer_sampled":
			on = &results[i]
		}
	}
	if off == nil || on == nil {
		return
	}
	for _, r := range []struct {
		name string
		*result
	}{{"off", off}, {"0.1", on}} {
		fmt.Printf("sampling_%s_logging_bytes_per_request %.1f\n", r.name, r.logPerReq)
		fmt.Printf("sampling_%s_wire_bytes_per_request %.1f\n", r.name, r.wirePerReq)
		fmt.Printf("sampling_%s_cpu_s_per_request %.3g\n", r.name, r.cpuPerReq.Seconds())
	}
	fmt.Printf("ratio_sampled_vs_off_logging_bytes %.2f\n", on.logPerReq/off.logPerReq)
	fmt.Printf("ratio_sampled_vs_off_cpu %.2f\n", float64(on.cpuPerReq)/float64(off.cpuPerReq))
}
