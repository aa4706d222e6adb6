package tail

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// The ordering window holds messages for Window; while a backlog is read
// (relaytail's -from-beginning is the default) it fills up. It is bounded
// in bytes as well as in count: 200 request logs of 1 MiB, far fewer than
// MaxHeld, must not all be held.
func TestWindowIsBoundedInBytes(t *testing.T) {
	cl, err := kgo.NewClient(kgo.SeedBrokers("127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	tl := &Tail{cfg: Config{Window: time.Hour}, cl: cl, closed: make(chan struct{})}
	defer tl.Close()
	big := make([]byte, 1<<20)
	for i := range 200 {
		tl.queue = append(tl.queue, Message{Offset: int64(i), Value: big, Timestamp: time.Unix(int64(i), 0)})
	}
	// Nothing is due for an hour: Next returns only what the bound makes
	// it let go, without waiting for the window.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	released := 0
	for {
		if _, err := tl.Next(ctx); err != nil {
			break
		}
		released++
	}
	if held := tl.held.len(); held == 200 || held*len(big) > MaxHeldBytes {
		t.Errorf("%d messages of 1 MiB held (%d released), want at most MaxHeldBytes (%d MiB)", held, released, MaxHeldBytes>>20)
	}
}
