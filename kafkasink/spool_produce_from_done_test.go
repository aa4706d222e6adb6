package kafkasink_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestSpoolProduceFromDoneDoesNotDeadlock produces, from the done callback
// of a message that waits on disk only (ErrSpooled during an outage), one
// more message with a live context, as a callback that reports what was not
// delivered would: that Produce returns once its message is committed, and
// the spool keeps taking messages.
func TestSpoolProduceFromDoneDoesNotDeadlock(t *testing.T) {
	p := newUnreachableProducer(t, kafkasink.WithSpool(t.TempDir()), kafkasink.WithMaxBufferedRecords(1))
	var once sync.Once
	inner := make(chan struct{})
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	for i := range 10 {
		p.Produce(ctx, spoolMessage("reentrant", i), func(err error) {
			if !errors.Is(err, kafkasink.ErrSpooled) {
				return
			}
			once.Do(func() {
				p.Produce(context.Background(), spoolMessage("reentrant", 100), nil)
				close(inner)
			})
		})
	}
	if ctx.Err() != nil {
		t.Fatal("Produce waited out its 3s context: the spool's writer is stuck")
	}
	select {
	case <-inner:
	case <-time.After(3 * time.Second):
		t.Fatal("Produce called from done still blocked after 3s")
	}
}
