// Command spoolbench measures, in one run against one embedded Kafka broker
// on loopback, what the disk spool (kafkasink.WithSpool) costs: the same
// requests (one span, one event, one log line, so one event and one request
// log) from 64 concurrent goroutines through otelrelayer without a spool,
// with the default spool (Emit returns after fsync, group commit) and with a
// spool committed every 10ms. It prints a table, then one "name value" line
// per figure.
//
// Then, for the default spool: Emit latency (p50, p99, max) with requests
// arriving at half the spool's measured rate (spool_emit_p99_ms),
// fsyncs_per_commit, counted from an execution trace (see countFsyncs), and
// the spool's size and commit time before and after a backlog
// (-backlog-mib, 1 GiB with -long; see measureBacklog).
//
//	go run ./spoolbench [-requests N] [-rounds R] [-concurrency C] [-dir DIR] [-paths memory,spool,spool_10ms] [-paced D] [-traced N] [-drain N] [-backlog-mib M] [-long]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

func main() {
	requests := flag.Int("requests", 50_000, "requests per measurement")
	rounds := flag.Int("rounds", 3, "measurements per path, alternated; the median is reported")
	concurrency := flag.Int("concurrency", 64, "goroutines issuing requests")
	dir := flag.String("dir", "", "where spool directories are made (default: the system temporary directory)")
	only := flag.String("paths", "memory,spool,spool_10ms", "the paths measured, comma-separated")
	drain := flag.Int("drain", 0, "also spool this many requests with the broker away, then time Emit while they drain (0: not measured)")
	flag.DurationVar(&pacedFor, "paced", 3*time.Second, "how long requests arrive at half the spool's measured rate for spool_emit_p99_ms (0: not measured)")
	flag.IntVar(&traced, "traced", 10_000, "requests run under the execution tracer for fsyncs_per_commit (0: not measured)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the first measurement of the first path in -paths (-paths spool: the default spool) to this file")
	backlog := flag.Int("backlog-mib", 64, "spool this many MiB with the broker away, then show the spool's size and commit time before and after they drain (0: not measured)")
	long := flag.Bool("long", false, "the long variants: a backlog of 1 GiB")
	flag.Parse()
	if *long {
		*backlog = 1024
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "spoolbench:", err)
			os.Exit(1)
		}
		defer f.Close()
		profileTo = f
	}
	if err := run(context.Background(), *requests, *rounds, *concurrency, *dir, strings.Split(*only, ","), *drain, *backlog); err != nil {
		fmt.Fprintln(os.Stderr, "spoolbench:", err)
		os.Exit(1)
	}
}

// profileTo receives the CPU profile of the first measurement of the first
// path.
var profileTo *os.File

var (
	pacedFor time.Duration // -paced
	traced   int           // -traced
)

type path struct {
	name string
	opts []kafkasink.Option // nil: no spool
}

// allPaths are the paths spoolbench can measure.
var allPaths = []path{
	{"memory", nil},
	{"spool", []kafkasink.Option{}},
	{"spool_10ms", []kafkasink.Option{kafkasink.WithSpoolCommitInterval(10 * time.Millisecond)}},
}

