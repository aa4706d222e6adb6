package kafkasink

import (
	"context"
	"errors"
	"net"
	"testing"
)

// TestSpoolPendingBytesStayBounded produces, with a context already done
// and marked Reserved (request logs written from OnEnd, which do not wait
// for their commit), much more than a commit takes at once:
// the messages waiting for a commit stay within the in-memory bytes (nine
// tenths for calls not marked Reserved); those past it fail with
// ErrBufferFull, as the Sink contract wants for a done context.
func TestSpoolPendingBytesStayBounded(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p, err := New(WithBrokers(addr), WithLogger(nil), WithSpool(t.TempDir()), WithMaxBufferedBytes(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	defer p.Close(context.Background()) // the broker is away: ErrSpooled
	done = Reserved(done)
	s := p.path.(*spool)
	var peak int64
	var refused int
	for range 5000 {
		p.Produce(done, Message{Topic: "pending", Value: make([]byte, 4096)}, func(err error) {
			if errors.Is(err, ErrBufferFull) {
				refused++ // called before Produce returns
			} else if err != nil && !errors.Is(err, ErrSpooled) {
				t.Errorf("done(%v), want nil, ErrSpooled or ErrBufferFull", err)
			}
		})
		s.wmu.Lock()
		peak = max(peak, s.pendingB)
		s.wmu.Unlock()
	}
	const bound = 1 << 20 // WithMaxBufferedBytes
	t.Logf("peak bytes waiting for a commit: %d (in-memory bound %d); %d messages refused", peak, bound, refused)
	if peak > bound {
		t.Errorf("peak bytes waiting for a commit: %d, want at most %d", peak, bound)
	}
}
