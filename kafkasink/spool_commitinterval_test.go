package kafkasink_test

import (
	"context"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestSpoolIntervalProduceStaysWithinContext: with WithSpoolCommitInterval a
// message is not durable when Produce returns anyway, and Produce waits for
// the next commit only to bound memory, which is a wait for buffer space:
// with a context already done it returns at once (WithDropWhenFull's events),
// and with a live one it returns when that context ends (the Sink contract),
// even with more than a tenth of WithMaxBufferedBytes waiting for a commit an
// hour away. Close commits what they queued.
func TestSpoolIntervalProduceStaysWithinContext(t *testing.T) {
	p := newUnreachableProducer(t, kafkasink.WithSpool(t.TempDir()),
		kafkasink.WithSpoolCommitInterval(time.Hour), kafkasink.WithMaxBufferedBytes(1<<20))
	big := kafkasink.Message{Topic: "interval", Value: make([]byte, 200<<10)} // past a tenth of 1 MiB
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	for _, c := range []struct {
		name string
		ctx  context.Context
	}{{"done context", canceledContext(t)}, {"live context ending", short}} {
		returned := make(chan struct{})
		go func() {
			p.Produce(c.ctx, big, nil)
			close(returned)
		}()
		select {
		case <-returned:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Produce still waits for the hourly commit after 5s", c.name)
		}
	}
}
