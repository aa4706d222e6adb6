package kafkasink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// hangGuard bounds waits that must end on their own, so that a regression
// fails the test instead of hanging it. It is never a timing assertion.
const hangGuard = 5 * time.Second

func TestNewRejectsInvalidConfiguration(t *testing.T) {
	tests := []struct {
		name     string
		opts     []kafkasink.Option
		wantText string
	}{
		{"no options", nil, "no brokers"},
		{"WithBrokers without addresses", []kafkasink.Option{kafkasink.WithBrokers()}, "no brokers"},
		{"empty broker", []kafkasink.Option{kafkasink.WithBrokers("")}, "empty broker address"},
		{"blank broker", []kafkasink.Option{kafkasink.WithBrokers("  ")}, "empty broker address"},
		{"empty broker among valid ones", []kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:9092"), kafkasink.WithBrokers("")}, "empty broker address"},
		{"zero buffered records", []kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:9092"), kafkasink.WithMaxBufferedRecords(0)}, "WithMaxBufferedRecords(0)"},
		{"negative buffered records", []kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:9092"), kafkasink.WithMaxBufferedRecords(-3)}, "WithMaxBufferedRecords(-3)"},
		{"broker port franz-go cannot parse", []kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:notaport")}, "notaport"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := kafkasink.New(tt.opts...)
			if !errors.Is(err, kafkasink.ErrConfiguration) {
				t.Fatalf("New() error = %v, want errors.Is ErrConfiguration", err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("New() error = %q, want it to mention %q", err, tt.wantText)
			}
			if p != nil {
				t.Errorf("New() returned a producer with error %v", err)
			}
		})
	}
}

func TestProduceDeliversOverTheWire(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	p := newProducer(t, kafkasink.WithBrokers(seeds...))
	allBytes := make([]byte, 256)
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	tests := []struct {
		name string
		m    kafkasink.Message
	}{
		{"key value and headers", kafkasink.Message{
			Topic: "wire.headers", Key: []byte("order-10"), Value: []byte(`{"id":10}`),
			Headers: []kafkasink.Header{{Key: "traceparent", Value: []byte("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")}, {Key: "relayer-event-id", Value: []byte("0190a8e0-0000-7000-8000-000000000000")}},
		}},
		{"every byte value", kafkasink.Message{
			Topic: "wire.binary", Key: allBytes[:128], Value: allBytes,
			Headers: []kafkasink.Header{{Key: "bin", Value: allBytes[128:]}},
		}},
		{"no key", kafkasink.Message{Topic: "wire.nokey", Value: []byte("v")}},
		{"empty header value", kafkasink.Message{Topic: "wire.emptyheader", Value: []byte("v"), Headers: []kafkasink.Header{{Key: "empty"}}}},
		{"repeated header keys keep their order", kafkasink.Message{
			Topic: "wire.repeated", Value: []byte("v"),
			Headers: []kafkasink.Header{{Key: "h", Value: []byte("1")}, {Key: "other", Value: []byte("x")}, {Key: "h", Value: []byte("2")}},
		}},
		{"large value", kafkasink.Message{Topic: "wire.large", Key: []byte("k"), Value: bytes.Repeat([]byte("relayer "), 64<<10)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDoneRecorder()
			p.Produce(t.Context(), tt.m, d.done)
			if err := d.wait(t); err != nil {
				t.Fatalf("done(%v), want nil", err)
			}
			if err := p.Flush(t.Context()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			if n := d.calls.Load(); n != 1 {
				t.Errorf("done called %d times, want 1", n)
			}
			got := consume(t, seeds, tt.m.Topic, 1)[0]
			assertRecord(t, got, tt.m)
		})
	}
}

func TestProduceConcurrently(t *testing.T) {
	tests := []struct {
		name          string
		opts          []kafkasink.Option
		goroutines, n int
	}{
		{"default buffer", nil, 8, 250},
		{"buffer of one record", []kafkasink.Option{kafkasink.WithMaxBufferedRecords(1)}, 4, 25},
		{"buffer of eight records", []kafkasink.Option{kafkasink.WithMaxBufferedRecords(8)}, 8, 50},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seeds := otelrelayertest.Cluster(t)
			p := newProducer(t, append([]kafkasink.Option{kafkasink.WithBrokers(seeds...)}, tt.opts...)...)
			topic := fmt.Sprintf("concurrent.%d", i)
			total := tt.goroutines * tt.n
			calls := make([]atomic.Int32, total)
			var failures atomic.Int32
			var wg sync.WaitGroup
			for g := range tt.goroutines {
				wg.Go(func() {
					for j := range tt.n {
						idx := g*tt.n + j
						m := kafkasink.Message{Topic: topic, Key: fmt.Appendf(nil, "%d", idx), Value: fmt.Appendf(nil, "value-%d", idx)}
						p.Produce(t.Context(), m, func(err error) {
							calls[idx].Add(1)
							if err != nil {
								failures.Add(1)
							}
						})
					}
				})
			}
			wg.Wait()
			if err := p.Flush(t.Context()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			// Flush returns only after every accepted message's done ran.
			for idx := range calls {
				if n := calls[idx].Load(); n != 1 {
					t.Errorf("message %d: done called %d times, want 1", idx, n)
				}
			}
			if n := failures.Load(); n != 0 {
				t.Errorf("%d messages failed", n)
			}
			seen := make(map[string]int, total)
			for _, r := range consume(t, seeds, topic, total) {
				if want := "value-" + string(r.Key); string(r.Value) != want {
					t.Errorf("key %s: value %q, want %q", r.Key, r.Value, want)
				}
				seen[string(r.Key)]++
			}
			for idx := range total {
				if n := seen[fmt.Sprint(idx)]; n != 1 {
					t.Errorf("message %d consumed %d times, want 1", idx, n)
				}
			}
		})
	}
}

func TestWithClientOptions(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	tests := []struct {
		name      string
		opts      []kafkasink.Option
		topic     string // of the produced message
		wantTopic string // where it must arrive
		check     func(t *testing.T, p *kafkasink.Producer)
	}{
		{
			name:      "DefaultProduceTopic fills an empty topic",
			opts:      []kafkasink.Option{kafkasink.WithBrokers(seeds...), kafkasink.WithClientOptions(kgo.DefaultProduceTopic("options.default"))},
			wantTopic: "options.default",
		},
		{
			name:      "SeedBrokers overrides WithBrokers",
			opts:      []kafkasink.Option{kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithClientOptions(kgo.SeedBrokers(seeds...))},
			topic:     "options.seeds",
			wantTopic: "options.seeds",
		},
		{
			name: "calls accumulate",
			opts: []kafkasink.Option{
				kafkasink.WithBrokers(seeds...),
				kafkasink.WithClientOptions(kgo.ClientID("relayer-orders")),
				kafkasink.WithClientOptions(kgo.DefaultProduceTopic("options.accumulated")),
			},
			wantTopic: "options.accumulated",
			check: func(t *testing.T, p *kafkasink.Producer) {
				if got := p.Client().OptValue(kgo.ClientID); got != "relayer-orders" {
					t.Errorf("client ID = %v, want relayer-orders", got)
				}
			},
		},
		{
			name:      "defaults allow automatic topic creation",
			opts:      []kafkasink.Option{kafkasink.WithBrokers(seeds...)},
			topic:     "options.autocreated",
			wantTopic: "options.autocreated",
			check: func(t *testing.T, p *kafkasink.Producer) {
				if got := p.Client().OptValue(kgo.AllowAutoTopicCreation); got != true {
					t.Errorf("AllowAutoTopicCreation = %v, want true", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProducer(t, tt.opts...)
			if tt.check != nil {
				tt.check(t, p)
			}
			d := newDoneRecorder()
			p.Produce(t.Context(), kafkasink.Message{Topic: tt.topic, Value: []byte(tt.name)}, d.done)
			if err := d.wait(t); err != nil {
				t.Fatalf("done(%v), want nil", err)
			}
			got := consume(t, seeds, tt.wantTopic, 1)[0]
			if string(got.Value) != tt.name {
				t.Errorf("consumed %q from %s, want %q", got.Value, tt.wantTopic, tt.name)
			}
		})
	}
}

func TestProduceWaitsForBufferSpaceOnlyUntilContextIsDone(t *testing.T) {
	p := newUnreachableProducer(t, kafkasink.WithMaxBufferedRecords(1))
	// Nothing listens, so this message holds the only slot until Close.
	inFlight := newDoneRecorder()
	p.Produce(t.Context(), kafkasink.Message{Topic: "backpressure", Value: []byte("first")}, inFlight.done)

	tests := []struct {
		name    string
		ctx     func(t testing.TB) context.Context
		nilDone bool
		wantErr error
	}{
		{"context times out while waiting", func(t testing.TB) context.Context {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
			t.Cleanup(cancel)
			return ctx
		}, false, context.DeadlineExceeded},
		{"context canceled before Produce", canceledContext, false, context.Canceled},
		{"nil done", canceledContext, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx(t)
			d := newDoneRecorder()
			done := d.done
			if tt.nilDone {
				done = nil
			}
			returned := make(chan struct{})
			go func() {
				defer close(returned)
				p.Produce(ctx, kafkasink.Message{Topic: "backpressure", Value: []byte(tt.name)}, done)
			}()
			select {
			case <-returned:
			case <-time.After(hangGuard):
				t.Fatal("Produce blocked past its context")
			}
			if ctx.Err() == nil {
				t.Fatal("Produce returned before its context was done, with the buffer full")
			}
			if tt.nilDone {
				return
			}
			err := d.wait(t)
			if !errors.Is(err, kafkasink.ErrBufferFull) || !errors.Is(err, tt.wantErr) {
				t.Errorf("done(%v), want errors.Is ErrBufferFull and %v", err, tt.wantErr)
			}
			if n := d.calls.Load(); n != 1 {
				t.Errorf("done called %d times, want 1", n)
			}
		})
	}

	if n := inFlight.calls.Load(); n != 0 {
		t.Fatalf("the in-flight message completed %d times before Close", n)
	}
	if err := p.Close(canceledContext(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("Close(canceled) = %v, want context.Canceled", err)
	}
	if err := inFlight.wait(t); err == nil {
		t.Error("undeliverable message completed with nil after Close")
	}
}

func TestProduceKeepsAReserveForContextsAlreadyDone(t *testing.T) {
	// A bound of 10 keeps 9 slots for callers that may wait and 1 for
	// callers whose context is already done.
	p := newUnreachableProducer(t, kafkasink.WithMaxBufferedRecords(10))
	var accepted []*doneRecorder
	for i := range 9 {
		d := newDoneRecorder()
		p.Produce(t.Context(), kafkasink.Message{Topic: "reserve", Value: fmt.Appendf(nil, "%d", i)}, d.done)
		accepted = append(accepted, d)
	}

	steps := []struct {
		name    string
		ctx     func(t testing.TB) context.Context
		wantErr error // nil: accepted, still in flight
	}{
		{"a caller that may wait does not use the reserve", func(t testing.TB) context.Context {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
			t.Cleanup(cancel)
			return ctx
		}, context.DeadlineExceeded},
		{"a caller whose context is done uses the reserve", canceledContext, nil},
		{"the reserve is exhausted too", canceledContext, context.Canceled},
	}
	for _, st := range steps {
		// Each step depends on the slots the previous ones took.
		d := newDoneRecorder()
		p.Produce(st.ctx(t), kafkasink.Message{Topic: "reserve", Value: []byte(st.name)}, d.done)
		if st.wantErr == nil {
			if n := d.calls.Load(); n != 0 {
				t.Fatalf("%s: done called %d times for a message that should be in flight (%v)", st.name, n, d.err)
			}
			accepted = append(accepted, d)
			continue
		}
		if err := d.wait(t); !errors.Is(err, kafkasink.ErrBufferFull) || !errors.Is(err, st.wantErr) {
			t.Fatalf("%s: done(%v), want errors.Is ErrBufferFull and %v", st.name, err, st.wantErr)
		}
	}

	if err := p.Close(canceledContext(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("Close(canceled) = %v, want context.Canceled", err)
	}
	for i, d := range accepted {
		if err := d.wait(t); err == nil || errors.Is(err, kafkasink.ErrBufferFull) {
			t.Errorf("accepted message %d: done(%v) at Close, want the client's failure", i, err)
		}
	}
	// Close has failed every record, so no further call can come.
	if err := p.Flush(t.Context()); err != nil {
		t.Fatalf("Flush after Close: %v", err)
	}
	for i, d := range accepted {
		if n := d.calls.Load(); n != 1 {
			t.Errorf("accepted message %d: done called %d times, want 1", i, n)
		}
	}
}

func TestRequestContextCanceledAfterProduceDoesNotCancelDelivery(t *testing.T) {
	tests := []struct {
		name string
		opts []kafkasink.Option
	}{
		{"default linger", nil},
		// With manual flushing the record is certainly still buffered when
		// its request context is canceled.
		{"manual flushing", []kafkasink.Option{kafkasink.WithClientOptions(kgo.ManualFlushing())}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seeds := otelrelayertest.Cluster(t)
			p := newProducer(t, append([]kafkasink.Option{kafkasink.WithBrokers(seeds...)}, tt.opts...)...)
			topic := fmt.Sprintf("canceled.%d", i)
			ctx, cancel := context.WithCancel(t.Context())
			d := newDoneRecorder()
			p.Produce(ctx, kafkasink.Message{Topic: topic, Key: []byte("k"), Value: []byte("survives")}, d.done)
			cancel()
			if err := p.Flush(t.Context()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			if err := d.wait(t); err != nil {
				t.Fatalf("done(%v), want nil", err)
			}
			if got := consume(t, seeds, topic, 1)[0]; string(got.Value) != "survives" {
				t.Errorf("consumed %q, want survives", got.Value)
			}
		})
	}
}

func TestFlushHonoursContext(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func(t testing.TB) context.Context
		wantErr error
	}{
		{"deadline", func(t testing.TB) context.Context {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
			t.Cleanup(cancel)
			return ctx
		}, context.DeadlineExceeded},
		{"already canceled", canceledContext, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newUnreachableProducer(t)
			d := newDoneRecorder()
			p.Produce(t.Context(), kafkasink.Message{Topic: "flush", Value: []byte("v")}, d.done)
			if err := p.Flush(tt.ctx(t)); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Flush = %v, want %v", err, tt.wantErr)
			}
			if n := d.calls.Load(); n != 0 {
				t.Errorf("done called %d times for an undeliverable message before Close", n)
			}
			if err := p.Close(canceledContext(t)); !errors.Is(err, context.Canceled) {
				t.Errorf("Close(canceled) = %v, want context.Canceled", err)
			}
			if err := d.wait(t); err == nil {
				t.Error("undeliverable message completed with nil")
			}
		})
	}
}

func TestCloseFlushes(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	p, err := kafkasink.New(kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	calls := make([]atomic.Int32, n)
	var failures atomic.Int32
	for i := range n {
		p.Produce(t.Context(), kafkasink.Message{Topic: "close.flushes", Value: fmt.Appendf(nil, "%d", i)}, func(err error) {
			calls[i].Add(1)
			if err != nil {
				failures.Add(1)
			}
		})
	}
	if err := p.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i := range calls {
		if c := calls[i].Load(); c != 1 {
			t.Errorf("message %d: done called %d times by the time Close returned, want 1", i, c)
		}
	}
	if f := failures.Load(); f != 0 {
		t.Errorf("%d messages failed", f)
	}
	if got := len(consume(t, seeds, "close.flushes", n)); got != n {
		t.Errorf("consumed %d messages, want %d", got, n)
	}
}

func TestProduceAfterClose(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	p, err := kafkasink.New(kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	before := newDoneRecorder()
	p.Produce(t.Context(), kafkasink.Message{Topic: "after.close", Value: []byte("before")}, before.done)
	if err := p.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := before.wait(t); err != nil {
		t.Fatalf("message produced before Close: done(%v)", err)
	}
	tests := []struct{ name, topic string }{
		{"topic used before Close", "after.close"},
		{"topic never used", "after.close.new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDoneRecorder()
			p.Produce(t.Context(), kafkasink.Message{Topic: tt.topic, Value: []byte("after")}, d.done)
			if err := d.wait(t); err == nil {
				t.Fatal("done(nil) after Close, want an error")
			}
			// Flush returns once every record's done has returned.
			if err := p.Flush(t.Context()); err != nil {
				t.Fatalf("Flush after Close: %v", err)
			}
			if n := d.calls.Load(); n != 1 {
				t.Errorf("done called %d times, want 1", n)
			}
		})
	}
	p.Produce(t.Context(), kafkasink.Message{Topic: "after.close"}, nil) // must not panic
}

func TestProduceLogsEveryMessageAtDebug(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	messages := []kafkasink.Message{
		{Topic: "log.orders", Key: []byte("order-10"), Value: []byte(`{"id":10}`)},
		{Topic: "log.users", Key: []byte("user-7"), Value: []byte("plain text")},
		{Topic: "log.users", Value: []byte("no key")},
	}
	tests := []struct {
		name     string
		level    slog.Level
		wantLogs bool
	}{
		{"debug logger", slog.LevelDebug, true},
		{"info logger", slog.LevelInfo, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: tt.level}))
			p := newProducer(t, kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(logger))
			for _, m := range messages {
				p.Produce(t.Context(), m, nil)
			}
			if err := p.Flush(t.Context()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			if !tt.wantLogs {
				if buf.Len() != 0 {
					t.Errorf("logged at level %v: %s", tt.level, buf.String())
				}
				return
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != len(messages) {
				t.Fatalf("logged %d lines, want %d:\n%s", len(lines), len(messages), buf.String())
			}
			for i, line := range lines {
				var got map[string]any
				if err := json.Unmarshal([]byte(line), &got); err != nil {
					t.Fatalf("line %d is not JSON: %v: %s", i, err, line)
				}
				m := messages[i]
				want := map[string]any{"level": "DEBUG", "topic": m.Topic, "key": string(m.Key), "value": string(m.Value)}
				for k, v := range want {
					if got[k] != v {
						t.Errorf("line %d: %s = %v, want %v (%s)", i, k, got[k], v, line)
					}
				}
			}
		})
	}
	t.Run("nil logger", func(t *testing.T) {
		p := newProducer(t, kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil))
		d := newDoneRecorder()
		p.Produce(t.Context(), messages[0], d.done)
		if err := d.wait(t); err != nil {
			t.Errorf("done(%v), want nil", err)
		}
	})
}

func BenchmarkProduce(b *testing.B) {
	seeds := otelrelayertest.Cluster(b)
	p := newProducer(b, kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil))
	m := kafkasink.Message{Topic: "bench", Key: []byte("order-10"), Value: []byte(`{"source":"orders","event_type":"entity_created","payload":{"id":10}}`)}
	var failures atomic.Int64
	done := func(err error) {
		if err != nil {
			failures.Add(1)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Produce(b.Context(), m, done)
	}
	if err := p.Flush(b.Context()); err != nil {
		b.Fatal(err)
	}
	if n := failures.Load(); n != 0 {
		b.Fatalf("%d messages failed", n)
	}
}

// doneRecorder counts the calls of a done callback and keeps the first error.
type doneRecorder struct {
	calls  atomic.Int32
	err    error // written before called is closed
	called chan struct{}
}

func newDoneRecorder() *doneRecorder { return &doneRecorder{called: make(chan struct{})} }

func (d *doneRecorder) done(err error) {
	if d.calls.Add(1) == 1 {
		d.err = err
		close(d.called)
	}
}

func (d *doneRecorder) wait(t testing.TB) error {
	t.Helper()
	select {
	case <-d.called:
		return d.err
	case <-time.After(hangGuard):
		t.Fatal("done was never called")
		return nil
	}
}

// newProducer returns a producer that is closed, and so flushed, when t ends.
func newProducer(t testing.TB, opts ...kafkasink.Option) *kafkasink.Producer {
	t.Helper()
	p, err := kafkasink.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// newUnreachableProducer returns a producer whose only broker address refuses
// connections, so every message stays in flight until Close; it is closed
// without waiting when t ends.
func newUnreachableProducer(t testing.TB, opts ...kafkasink.Option) *kafkasink.Producer {
	t.Helper()
	p, err := kafkasink.New(append([]kafkasink.Option{kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { p.Close(canceledContext(t)) })
	return p
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func canceledContext(testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// consume reads n records of topic from the start, failing t if they do not
// arrive within hangGuard.
func consume(t testing.TB, seeds []string, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(seeds...),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.AllowAutoTopicCreation(),
		// franz-go may start its first fetch with only some partitions'
		// offsets loaded; an empty partition then holds the fetch for
		// FetchMaxWait (default 5s) before the rest are asked for.
		kgo.FetchMaxWait(100*time.Millisecond),
	)
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	var records []*kgo.Record
	for len(records) < n {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records from %s before giving up", len(records), n, topic)
		}
		fetches.EachError(func(topic string, partition int32, err error) {
			t.Fatalf("consuming %s[%d]: %v", topic, partition, err)
		})
		records = append(records, fetches.Records()...)
	}
	if len(records) > n {
		t.Fatalf("consumed %d records from %s, want %d", len(records), topic, n)
	}
	return records
}

func assertRecord(t *testing.T, got *kgo.Record, want kafkasink.Message) {
	t.Helper()
	if got.Topic != want.Topic {
		t.Errorf("topic = %q, want %q", got.Topic, want.Topic)
	}
	if !bytes.Equal(got.Key, want.Key) {
		t.Errorf("key = %q, want %q", got.Key, want.Key)
	}
	if !bytes.Equal(got.Value, want.Value) {
		t.Errorf("value differs: got %d bytes, want %d", len(got.Value), len(want.Value))
	}
	if len(got.Headers) != len(want.Headers) {
		t.Fatalf("headers = %v, want %v", got.Headers, want.Headers)
	}
	for i, h := range want.Headers {
		if got.Headers[i].Key != h.Key || !bytes.Equal(got.Headers[i].Value, h.Value) {
			t.Errorf("header %d = %q: %q, want %q: %q", i, got.Headers[i].Key, got.Headers[i].Value, h.Key, h.Value)
		}
	}
}
