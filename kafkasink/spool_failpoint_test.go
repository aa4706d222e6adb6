package kafkasink

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newFailpointSpool returns a spooled producer whose broker is away, with
// failpoints set before its writer starts; it is closed when t ends.
func newFailpointSpool(t *testing.T, fp spoolFailpoints, opts ...Option) *Producer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := newConfig(append([]Option{WithBrokers(addr), WithLogger(nil), WithoutEnvironment(), WithSpool(t.TempDir())}, opts...))
	sp, err := openSpool(c)
	if err != nil {
		t.Fatal(err)
	}
	sp.failpoints = fp
	p, err := New(WithBrokers(addr), WithLogger(nil), WithoutEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	mem := p.path.(*memoryProducer)
	sp.start(p.client, mem.budget, mem.brokerErrs)
	p.path = sp
	return p
}

// TestSpoolProduceReturnsWithinItsContextOnAStalledDisk: the failpoint
// holds every commit (a disk that stalls). Produce with a live context
// returns when it ends, its done saying the message was not committed yet,
// so an Emit cannot hang on a disk; once the disk comes back the message is
// committed after all.
func TestSpoolProduceReturnsWithinItsContextOnAStalledDisk(t *testing.T) {
	stall := make(chan struct{})
	var stalls atomic.Int32
	p := newFailpointSpool(t, spoolFailpoints{beforeCommit: func() {
		stalls.Add(1)
		<-stall
	}})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	var got error
	returned := make(chan struct{})
	go func() {
		p.Produce(ctx, Message{Topic: "stalled", Value: []byte("v")}, func(err error) { got = err })
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Produce did not return after its context ended while the disk stalled")
	}
	if !errors.Is(got, ErrNotCommitted) || !errors.Is(got, context.DeadlineExceeded) {
		t.Fatalf("done(%v), want ErrNotCommitted wrapping the context's error", got)
	}
	close(stall)
	sp := p.path.(*spool)
	for sp.store.count() != 1 {
		time.Sleep(10 * time.Millisecond) // the commit the disk held completes
	}
	closeCtx, cancelClose := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelClose()
	if err := p.Close(closeCtx); !errors.Is(err, ErrSpooled) {
		t.Fatalf("Close = %v, want ErrSpooled (the broker is away)", err)
	}
}

// TestSpoolProduceNeverReturnsBeforeItsFailureIsReported: every commit
// fails (a full disk), and the callers wait for the final commit, which
// Close triggers while a first commit holds the writer: a Produce that
// returns has always had its done called with the failure first, so an
// Emit can never return nil for a record that was never committed.
func TestSpoolProduceNeverReturnsBeforeItsFailureIsReported(t *testing.T) {
	for round := range 20 {
		hold := make(chan struct{})
		var first sync.Once
		held := make(chan struct{})
		p := newFailpointSpool(t, spoolFailpoints{
			beforeCommit: func() { first.Do(func() { close(held); <-hold }) },
			commit:       func() error { return errors.New("disk full") },
		})
		go p.Produce(context.Background(), Message{Topic: "failing", Value: []byte("first")}, nil)
		<-held // the writer is in the first commit; the next callers wait for the final one
		var wg sync.WaitGroup
		var silent atomic.Int32
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var called atomic.Bool
				p.Produce(context.Background(), Message{Topic: "failing", Value: []byte("v")}, func(err error) {
					if err != nil {
						called.Store(true)
					}
				})
				if !called.Load() {
					silent.Add(1)
				}
			}()
		}
		time.Sleep(20 * time.Millisecond) // let them queue
		canceled, cancel := context.WithCancel(context.Background())
		cancel()
		_ = p.Close(canceled)
		close(hold)
		wg.Wait()
		if n := silent.Load(); n > 0 {
			t.Fatalf("round %d: %d Produce calls returned before their failure was reported", round, n)
		}
	}
}
