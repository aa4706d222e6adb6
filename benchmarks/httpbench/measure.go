package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/otelrelayer/otelrelayer/benchmarks/internal/childbroker"
)

// options are the harness's settings (see the flags in main).
type options struct {
	duration   time.Duration
	warmup     time.Duration
	rounds     int
	conns      int
	variants   []string
	profileDir string
}

// result is what a variant measured, round by round.
type result struct {
	variant   string
	rps       []float64       // requests/s, each round
	cpu       []time.Duration // service CPU per request, each round
	brokerCPU []time.Duration // broker CPU per request, each round
	requests  int64           // all rounds
	served    int64           // by the service process, warm-up included: what its profile covers
	messages  int64           // counted on the broker, all rounds
}

// measure starts a service process per variant, warms each up, then
// measures them round after round, alternated so that a noisy moment hurts
// them alike. After each measurement the service flushes its producer and
// the messages on the broker are counted: they must be what the service
// says it produced, and the requests it served what the load generator
// counted.
func measure(ctx context.Context, b *childbroker.Broker, o options) (_ []*result, err error) {
	cnt, err := childbroker.NewCounter(ctx, b.Addrs, "entity_created", loggingTopic)
	if err != nil {
		return nil, err
	}
	defer cnt.Close()
	children := make([]*child, 0, len(o.variants))
	defer func() {
		for _, c := range children {
			err = errors.Join(err, c.stop())
		}
	}()
	results := make([]*result, len(o.variants))
	for i, v := range o.variants {
		profile := ""
		if o.profileDir != "" {
			profile = filepath.Join(o.profileDir, v+".cpu.pprof")
		}
		c, err := startChild(v, b.Addrs, profile)
		if err != nil {
			return nil, err
		}
		children = append(children, c)
		results[i] = &result{variant: v}
		// Connections, topics' metadata, the heap's size: not measured.
		if _, _, err := load(c.addr, o.conns, o.warmup); err != nil {
			return nil, fmt.Errorf("%s: warm-up: %w", v, err)
		}
		if _, _, err := c.flush(); err != nil { // nothing in flight when the others measure
			return nil, err
		}
	}
	for range o.rounds {
		for i, c := range children {
			if err := measureOnce(ctx, c, b, cnt, o, results[i]); err != nil {
				return nil, fmt.Errorf("%s: %w", c.variant, err)
			}
		}
	}
	for i, c := range children {
		if results[i].served, _, err = c.flush(); err != nil {
			return nil, err
		}
	}
	return results, nil
}

func measureOnce(ctx context.Context, c *child, b *childbroker.Broker, cnt *childbroker.Counter, o options, r *result) error {
	if _, err := c.command("gc"); err != nil {
		return err
	}
	served0, produced0, err := c.flush()
	if err != nil {
		return err
	}
	before, err := cnt.Count(ctx)
	if err != nil {
		return err
	}
	cpu0, bcpu0 := childbroker.ProcessCPU(c.pid()), b.CPUTime()
	n, elapsed, err := load(c.addr, o.conns, o.duration)
	if err != nil {
		return err
	}
	served1, produced1, err := c.flush()
	cpu1, bcpu1 := childbroker.ProcessCPU(c.pid()), b.CPUTime()
	if err != nil {
		return err
	}
	after, err := cnt.Count(ctx)
	if err != nil {
		return err
	}
	if served1-served0 != n {
		return fmt.Errorf("the load generator read %d responses, the service served %d requests", n, served1-served0)
	}
	if produced, held := produced1-produced0, after-before; produced != held {
		return fmt.Errorf("%w: produced %d, the broker holds %d more", childbroker.ErrMissing, produced, held)
	}
	if n == 0 {
		return errors.New("no request served")
	}
	r.rps = append(r.rps, float64(n)/elapsed.Seconds())
	r.cpu = append(r.cpu, (cpu1-cpu0)/time.Duration(n))
	r.brokerCPU = append(r.brokerCPU, (bcpu1-bcpu0)/time.Duration(n))
	r.requests += n
	r.messages += after - before
	return nil
}

func median[T float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// medianRatio is the median of the rounds' ratios a[i]/b[i]: each round
// measured both variants back to back, under the same load.
func medianRatio[T float64 | time.Duration](a, b []T) float64 {
	var ratios []float64
	for i := range min(len(a), len(b)) {
		ratios = append(ratios, float64(a[i])/float64(b[i]))
	}
	if len(ratios) == 0 {
		return 0
	}
	return median(ratios)
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func printTable(results []*result) {
	fmt.Printf("%-11s %12s %16s %15s %10s %14s\n", "variant", "requests/s", "service_us/req", "broker_us/req", "requests", "msgs_on_broker")
	for _, r := range results {
		fmt.Printf("%-11s %12.0f %16.2f %15.2f %10d %14d\n", r.variant, median(r.rps), us(median(r.cpu)), us(median(r.brokerCPU)), r.requests, r.messages)
	}
}

// printFigures prints one "name value" line per figure.
func printFigures(results []*result) {
	byName := map[string]*result{}
	for _, r := range results {
		byName[r.variant] = r
		fmt.Printf("http_%s_requests_per_s %.0f\n", r.variant, median(r.rps))
		fmt.Printf("http_%s_service_cpu_us_per_request %.2f\n", r.variant, us(median(r.cpu)))
	}
	relayer, hand, bare := byName["relayer"], byName["handrolled"], byName["bare"]
	if relayer != nil && hand != nil {
		fmt.Printf("http_ratio_relayer_vs_handrolled %.2f\n", medianRatio(relayer.rps, hand.rps))
		fmt.Printf("http_cpu_ratio_relayer_vs_handrolled %.2f\n", medianRatio(relayer.cpu, hand.cpu))
	}
	if relayer != nil && bare != nil {
		fmt.Printf("http_ratio_relayer_vs_bare %.2f\n", medianRatio(relayer.rps, bare.rps))
	}
}
