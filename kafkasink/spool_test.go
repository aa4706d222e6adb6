package kafkasink_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// spoolMessage is message i of a spool test: a key per i%4, so that order
// per key can be checked, and an ID header kept verbatim.
func spoolMessage(topic string, i int) kafkasink.Message {
	return kafkasink.Message{
		Topic:   topic,
		Key:     []byte(fmt.Sprintf("key-%d", i%4)),
		Value:   []byte(fmt.Sprintf(`{"n":%d}`, i)),
		Headers: []kafkasink.Header{{Key: "relayer-event-id", Value: []byte(fmt.Sprintf("id-%d", i))}},
	}
}

// produceAll produces n messages and returns their done recorders.
func produceAll(t *testing.T, p *kafkasink.Producer, topic string, n int) []*doneRecorder {
	t.Helper()
	dones := make([]*doneRecorder, n)
	for i := range dones {
		dones[i] = newDoneRecorder()
		p.Produce(t.Context(), spoolMessage(topic, i), dones[i].done)
	}
	return dones
}

// assertInOrder checks that the records hold messages 0..n-1 of topic,
// each once, in emit order per key.
func assertInOrder(t *testing.T, records []*kafkasink.Message, n int) {
	t.Helper()
	seen := map[string]int{}
	last := map[string]int{}
	for _, r := range records {
		var i int
		if _, err := fmt.Sscanf(string(r.Value), `{"n":%d}`, &i); err != nil {
			t.Fatalf("value %q: %v", r.Value, err)
		}
		if got, want := string(r.Headers[0].Value), fmt.Sprintf("id-%d", i); got != want {
			t.Errorf("record %d carries event ID %q, want %q", i, got, want)
		}
		k := string(r.Key)
		if prev, ok := last[k]; ok && prev > i {
			t.Errorf("key %s: record %d after %d", k, i, prev)
		}
		last[k] = i
		seen[string(r.Value)]++
	}
	for i := range n {
		if c := seen[fmt.Sprintf(`{"n":%d}`, i)]; c != 1 {
			t.Errorf("record %d consumed %d times, want once", i, c)
		}
	}
}

func TestSpoolDeliversOverTheWire(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	dir := t.TempDir()
	p := newProducer(t, kafkasink.WithBrokers(seeds...), kafkasink.WithSpool(dir))
	want := kafkasink.Message{
		Topic:   "spooled",
		Key:     []byte{},
		Value:   []byte(`{"a":1}`),
		Headers: []kafkasink.Header{{Key: "relayer-event-id", Value: []byte("0199")}, {Key: "empty", Value: nil}},
	}
	d := newDoneRecorder()
	p.Produce(t.Context(), want, d.done)
	if err := d.wait(t); err != nil {
		t.Fatalf("done: %v", err)
	}
	got := consume(t, seeds, "spooled", 1)
	assertRecord(t, got[0], want)
	if err := p.Flush(t.Context()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

func TestSpoolKeepsRecordsThroughAnOutageAndARestart(t *testing.T) {
	dir := t.TempDir()
	const n = 500
	away, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	dones := produceAll(t, away, "outage", n)
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	closeLeaving(t, away, ctx, n)
	t.Logf("Close with the broker away and %d records spooled took %v", n, time.Since(start))
	for i, d := range dones {
		if err := d.wait(t); !errors.Is(err, kafkasink.ErrSpooled) {
			t.Fatalf("message %d: done(%v), want ErrSpooled", i, err)
		}
	}

	seeds := otelrelayertest.Cluster(t)
	back := newProducer(t, kafkasink.WithBrokers(seeds...), kafkasink.WithSpool(dir))
	if err := back.Flush(ctx); err != nil {
		t.Fatalf("Flush after restart: %v", err)
	}
	records := consume(t, seeds, "outage", n)
	msgs := make([]*kafkasink.Message, len(records))
	for i, r := range records {
		msgs[i] = &kafkasink.Message{Topic: r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers}
	}
	assertInOrder(t, msgs, n)
}

func TestSpoolProduceDoesNotWaitForTheBroker(t *testing.T) {
	// More messages than the in-memory bound: without a spool the last ones
	// would wait for room; with one they wait on disk.
	p := newUnreachableProducer(t, kafkasink.WithSpool(t.TempDir()), kafkasink.WithMaxBufferedRecords(10))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
				failed := make(chan error, 1)
				p.Produce(ctx, spoolMessage("away", g*50+i), func(err error) {
					if err != nil && !errors.Is(err, kafkasink.ErrSpooled) {
						failed <- err
					}
				})
				cancel()
				select {
				case err := <-failed:
					t.Errorf("message %d failed: %v", g*50+i, err)
				default:
				}
			}
		})
	}
	wg.Wait()
}

