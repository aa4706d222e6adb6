// Command relaybench measures what one request costs, against a Kafka broker
// in its own process: a bare franz-go client producing the same bytes (the
// same two records every time, and, as raw_franz_distinct, those of 4,096
// recorded requests), the full otelrelayer path, and the OpenTelemetry SDK
// exporting the same spans as JSON. The broker is KAFKA_BROKERS when set,
// else kfake started as a child process (this program re-executed) on a free
// loopback port. Paths alternate round after round and medians are reported; after
// every measurement the messages are counted on the broker, so that dropped
// work cannot look fast. It prints tables, then one "name value" line per
// figure.
//
//	go run ./relaybench [-short] [-duration D] [-rounds N] [-goroutines 1,2,4] [-lines 1,10,100]
//	go run ./relaybench -codecs none,snappy,lz4,zstd
//	go run ./relaybench -paths relayer -cpuprofile cpu.prof -memprofile mem.prof
//	go run ./relaybench -profile [-profiledir DIR] [-duration D]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/benchmarks/internal/childbroker"
)

// childEnv, when set in the environment, makes relaybench run as the broker
// process of a parent relaybench instead of as the benchmark.
const childEnv = "RELAYBENCH_BROKER_CHILD"

func main() {
	if os.Getenv(childEnv) != "" {
		if err := childbroker.Serve(); err != nil {
			fmt.Fprintln(os.Stderr, "relaybench broker:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.DurationVar(&o.duration, "duration", 1500*time.Millisecond, "length of one measurement")
	flag.IntVar(&o.rounds, "rounds", 3, "measurements per path, alternated; the median is reported")
	short := flag.Bool("short", false, "quick mode: 300ms measurements, one round")
	goroutines := flag.String("goroutines", "1,2,4", "request goroutines, one line per request; the last is used for the other tables")
	lines := flag.String("lines", "1,10,100", "log lines per request, one measurement each")
	codecList := flag.String("codecs", "", "instead of the scaling tables, compare these compression codecs (none,gzip,snappy,lz4,zstd)")
	flag.DurationVar(&o.linger, "linger", 0, "franz-go's ProducerLinger for both Kafka paths (0: the defaults)")
	pathList := flag.String("paths", "raw_franz,raw_franz_distinct,floor,relayer,otel_sdk", "paths to measure (raw_franz, raw_franz_distinct, floor, relayer, otel_sdk, relayer_sampled)")
	flag.BoolVar(&o.realistic, "realistic", false, "with -codecs: HTTP requests with the fields a web framework records and varied structured payloads")
	flag.BoolVar(&o.sampling, "sampling", true, "also compare the relayer without and with WithRequestLogSampling(0.1, 0), 1% of requests with an error line")
	flag.BoolVar(&o.inProcess, "inprocess", true, "also measure against a broker inside the benchmark process (second table)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	memProfile := flag.String("memprofile", "", "write an allocation profile of the whole run to this file")
	profile := flag.Bool("profile", false, "instead of the tables, profile the relayer path alone (the last -goroutines, the first -lines; -duration, 5s unless set): CPU and allocation profiles in -profiledir, and their top 10 sites")
	profileDir := flag.String("profiledir", "profiles", "where -profile writes cpu.pprof and allocs.pprof")
	flag.Parse()
	if *short {
		o.duration, o.rounds = 300*time.Millisecond, 1
	}
	if *profile {
		runtime.MemProfileRate = profileMemRate
		if !isSet("duration") {
			o.duration = 5 * time.Second
		}
		if !isSet("goroutines") {
			*goroutines = "4"
		}
		if !isSet("lines") {
			*lines = "1"
		}
	}
	var err error
	if o.goroutines, err = positiveList("goroutines", *goroutines); err == nil {
		o.lines, err = positiveList("lines", *lines)
	}
	if err == nil {
		o.paths, err = pathsOf(*pathList)
	}
	if err == nil && *codecList != "" {
		for _, c := range strings.Split(*codecList, ",") {
			if _, ok := codecs[c]; !ok {
				err = fmt.Errorf("-codecs: unknown codec %q", c)
			}
			o.codecs = append(o.codecs, c)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "relaybench:", err)
		os.Exit(2)
	}
	if *profile {
		if err := profileRun(context.Background(), o, *profileDir); err != nil {
			fmt.Fprintln(os.Stderr, "relaybench:", err)
			os.Exit(1)
		}
		return
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "relaybench:", err)
			os.Exit(1)
		}
		defer f.Close()
	}
	err = run(context.Background(), o)
	pprof.StopCPUProfile()
	if *memProfile != "" && err == nil {
		var f *os.File
		if f, err = os.Create(*memProfile); err == nil {
			err = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "relaybench:", err)
		os.Exit(1)
	}
}

type options struct {
	duration   time.Duration
	rounds     int
	goroutines []int
	lines      []int
	codecs     []string
	paths      []path
	inProcess  bool
	linger     time.Duration
	realistic  bool
	sampling   bool
}

// isSet reports whether the flag was given on the command line.
func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func positiveList(name, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-%s: %q is not a positive number", name, f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(ctx context.Context, o options) error {
	ext, err := childbroker.Start(childEnv)
	if err != nil {
		return err
	}
	defer func() { _ = ext.Stop() }()
	main := o.goroutines[len(o.goroutines)-1]
	fmt.Printf("relaybench: %v per measurement, median of %d alternated rounds, GOMAXPROCS=%d, %d CPUs, %s\n",
		o.duration, o.rounds, runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version())

	if len(o.codecs) > 0 {
		var configs []config
		for _, codec := range o.codecs {
			for _, l := range o.lines {
				configs = append(configs, config{goroutines: main, shape: shape{lines: l, realistic: o.realistic}, codec: codec})
			}
		}
		results, err := measureAll(ctx, ext, o, configs)
		if err != nil {
			return err
		}
		fmt.Printf("\ncompression, broker: %s\n", ext.Where)
		printTable(results)
		return nil
	}

	// The scaling tables: goroutines with one line, then lines with the
	// main number of goroutines. (main, 1) holds the headline figures.
	var configs []config
	for _, g := range o.goroutines {
		configs = append(configs, config{goroutines: g, shape: shape{lines: 1}})
	}
	for _, l := range o.lines {
		if l != 1 {
			configs = append(configs, config{goroutines: main, shape: shape{lines: l}})
		}
	}
	results, err := measureAll(ctx, ext, o, configs)
	if err != nil {
		return err
	}
	fmt.Printf("\nbroker: %s\n", ext.Where)
	printTable(results)
	var sampled []result
	if o.sampling {
		so := o
		so.paths, _ = pathsOf("relayer,relayer_sampled")
		sampled, err = measureAll(ctx, ext, so, []config{{goroutines: main, shape: shape{lines: 1, errorEvery: 100}}})
		if err != nil {
			return err
		}
		fmt.Printf("\nrequest log sampling, 1%% of requests with an error line, broker: %s\n", ext.Where)
		printTable(sampled)
	}
	var inproc []result
	if o.inProcess {
		in, err := childbroker.InProcess()
		if err != nil {
			return err
		}
		inproc, err = measureAll(ctx, in, o, []config{{goroutines: main, shape: shape{lines: 1}}})
		_ = in.Stop()
		if err != nil {
			return err
		}
		fmt.Printf("\nbroker: %s (flatters the bare client: one heap, one scheduler)\n", in.Where)
		printTable(inproc)
	}
	relayerAllocs, sdkAllocs, err := libraryAllocs(ctx)
	if err != nil {
		return err
	}
	fmt.Println()
	printFigures("", results, main)
	printFigures("inprocess_", inproc, main)
	printSamplingFigures(sampled)
	fmt.Printf("relayer_allocs_per_request %.1f\n", relayerAllocs)
	fmt.Printf("sdk_noop_processor_allocs_per_request %.1f\n", sdkAllocs)
	fmt.Printf("library_allocs %.1f\n", relayerAllocs-sdkAllocs)
	return nil
}
