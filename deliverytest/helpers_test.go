package deliverytest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

const (
	eventType    = "order_created" // the topic of every event
	loggingTopic = otelrelayertest.LoggingTopic
	// bound is the upper bound of every wait, so that a broken guarantee
	// fails a test instead of hanging it. No assertion is about time.
	bound = 30 * time.Second
)

// newCluster starts an embedded kfake cluster (one broker unless opts say
// otherwise, automatic topic creation, four partitions per topic) and closes
// it when t ends.
func newCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	defaults := []kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(4)}
	c, err := kfake.NewCluster(append(defaults, opts...)...)
	if err != nil {
		t.Fatalf("starting kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// pipeline is the production setup: kafkasink.New → exporter.New → an SDK
// tracer provider recording every span.
type pipeline struct {
	tp       *sdktrace.TracerProvider
	tracer   trace.Tracer
	failures *failures
}

// newPipeline builds the pipeline against brokers with the library's
// defaults: what a user gets who sets nothing but the brokers. KAFKA_* and
// RELAYER_* variables are ignored, so that the tests see what they wrote.
func newPipeline(t *testing.T, brokers []string, opts ...kafkasink.Option) *pipeline {
	t.Helper()
	sinkOpts := append([]kafkasink.Option{
		kafkasink.WithBrokers(brokers...), kafkasink.WithoutEnvironment(),
	}, opts...)
	sink, err := kafkasink.New(sinkOpts...)
	if err != nil {
		t.Fatal(err)
	}
	f := &failures{causes: map[string]int{}}
	tp, _ := otelrelayertest.Pipeline(t, sink, exporter.WithoutDefault(), exporter.WithErrorHandler(f.handle))
	return &pipeline{tp: tp, tracer: tp.Tracer("deliverytest"), failures: f}
}

// flush waits, within bound, until everything produced so far is delivered
// or has failed.
func (p *pipeline) flush(t *testing.T) {
	t.Helper()
	p.flushWithin(t, bound)
}

// flushWithin is flush with another bound.
func (p *pipeline) flushWithin(t *testing.T, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	if err := p.tp.ForceFlush(ctx); err != nil {
		t.Fatalf("ForceFlush: %v", err)
	}
}

// failures counts what the exporter's error handler receives: delivery
// failures of events emitted without WithAck, and of request logs.
type failures struct {
	mu                         sync.Mutex
	events, requestLogs, other int
	timeouts                   int            // of which kgo.ErrRecordTimeout
	causes                     map[string]int // innermost error → count
}

func (f *failures) handle(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch msg := err.Error(); {
	case strings.HasPrefix(msg, "exporter: producing event "):
		f.events++
	case strings.HasPrefix(msg, "exporter: producing request log to "):
		f.requestLogs++
	default:
		f.other++
	}
	if errors.Is(err, kgo.ErrRecordTimeout) {
		f.timeouts++
	}
	f.causes[innermost(err).Error()]++
}

func (f *failures) counts() (events, requestLogs, other int, causes map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.events, f.requestLogs, f.other, maps.Clone(f.causes)
}

// total is the number of error-handler calls so far.
func (f *failures) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.events + f.requestLogs + f.other
}

func (f *failures) timedOut() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.timeouts
}

func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// payload is the body of every test event: a sequence number unique in the
// test, so that an event is recognized whatever its event ID.
type payload struct {
	Seq int64 `json:"seq"`
}

// ledger is what the emitting side knows: the events Emit accepted, those
// the broker acknowledged (Emit WithAck returned nil), those Emit refused,
// and the requests (root spans) ended, each of which writes a request log.
type ledger struct {
	next     atomic.Int64 // the last sequence number handed out
	returned atomic.Int64 // Emit calls returned: progress, to schedule faults by
	mu       sync.Mutex
	emitted  map[int64]bool // sequence number → acknowledged
	refused  map[int64]error
	requests int
}

func newLedger() *ledger {
	return &ledger{emitted: map[int64]bool{}, refused: map[int64]error{}}
}

func (l *ledger) record(seq int64, acked bool, err error) {
	l.mu.Lock()
	if err != nil {
		l.refused[seq] = err
	} else {
		l.emitted[seq] = acked
	}
	l.requests++
	l.mu.Unlock()
	l.returned.Add(1)
}

// acknowledged returns the sequence numbers acknowledged so far.
func (l *ledger) acknowledged() []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var seqs []int64
	for seq, acked := range l.emitted {
		if acked {
			seqs = append(seqs, seq)
		}
	}
	slices.Sort(seqs)
	return seqs
}

// workload is events emitted from several goroutines, each event in a
// request of its own: a root span holding one Emit.
type workload struct {
	name               string // prefix of the partition keys, one per worker
	workers, perWorker int
	ackEvery           int           // every ackEvery-th event of a worker waits for its acknowledgement (WithAck); 0 for none
	within             time.Duration // the bound of the whole workload; 0 for bound
}

// emit runs w to the end. Each worker's events share a partition key, so
// they must arrive in the order emitted.
func (p *pipeline) emit(t *testing.T, l *ledger, w workload) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), cmp.Or(w.within, bound))
	defer cancel()
	var wg sync.WaitGroup
	for worker := range w.workers {
		key := fmt.Sprintf("%s-%d", w.name, worker)
		wg.Go(func() {
			for i := range w.perWorker {
				seq := l.next.Add(1)
				opts := []bridge.EmitOption{bridge.WithPartitionKey(key)}
				ack := w.ackEvery > 0 && i%w.ackEvery == 0
				if ack {
					opts = append(opts, bridge.WithAck())
				}
				rctx, span := p.tracer.Start(ctx, "job")
				err := bridge.Emit(rctx, eventType, "delivery", payload{Seq: seq}, opts...)
				span.End()
				l.record(seq, ack, err)
			}
		})
	}
	wg.Wait()
}
