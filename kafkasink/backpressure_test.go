package kafkasink_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

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

func TestProduceKeepsAReserveForReservedCalls(t *testing.T) {
	// A bound of 10 keeps 9 slots for every caller and 1 for reserved ones
	// (the exporter's request logs), whether their context is live or not.
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
		{"a caller whose context is done does not use the reserve", canceledContext, context.Canceled},
		{"a reserved caller uses the reserve", func(t testing.TB) context.Context { return kafkasink.Reserved(canceledContext(t)) }, nil},
		{"the reserve is exhausted too", func(t testing.TB) context.Context { return kafkasink.Reserved(canceledContext(t)) }, context.Canceled},
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
	if err := p.Flush(t.Context()); !errors.Is(err, kafkasink.ErrClosed) {
		t.Fatalf("Flush after Close = %v, want ErrClosed", err)
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