// selectPaths returns the paths named in only, in the order given: the
// first is the one -cpuprofile profiles.
func selectPaths(only []string) ([]path, error) {
	var out []path
	for _, name := range only {
		i := slices.IndexFunc(allPaths, func(p path) bool { return p.name == name })
		if i < 0 {
			return nil, fmt.Errorf("-paths: unknown path %q (memory, spool, spool_10ms)", name)
		}
		if !slices.ContainsFunc(out, func(p path) bool { return p.name == name }) {
			out = append(out, allPaths[i])
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-paths %s: none of memory, spool, spool_10ms", strings.Join(only, ","))
	}
	return out, nil
}

func run(ctx context.Context, requests, rounds, concurrency int, dir string, only []string, drain, backlog int) error {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		return err
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	paths, err := selectPaths(only)
	if err != nil {
		return err
	}
	fmt.Printf("spoolbench: %d requests, median of %d rounds, %d goroutines, one kfake broker on loopback\n\n", requests, rounds, concurrency)
	rps := map[string][]float64{}
	for range rounds {
		for _, p := range paths {
			if profileTo != nil && p.name == paths[0].name {
				_ = pprof.StartCPUProfile(profileTo)
			}
			elapsed, err := measure(ctx, brokers, p, requests, concurrency, dir)
			if profileTo != nil && p.name == paths[0].name {
				pprof.StopCPUProfile()
				profileTo = nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			rps[p.name] = append(rps[p.name], float64(requests)/elapsed.Seconds())
		}
	}
	median := func(name string) float64 {
		v := slices.Clone(rps[name])
		slices.Sort(v)
		return v[len(v)/2]
	}
	fmt.Printf("%-12s %14s   %s\n", "path", "requests/s", "rounds")
	for _, p := range paths {
		fmt.Printf("%-12s %14.0f   %.0f\n", p.name, median(p.name), rps[p.name])
	}
	fmt.Println()
	for _, p := range paths {
		fmt.Printf("%s_requests_per_s %.0f\n", p.name, median(p.name))
	}
	for _, name := range []string{"spool", "spool_10ms"} {
		if len(rps["memory"]) > 0 && len(rps[name]) > 0 {
			fmt.Printf("ratio_%s_vs_memory %.2f\n", name, median(name)/median("memory"))
		}
	}
	if len(rps["spool"]) > 0 && pacedFor > 0 {
		rate := median("spool") / 2
		took, err := pacedEmits(ctx, brokers, rate, pacedFor, concurrency, dir)
		if err != nil {
			return err
		}
		fmt.Printf("spool_paced_requests_per_s %.0f\n", rate)
		fmt.Printf("spool_emit_p50_ms %.2f\n", quantileMillis(took, 0.5))
		fmt.Printf("spool_emit_p99_ms %.2f\n", quantileMillis(took, 0.99))
		fmt.Printf("spool_emit_max_ms %.2f\n", quantileMillis(took, 1))
	}
	if slices.Contains(only, "spool") && traced > 0 {
		commits, fsyncs, err := countFsyncs(ctx, brokers, traced, concurrency, dir)
		if err != nil {
			return err
		}
		fmt.Printf("spool_commits %d\n", commits)
		fmt.Printf("spool_fsyncs %d\n", fsyncs)
		fmt.Printf("fsyncs_per_commit %.2f\n", float64(fsyncs)/float64(commits))
	}
	if drain > 0 {
		if err := measureDrain(ctx, brokers, drain, requests, concurrency, dir); err != nil {
			return err
		}
	}
	if backlog > 0 {
		return measureBacklog(ctx, brokers, backlog, dir)
	}
	return nil
}

// measure runs requests through a fresh pipeline and returns the time until
// every message was acknowledged.
func measure(ctx context.Context, brokers []string, p path, requests, concurrency int, dir string) (time.Duration, error) {
	opts := []kafkasink.Option{kafkasink.WithBrokers(brokers...), kafkasink.WithLogger(nil)}
	if p.opts != nil {
		d, err := os.MkdirTemp(dir, "spoolbench-")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(d)
		opts = append(append(opts, kafkasink.WithSpool(d)), p.opts...)
	}
	sink, err := kafkasink.New(opts...)
	if err != nil {
		return 0, err
	}
	var failures atomic.Int64
	pr, err := exporter.New("logging", sink, exporter.WithoutDefault(), exporter.WithErrorHandler(func(err error) {
		if failures.Add(1) == 1 {
			fmt.Println("first failure:", err)
		}
	}))
	if err != nil {
		return 0, err
	}
	defer bridge.Unregister(pr)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(pr))
	defer func() { _ = tp.Shutdown(ctx) }()
	tracer := tp.Tracer("spoolbench")
	_ = request(ctx, tracer) // binds the processor to tp
	if err := tp.ForceFlush(ctx); err != nil {
		return 0, err
	}
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Go(func() {
			for next.Add(1) <= int64(requests) {
				if request(ctx, tracer) != nil {
					errs.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if err := tp.ForceFlush(ctx); err != nil {
		return 0, err
	}
	elapsed := time.Since(start)
	if errs.Load() > 0 || failures.Load() > 0 {
		return 0, fmt.Errorf("%d calls and %d deliveries failed", errs.Load(), failures.Load())
	}
	return elapsed, nil
}

var payload = map[string]any{"id": 10, "name": "entity", "tags": []any{"a", "b"}}

// request is one request: a span, an event and a log line.
func request(ctx context.Context, tracer trace.Tracer) error {
	ctx, span := tracer.Start(ctx, "request")
	defer span.End()
	if err := bridge.Emit(ctx, "entity_created", "root", payload); err != nil {
		return err
	}
	return bridge.Log(ctx, "info", "created root")
}