func TestSpoolRejectsInvalidOptions(t *testing.T) {
	tests := []struct {
		name     string
		opts     []kafkasink.Option
		wantText string
	}{
		{"empty dir", []kafkasink.Option{kafkasink.WithSpool("")}, `WithSpool("")`},
		{"blank dir", []kafkasink.Option{kafkasink.WithSpool("  ")}, `WithSpool("")`},
		{"zero max bytes", []kafkasink.Option{kafkasink.WithSpool(t.TempDir()), kafkasink.WithSpoolMaxBytes(0)}, "WithSpoolMaxBytes(0)"},
		{"negative interval", []kafkasink.Option{kafkasink.WithSpool(t.TempDir()), kafkasink.WithSpoolCommitInterval(-time.Second)}, "WithSpoolCommitInterval(-1s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := kafkasink.New(append([]kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:9092")}, tt.opts...)...)
			if !errors.Is(err, kafkasink.ErrConfiguration) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("New() error = %v, want ErrConfiguration mentioning %q", err, tt.wantText)
			}
			if p != nil {
				t.Error("New returned a producer with its error")
			}
		})
	}
}

// TestSpoolOutlivesFranzGoLimits gives franz-go a 1s delivery timeout and a
// single try per record, then keeps the broker away for 2.5s: franz-go
// fails the records, and the spool produces them again until the broker,
// started on the address, takes every one, in order per key.
func TestSpoolOutlivesFranzGoLimits(t *testing.T) {
	addr := closedAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	p := newProducer(t, kafkasink.WithBrokers(addr), kafkasink.WithLogger(nil), kafkasink.WithSpool(t.TempDir()),
		kafkasink.WithClientOptions(kgo.RecordDeliveryTimeout(time.Second), kgo.RecordRetries(1)))
	const n = 100
	dones := produceAll(t, p, "limits", n)
	time.Sleep(2500 * time.Millisecond)
	portN, _ := strconv.Atoi(port)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.Ports(portN))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	for i, d := range dones {
		if err := d.wait(t); err != nil {
			t.Fatalf("message %d: %v, want delivered", i, err)
		}
	}
	records := consume(t, c.ListenAddrs(), "limits", n)
	msgs := make([]*kafkasink.Message, len(records))
	for i, r := range records {
		msgs[i] = &kafkasink.Message{Topic: r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers}
	}
	assertInOrder(t, msgs, n)
}

// TestSpoolReleasesARecordTheBrokerRefuses produces a record larger than
// Kafka accepts: it fails with kerr.MessageTooLarge, for good, and leaves the
// spool, so that the next producer on the directory does not try it again.
func TestSpoolReleasesARecordTheBrokerRefuses(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	dir := t.TempDir()
	p, err := kafkasink.New(kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	d := newDoneRecorder()
	p.Produce(t.Context(), kafkasink.Message{Topic: "refused", Value: make([]byte, 2<<20)}, d.done)
	if err := d.wait(t); !errors.Is(err, kerr.MessageTooLarge) {
		t.Fatalf("done(%v), want kerr.MessageTooLarge", err)
	}
	ok := newDoneRecorder()
	p.Produce(t.Context(), spoolMessage("refused", 0), ok.done)
	if err := ok.wait(t); err != nil {
		t.Fatalf("the next message: %v", err)
	}
	if err := p.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	again := newProducer(t, kafkasink.WithBrokers(seeds...), kafkasink.WithSpool(dir))
	if err := again.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := consume(t, seeds, "refused", 1); string(got[0].Value) != `{"n":0}` {
		t.Fatalf("read back %q", got[0].Value)
	}
}

// TestSpoolCloseWithinItsContext closes a spool whose broker is away with
// contexts shorter than Close's wait for an acknowledgement, and one already
// done: Close returns nil (every message waited for its commit), and the
// next producer on the directory has them all.
func TestSpoolCloseWithinItsContext(t *testing.T) {
	for _, tt := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"100ms", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(t.Context(), 100*time.Millisecond)
		}},
		{"already done", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			return ctx, cancel
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
			if err != nil {
				t.Fatal(err)
			}
			const n = 50
			produceAll(t, p, "close", n)
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			closeLeaving(t, p, ctx, n) // every message was committed
			t.Logf("Close took %v", time.Since(start))
			seeds := otelrelayertest.Cluster(t)
			back := newProducer(t, kafkasink.WithBrokers(seeds...), kafkasink.WithSpool(dir))
			if err := back.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			consume(t, seeds, "close", n)
		})
	}
}

// TestSpoolCloseDeletesEveryAcknowledgedRecord produces from many goroutines
// at once, so that acknowledgements pile up while commits delete a bounded
// share of them each, then closes: a spool reopened on the directory finds
// nothing to produce again.
func TestSpoolCloseDeletesEveryAcknowledgedRecord(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	dir := t.TempDir()
	p, err := kafkasink.New(kafkasink.WithBrokers(seeds...), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	const n, workers = 4000, 32
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				d := newDoneRecorder()
				p.Produce(t.Context(), spoolMessage("acked", i), d.done)
				if err := d.wait(t); err != nil {
					t.Errorf("message %d: %v", i, err)
				}
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	if err := p.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}

	var logs strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	newUnreachableProducer(t, kafkasink.WithSpool(dir), kafkasink.WithLogger(logger))
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(logs.String(), "records left in the spool") {
		t.Errorf("after every record was acknowledged and the producer closed, the spool still holds some: %s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
