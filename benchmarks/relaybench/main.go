// Command relaybench measures, in one run against one embedded Kafka broker
// on loopback, what one request costs three ways: a bare franz-go client
// producing the same bytes, the full otelrelayer path, and the OpenTelemetry
// SDK exporting the same spans as JSON. It prints a table, then one
// "name value" line per figure.
//
//	go run ./relaybench [-requests N] [-concurrency C] [-lines L,L]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	requests := flag.Int("requests", 200_000, "requests per measurement")
	rounds := flag.Int("rounds", 3, "measurements per path; the median is reported")
	concurrency := flag.Int("concurrency", 0, "goroutines issuing requests (0: 4 × GOMAXPROCS)")
	linesFlag := flag.String("lines", "1,10", "log lines per request, one measurement each")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the relayer measurements to this file")
	flag.Parse()
	if *concurrency == 0 {
		*concurrency = 4 * runtime.GOMAXPROCS(0)
	}
	var lineCounts []int
	for _, s := range strings.Split(*linesFlag, ",") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "relaybench: -lines: %q is not a positive number\n", s)
			os.Exit(2)
		}
		lineCounts = append(lineCounts, n)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "relaybench:", err)
			os.Exit(1)
		}
		defer f.Close()
		profileTo = f
	}
	if err := run(context.Background(), *requests, *rounds, *concurrency, lineCounts); err != nil {
		fmt.Fprintln(os.Stderr, "relaybench:", err)
		os.Exit(1)
	}
}

// profileTo receives the CPU profile of the first relayer measurement.
var profileTo io.Writer

type result struct {
	name  string
	lines int
	rps   float64
}

func run(ctx context.Context, requests, rounds, concurrency int, lineCounts []int) error {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		return err
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()

	fmt.Printf("relaybench: %d requests, median of %d rounds, %d goroutines, GOMAXPROCS=%d, %s, one kfake broker on loopback\n\n",
		requests, rounds, concurrency, runtime.GOMAXPROCS(0), runtime.Version())
	var results []result
	for _, lines := range lineCounts {
		w := workload{requests: requests, concurrency: concurrency, lines: lines}
		paths := []struct {
			name string
			fn   func(context.Context, []string, workload) (time.Duration, error)
		}{
			{"raw_franz", rawFranz},
			{"relayer", relayer},
			{"otel_sdk", otelSDK},
		}
		// Rounds interleave the paths, so a noisy moment hurts all alike.
		rps := make([][]float64, len(paths))
		for range rounds {
			for i, m := range paths {
				runtime.GC()
				if m.name == "relayer" && profileTo != nil {
					_ = pprof.StartCPUProfile(profileTo)
				}
				elapsed, err := m.fn(ctx, brokers, w)
				if m.name == "relayer" && profileTo != nil {
					pprof.StopCPUProfile()
					profileTo = nil // one profile: the first relayer measurement
				}
				if err != nil {
					return fmt.Errorf("%s: %w", m.name, err)
				}
				rps[i] = append(rps[i], float64(requests)/elapsed.Seconds())
			}
		}
		for i, m := range paths {
			slices.Sort(rps[i])
			results = append(results, result{m.name, lines, rps[i][len(rps[i])/2]})
		}
	}
	printResults(results)
	return nil
}

func printResults(results []result) {
	byKey := map[string]float64{}
	fmt.Printf("%-12s %6s %14s\n", "path", "lines", "requests/s")
	for _, r := range results {
		fmt.Printf("%-12s %6d %14.0f\n", r.name, r.lines, r.rps)
		byKey[fmt.Sprintf("%s/%d", r.name, r.lines)] = r.rps
	}
	fmt.Println()
	for _, r := range results {
		suffix := ""
		if r.lines != 1 {
			suffix = fmt.Sprintf("_%dlines", r.lines)
		}
		fmt.Printf("%s_requests_per_s%s %.0f\n", r.name, suffix, r.rps)
	}
	for _, r := range results {
		if r.name != "relayer" {
			continue
		}
		suffix := ""
		if r.lines != 1 {
			suffix = fmt.Sprintf("_%dlines", r.lines)
		}
		fmt.Printf("ratio_relayer_vs_raw%s %.2f\n", suffix, r.rps/byKey[fmt.Sprintf("raw_franz/%d", r.lines)])
		fmt.Printf("ratio_relayer_vs_otel_sdk%s %.2f\n", suffix, r.rps/byKey[fmt.Sprintf("otel_sdk/%d", r.lines)])
	}
}
