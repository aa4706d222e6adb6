package kafkasink_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestSpoolFlushWaitsForACommitUnderWay produces, with a context already
// done (the exporter's request logs, WithDropWhenFull), messages that the
// broker, away, cannot acknowledge, each to an empty spool, and flushes
// while its commit may be under way: Flush must wait for them, never report them delivered.
func TestSpoolFlushWaitsForACommitUnderWay(t *testing.T) {
	for i := range 50 {
		p := newUnreachableProducer(t, kafkasink.WithSpool(t.TempDir()))
		m := spoolMessage("flush", i)
		m.Value = make([]byte, 256<<10) // a commit that takes a while
		p.Produce(canceledContext(t), m, nil)
		time.Sleep(time.Duration(i%10) * 100 * time.Microsecond)
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		err := p.Flush(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("message %d: Flush() = %v with the broker away, want context.DeadlineExceeded", i, err)
		}
	}
}
