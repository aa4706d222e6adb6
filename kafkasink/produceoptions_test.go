package kafkasink_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestProduceWithOptions: NoWait and Reserve are said by the call, not by
// the context. A buffer of 10 records keeps 9 for every message and 1 for
// those given with Reserve; each step depends on the slots the previous
// ones took. The spool's path gets the same steps with its disk bound.
func TestProduceWithOptions(t *testing.T) {
	type step struct {
		name    string
		o       kafkasink.ProduceOptions
		live    bool  // a context that ends 20ms later; else t.Context()
		wantErr error // nil: accepted
	}
	steps := []step{
		{"NoWait with a live context fails at once without the reserve", kafkasink.ProduceOptions{NoWait: true}, false, kafkasink.ErrBufferFull},
		{"a caller that may wait does not use the reserve", kafkasink.ProduceOptions{}, true, context.DeadlineExceeded},
		{"Reserve with NoWait takes the reserve", kafkasink.ProduceOptions{NoWait: true, Reserve: true}, false, nil},
		{"the reserve is exhausted too", kafkasink.ProduceOptions{NoWait: true, Reserve: true}, false, kafkasink.ErrBufferFull},
	}
	paths := []struct {
		name string
		opts []kafkasink.Option
		fill int
	}{
		{"in memory", []kafkasink.Option{kafkasink.WithMaxBufferedRecords(10)}, 9},
		// Records of 10+topic bytes each: 9 of them fill nine tenths of the spool.
		{"spool", []kafkasink.Option{kafkasink.WithSpool(t.TempDir()), kafkasink.WithSpoolMaxBytes(10 * int64(len(encodedForSize(t))))}, 9},
	}
	for _, pt := range paths {
		t.Run(pt.name, func(t *testing.T) {
			p := newUnreachableProducer(t, pt.opts...)
			for i := range pt.fill {
				p.ProduceWith(t.Context(), sizedMessage(i), kafkasink.ProduceOptions{}, nil)
			}
			for _, st := range steps {
				ctx := t.Context()
				if st.live {
					c, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
					defer cancel()
					ctx = c
				}
				d := newDoneRecorder()
				p.ProduceWith(ctx, sizedMessage(0), st.o, d.done)
				if st.wantErr == nil {
					if n := d.calls.Load(); n != 0 && !errors.Is(d.err, kafkasink.ErrSpooled) {
						t.Fatalf("%s: done(%v) for a message that should be accepted", st.name, d.err)
					}
					continue
				}
				if err := d.wait(t); !errors.Is(err, kafkasink.ErrBufferFull) || !errors.Is(err, st.wantErr) {
					t.Fatalf("%s: done(%v), want errors.Is ErrBufferFull and %v", st.name, err, st.wantErr)
				}
			}
		})
	}
}

// sizedMessage is a message whose spooled record has the size of
// encodedForSize.
func sizedMessage(i int) kafkasink.Message {
	return kafkasink.Message{Topic: "options", Value: fmt.Appendf(nil, "%010d", i)}
}

func encodedForSize(t *testing.T) []byte {
	t.Helper()
	return kafkasink.EncodedSpoolRecordForTest(sizedMessage(0))
}
