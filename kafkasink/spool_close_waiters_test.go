package kafkasink_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestSpoolCloseReleasesProduceWaitingForRoom fills a small spool while the
// broker is away, so that a Produce without deadline waits for room, then
// closes the producer: that Produce returns, its message failed as after
// Close, as a Produce waiting for the in-memory buffer does.
func TestSpoolCloseReleasesProduceWaitingForRoom(t *testing.T) {
	p, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil),
		kafkasink.WithSpool(t.TempDir()), kafkasink.WithSpoolMaxBytes(4096))
	if err != nil {
		t.Fatal(err)
	}
	for i, full := 0, false; !full; i++ {
		d := newDoneRecorder()
		p.Produce(canceledContext(t), spoolMessage("waiter", i), d.done)
		select {
		case <-d.called:
			full = errors.Is(d.err, kafkasink.ErrSpoolFull)
		default:
		}
		if i > 1000 {
			t.Fatal("a spool of 4096 bytes took 1000 messages")
		}
	}
	d := newDoneRecorder()
	returned := make(chan struct{})
	go func() {
		p.Produce(context.Background(), spoolMessage("waiter", -1), d.done)
		close(returned)
	}()
	time.Sleep(100 * time.Millisecond) // let it wait for room
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := p.Close(ctx); !errors.Is(err, kafkasink.ErrSpooled) {
		t.Fatalf("Close = %v, want ErrSpooled (the broker is away)", err)
	}
	select {
	case <-returned:
	case <-time.After(3 * time.Second):
		t.Fatal("Produce waiting for room in the spool still blocked 3s after Close returned")
	}
	if err := d.wait(t); !errors.Is(err, kgo.ErrClientClosed) {
		t.Fatalf("done(%v), want the producer-closed error", err)
	}
}
