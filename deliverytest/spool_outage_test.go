package deliverytest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// newSpoolPipeline is the production setup with a spool in dir and the
// library's defaults otherwise (KAFKA_* and RELAYER_* variables ignored).
func newSpoolPipeline(t *testing.T, brokers []string, dir string, opts ...kafkasink.Option) *pipeline {
	t.Helper()
	sink, err := kafkasink.New(append([]kafkasink.Option{
		kafkasink.WithBrokers(brokers...), kafkasink.WithoutEnvironment(), kafkasink.WithSpool(dir),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	f := &failures{causes: map[string]int{}}
	tp, _ := otelrelayertest.Pipeline(t, sink, exporter.WithoutDefault(), exporter.WithErrorHandler(f.handle))
	return &pipeline{tp: tp, tracer: tp.Tracer("deliverytest"), failures: f}
}

// emitTimed is pipeline.emit that also returns how long each Emit took.
func (p *pipeline) emitTimed(t *testing.T, l *ledger, w workload) []time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), bound)
	defer cancel()
	var mu sync.Mutex
	var took []time.Duration
	var wg sync.WaitGroup
	for worker := range w.workers {
		key := fmt.Sprintf("%s-%d", w.name, worker)
		wg.Go(func() {
			mine := make([]time.Duration, 0, w.perWorker)
			for range w.perWorker {
				seq := l.next.Add(1)
				rctx, span := p.tracer.Start(ctx, "job")
				start := time.Now()
				err := bridge.Emit(rctx, eventType, "delivery", payload{Seq: seq}, bridge.WithPartitionKey(key))
				mine = append(mine, time.Since(start))
				span.End()
				l.record(seq, false, err)
			}
			mu.Lock()
			took = append(took, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return took
}

func percentiles(d []time.Duration) string {
	if len(d) == 0 {
		return "none"
	}
	d = slices.Clone(d)
	slices.Sort(d)
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(q*float64(len(d))))] }
	return fmt.Sprintf("p50=%v p99=%v max=%v (n=%d)", at(0.5), at(0.99), d[len(d)-1], len(d))
}

// heapSampler records the live heap (after a collection) every 250ms
// until stopped.
type heapSampler struct {
	stop    chan struct{}
	done    chan struct{}
	samples []uint64
}

func sampleHeap() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			h.samples = append(h.samples, m.HeapAlloc)
			select {
			case <-tick.C:
			case <-h.stop:
				return
			}
		}
	}()
	return h
}

func (h *heapSampler) String() string {
	close(h.stop)
	<-h.done
	return fmt.Sprintf("live heap: first %.1f MB, max %.1f MB, last %.1f MB (%d samples)",
		float64(h.samples[0])/1e6, float64(slices.Max(h.samples))/1e6, float64(h.samples[len(h.samples)-1])/1e6, len(h.samples))
}

// TestSpoolOutage runs a Kafka outage longer than the delivery timeout with
// a spool: Emit returns nil throughout (its latency is logged, with the
// broker away and back), TracerProvider.Shutdown during the outage returns
// promptly with kafkasink.ErrSpooled (what waits on disk) and reports no
// message as failed, and a new pipeline on the same
// directory, once the broker is back, delivers every event and request log
// exactly once, in emit order per partition key, the recovered ones first.
// Short: a 1s delivery timeout (franz-go's minimum) and an outage of 2s;
// -long: the default timeout (two minutes) and an outage of 2m10s. Both
// with the default commit mode (Emit returns after fsync) and with a 10ms
// commit interval, where Emit does not wait for the disk: its latency there
// is what Emit costs besides the spool write.
func TestSpoolOutage(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts []kafkasink.Option
	}{
		{"fsync before Emit returns", nil},
		{"commit every 10ms", []kafkasink.Option{kafkasink.WithSpoolCommitInterval(10 * time.Millisecond)}},
	} {
		t.Run(mode.name, func(t *testing.T) { testSpoolOutage(t, mode.opts) })
	}
}

func testSpoolOutage(t *testing.T, opts []kafkasink.Option) {
	addr, port := freeAddr(t)
	dir := t.TempDir()
	timeout, outage, perWorker := time.Second, 2*time.Second, 200
	if *long {
		timeout, outage, perWorker = kafkasink.DefaultDeliveryTimeout, kafkasink.DefaultDeliveryTimeout+10*time.Second, 5_000
	} else {
		opts = append(opts, kafkasink.WithDeliveryTimeout(timeout))
	}
	before := goroutines()
	away := newSpoolPipeline(t, []string{addr}, dir, opts...)
	l := newLedger()
	start := time.Now()
	heap := sampleHeap()
	awayTook := away.emitTimed(t, l, workload{name: "w", workers: 16, perWorker: perWorker})
	for time.Since(start) < outage { // a second burst once the delivery timeout has passed
		time.Sleep(timeout / 2)
		awayTook = append(awayTook, away.emitTimed(t, l, workload{name: "w", workers: 16, perWorker: perWorker / 10})...)
	}
	heapAway := heap.String()

	ctx, cancel := context.WithTimeout(t.Context(), bound)
	defer cancel()
	shutStart := time.Now()
	shutErr := away.tp.Shutdown(ctx)
	shutTook := time.Since(shutStart)
	events, logs, other, causes := away.failures.counts()
	t.Logf("outage of %v (delivery timeout %v): %d events emitted, %d refused; Emit latency %s; %s",
		time.Since(start).Round(time.Millisecond), timeout, len(l.emitted), len(l.refused), percentiles(awayTook), heapAway)
	t.Logf("Shutdown during the outage: %v, returned %v; error handler: %d events, %d request logs, %d other %v",
		shutTook.Round(time.Millisecond), shutErr, events, logs, other, causes)
	if !errors.Is(shutErr, kafkasink.ErrSpooled) || events+logs+other != 0 {
		t.Errorf("Shutdown with a spool during an outage: %v, error handler %d/%d/%d %v; want ErrSpooled (the records wait on disk) and nothing reported", shutErr, events, logs, other, causes)
	}
	if leaked := leakedSince(before); len(leaked) > 0 {
		t.Errorf("%d goroutines started by the pipeline still run after Shutdown:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
	}

	c := newCluster(t, kfake.Ports(port))
	back := newSpoolPipeline(t, c.ListenAddrs(), dir, opts...)
	backTook := back.emitTimed(t, l, workload{name: "w", workers: 16, perWorker: perWorker / 10})
	back.flush(t)
	t.Logf("broker back: Emit latency %s", percentiles(backTook))
	r := account(t, l, back, readAll(t, c.ListenAddrs(), eventType, loggingTopic))
	t.Logf("%v", r)
	r.requireExact(t)
}
