package kafkasink_test

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// With no broker, Close returns when its context ends, with an error that
// counts the records not delivered and names the cause (the refused
// connection, not "client closed"); every done callback has been called by
// then and says the same.
func TestCloseWithoutBrokerReportsUndelivered(t *testing.T) {
	p := newUnreachableProducer(t)
	const n = 3
	ds := make([]*doneRecorder, n)
	for i := range ds {
		ds[i] = newDoneRecorder()
		p.Produce(t.Context(), kafkasink.Message{Topic: "close", Value: []byte("v")}, ds[i].done)
	}
	time.Sleep(300 * time.Millisecond) // let the client try to connect
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := p.Close(ctx)
	took := time.Since(start)
	if !errors.Is(err, kafkasink.ErrUndelivered) || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("Close = %v, want ErrUndelivered wrapping the deadline and the refused connection", err)
	}
	if !strings.Contains(err.Error(), "3 records not acknowledged") {
		t.Errorf("Close = %v: it does not count the records", err)
	}
	// Past the deadline only by scheduling on a loaded machine; without it,
	// Close would wait for the 2-minute delivery timeout.
	if deadline, _ := ctx.Deadline(); time.Now().After(deadline.Add(500 * time.Millisecond)) {
		t.Errorf("Close took %v, past its context", took)
	}
	for i, d := range ds {
		if err := d.wait(t); !errors.Is(err, kafkasink.ErrUndelivered) || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("record %d: done(%v), want ErrUndelivered wrapping the refused connection", i, err)
		}
	}
}

// Close keeps a share of its context's time to close the client and wait
// for the done callbacks of the records it fails: none runs after it
// returned, although the flush used up the rest of the time.
func TestCloseCallsEveryDoneBeforeReturning(t *testing.T) {
	for range 5 {
		p := newUnreachableProducer(t)
		ds := make([]*doneRecorder, 50)
		for i := range ds {
			ds[i] = newDoneRecorder()
			p.Produce(t.Context(), kafkasink.Message{Topic: "close", Value: []byte("v")}, ds[i].done)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		err := p.Close(ctx)
		cancel()
		if !errors.Is(err, kafkasink.ErrUndelivered) || !strings.Contains(err.Error(), "50 records") {
			t.Fatalf("Close = %v, want ErrUndelivered for 50 records", err)
		}
		for i, d := range ds {
			if d.calls.Load() != 1 {
				t.Fatalf("record %d: done not called before Close returned", i)
			}
		}
	}
}

// A record failed by Close whose done callback is still running when Close's
// context ends is one record not delivered, not two: it must not be counted
// both as failed and as still in flight.
func TestCloseCountsARecordWhoseDoneIsRunningOnce(t *testing.T) {
	p := newUnreachableProducer(t)
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	p.Produce(t.Context(), kafkasink.Message{Topic: "close", Value: []byte("v")}, func(error) {
		entered <- struct{}{}
		<-release // still running when Close's context ends
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	err := p.Close(ctx)
	select {
	case <-entered:
	default:
		t.Fatalf("Close = %v before the record's done callback was called", err)
	}
	if !errors.Is(err, kafkasink.ErrUndelivered) || !strings.Contains(err.Error(), ": 1 records not acknowledged") {
		t.Fatalf("Close = %v, want ErrUndelivered counting 1 record", err)
	}
}

// A record whose delivery timeout expires while Close flushes makes Close's
// error wrap that failure (kgo.ErrRecordTimeout), not only the broker error.
func TestCloseWrapsTheRecordTimeout(t *testing.T) {
	p := newUnreachableProducer(t, kafkasink.WithDeliveryTimeout(time.Second))
	d := newDoneRecorder()
	p.Produce(t.Context(), kafkasink.Message{Topic: "close", Value: []byte("v")}, d.done)
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	err := p.Close(ctx)
	if !errors.Is(d.wait(t), kgo.ErrRecordTimeout) {
		t.Fatalf("done(%v), want the record timeout", d.err)
	}
	if !errors.Is(err, kafkasink.ErrUndelivered) || !errors.Is(err, kgo.ErrRecordTimeout) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("Close = %v, want ErrUndelivered wrapping the record timeout and the refused connection", err)
	}
}
