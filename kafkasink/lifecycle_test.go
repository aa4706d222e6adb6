package kafkasink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

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
			if err := d.wait(t); !errors.Is(err, kafkasink.ErrClosed) {
				t.Fatalf("done(%v) after Close, want ErrClosed", err)
			}
			if err := p.Flush(t.Context()); !errors.Is(err, kafkasink.ErrClosed) {
				t.Fatalf("Flush after Close = %v, want ErrClosed", err)
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

// TestEveryPathFailsWithErrClosedAfterClose: after Close, Produce fails
// each message and Flush returns with the one sentinel, ErrClosed, with and
// without a spool.
func TestEveryPathFailsWithErrClosedAfterClose(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	tests := []struct {
		name string
		opts []kafkasink.Option
	}{
		{"in memory", nil},
		{"spool", []kafkasink.Option{kafkasink.WithSpool(t.TempDir())}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := kafkasink.New(append([]kafkasink.Option{kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil)}, tt.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Close(t.Context()); err != nil {
				t.Fatalf("Close: %v", err)
			}
			d := newDoneRecorder()
			p.Produce(t.Context(), kafkasink.Message{Topic: "closed", Value: []byte("v")}, d.done)
			if err := d.wait(t); !errors.Is(err, kafkasink.ErrClosed) {
				t.Errorf("Produce after Close: done(%v), want ErrClosed", err)
			}
			if err := p.Flush(t.Context()); !errors.Is(err, kafkasink.ErrClosed) {
				t.Errorf("Flush after Close = %v, want ErrClosed", err)
			}
			if err := p.Close(t.Context()); err != nil {
				t.Errorf("a second Close = %v, want nil", err)
			}
		})
	}
}
