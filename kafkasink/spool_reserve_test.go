package kafkasink_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestSpoolRecordLargerThanTheUnreservedShare produces, into an empty spool,
// a message that fits its bound but not the nine tenths left to calls not
// marked Reserved: it can never get in, so it fails at once, saying so,
// rather than waiting for room that cannot come (for ever, with a context
// without end).
func TestSpoolRecordLargerThanTheUnreservedShare(t *testing.T) {
	p := newUnreachableProducer(t, kafkasink.WithSpool(t.TempDir()), kafkasink.WithSpoolMaxBytes(1000))
	m := kafkasink.Message{Topic: "share", Value: make([]byte, 940)}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	d := newDoneRecorder()
	p.Produce(ctx, m, d.done)
	if ctx.Err() != nil {
		t.Fatal("Produce waited out its context on an empty spool")
	}
	err := d.wait(t)
	if !errors.Is(err, kafkasink.ErrSpoolFull) || !strings.Contains(err.Error(), "WithSpoolMaxBytes") {
		t.Fatalf("done(%v), want ErrSpoolFull naming WithSpoolMaxBytes", err)
	}
	t.Logf("done(%v)", err)
	r := newDoneRecorder()
	p.Produce(kafkasink.Reserved(ctx), m, r.done)
	select {
	case <-r.called:
		if !errors.Is(r.err, kafkasink.ErrSpooled) {
			t.Fatalf("the same message marked Reserved: done(%v), want it spooled", r.err)
		}
	default:
	}
}
