package kafkasink

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestSpoolEventIsDurableWhenProduceReturns: in the default commit mode a
// message is on disk when Produce returns, whatever its context says, except
// a request log marked Reserved with a done context (OnEnd must not wait).
// Events under WithDropWhenFull come with a done context, and an event
// whose caller's context ends while it waits for the commit is still
// waited for: an Emit that returned nil must survive a crash.
func TestSpoolEventIsDurableWhenProduceReturns(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p, err := New(WithBrokers(addr), WithLogger(nil), WithoutEnvironment(), WithSpool(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	defer p.Close(context.Background()) // the broker is away: ErrSpooled
	short, cancelShort := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancelShort()
	for i, ctx := range []context.Context{done, short, context.Background()} {
		p.Produce(ctx, Message{Topic: "durable", Value: []byte("v")}, nil)
		if n := p.path.(*spool).store.count(); n != i+1 {
			t.Fatalf("message %d: %d records on disk when Produce returned, want %d", i, n, i+1)
		}
	}
}
