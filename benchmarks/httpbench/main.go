// Command httpbench measures an otelhttp service from outside, in three
// processes: the Kafka broker (kfake in a child process, or KAFKA_BROKERS),
// the HTTP service (a child process: this program re-executed, one per
// variant), and the load generator (this process). The variants do the same
// work per request (one event keyed by a string, one log line, a small JSON
// response) under otelhttp with the same tracer provider:
//
//   - bare: no Kafka at all, the floor;
//   - handrolled: what a competent user writes without the library, with
//     franz-go at its defaults and encoding/json, for the same messages;
//   - relayer: the library as the README's service uses it, nothing tuned.
//
// The load generator keeps -conns HTTP/1.1 keep-alive connections busy in a
// closed loop for -duration, variant after variant, round after round, and
// reports medians. After each measurement the service flushes and the
// messages on the broker are counted: a mismatch with what the service
// produced, or with the responses read, aborts the run. Service CPU comes
// from /proc/<pid>/stat, from the first request to the end of the flush.
// It prints a table, then one "name value" line per figure.
//
//	go run ./httpbench [-short] [-duration D] [-rounds N] [-conns C] [-variants bare,handrolled,relayer]
//	go run ./httpbench -cpuprofile DIR    # DIR/<variant>.cpu.pprof, one per service process, and µs a request by part
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/benchmarks/internal/childbroker"
)

// brokerEnv, when set, makes httpbench run as the broker process.
const brokerEnv = "HTTPBENCH_BROKER_CHILD"

func main() {
	if os.Getenv(brokerEnv) != "" {
		if err := childbroker.Serve(); err != nil {
			fmt.Fprintln(os.Stderr, "httpbench broker:", err)
			os.Exit(1)
		}
		return
	}
	if v := os.Getenv(serviceEnv); v != "" {
		if err := serveChild(v); err != nil {
			fmt.Fprintf(os.Stderr, "httpbench %s service: %v\n", v, err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.DurationVar(&o.duration, "duration", 1500*time.Millisecond, "length of one measurement")
	flag.DurationVar(&o.warmup, "warmup", 300*time.Millisecond, "load on each service before the measurements, not measured")
	flag.IntVar(&o.rounds, "rounds", 3, "measurements per variant, alternated; the median is reported")
	flag.IntVar(&o.conns, "conns", 16, "keep-alive connections of the load generator, each with one request in flight")
	short := flag.Bool("short", false, "quick mode: 300ms measurements, one round")
	variantList := flag.String("variants", strings.Join(variants, ","), "services to measure")
	flag.StringVar(&o.profileDir, "cpuprofile", "", "directory where each service process writes a CPU profile of its whole run, <variant>.cpu.pprof; the harness then prints µs a request by part")
	flag.Parse()
	if *short {
		o.duration, o.rounds, o.warmup = 300*time.Millisecond, 1, 100*time.Millisecond
	}
	if err := o.check(*variantList); err != nil {
		fmt.Fprintln(os.Stderr, "httpbench:", err)
		os.Exit(2)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "httpbench:", err)
		os.Exit(1)
	}
}

// check validates the flags and fills o.variants.
func (o *options) check(variantList string) error {
	for _, v := range strings.Split(variantList, ",") {
		if !isVariant(v) {
			return fmt.Errorf("-variants: unknown variant %q (%s)", v, strings.Join(variants, ", "))
		}
		if slices.Contains(o.variants, v) { // two services would write one profile file
			return fmt.Errorf("-variants: %q twice", v)
		}
		o.variants = append(o.variants, v)
	}
	switch {
	case o.duration <= 0:
		return fmt.Errorf("-duration: %v is not positive", o.duration)
	case o.warmup < 0:
		return fmt.Errorf("-warmup: %v is negative", o.warmup)
	case o.rounds < 1:
		return fmt.Errorf("-rounds: %d is not positive", o.rounds)
	case o.conns < 1:
		return fmt.Errorf("-conns: %d is not positive", o.conns)
	}
	if o.profileDir != "" {
		if err := os.MkdirAll(o.profileDir, 0o755); err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
	}
	return nil
}

func run(ctx context.Context, o options) (err error) {
	b, err := childbroker.Start(brokerEnv)
	if err != nil {
		return err
	}
	defer func() { _ = b.Stop() }()
	fmt.Printf("httpbench: %v per measurement, median of %d alternated rounds, %d connections, %d CPUs, %s\n",
		o.duration, o.rounds, o.conns, runtime.NumCPU(), runtime.Version())
	results, err := measure(ctx, b, o)
	if err != nil {
		return err
	}
	fmt.Printf("\nan otelhttp service in its own process, broker: %s\n", b.Where)
	printTable(results)
	if o.profileDir != "" {
		fmt.Printf("service CPU profiles: %s/<variant>.cpu.pprof, each of the whole process; requests served, warm-up included:", o.profileDir)
		for _, r := range results {
			fmt.Printf(" %s %d", r.variant, r.served)
		}
		fmt.Println()
		if err := printBreakdown(o.profileDir, results); err != nil {
			return err
		}
	}
	fmt.Println()
	printFigures(results)
	return nil
}
