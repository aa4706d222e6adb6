package kafkasink

import (
	"context"
	"errors"
	"testing"
)

func doneContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestBudgetKeepsAReserveForReservedCalls(t *testing.T) {
	b := newBudget(10, 1<<20)
	for i := range 9 { // nine tenths for everybody
		if err := b.acquire(context.Background(), 1, ProduceOptions{}); err != nil {
			t.Fatalf("acquire %d: %v", i, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	waited := make(chan error)
	go func() { waited <- b.acquire(ctx, 1, ProduceOptions{}) }()
	// The tenth record is the reserve: neither a call that must not wait
	// nor one that waits gets it, unless it is reserved.
	if err := b.acquire(context.Background(), 1, ProduceOptions{NoWait: true}); !errors.Is(err, ErrBufferFull) {
		t.Fatalf("an unreserved call that must not wait took the reserve: %v", err)
	}
	if err := b.acquire(context.Background(), 1, ProduceOptions{NoWait: true, Reserve: true}); err != nil {
		t.Fatalf("the reserve was not available: %v", err)
	}
	if err := b.acquire(doneContext(), 1, ProduceOptions{Reserve: true}); !errors.Is(err, ErrBufferFull) || !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire beyond the bound = %v, want ErrBufferFull wrapping context.Canceled", err)
	}
	cancel()
	if err := <-waited; !errors.Is(err, ErrBufferFull) {
		t.Fatalf("the waiting call returned %v, want ErrBufferFull once its context ended", err)
	}
}

func TestBudgetWaitsForRelease(t *testing.T) {
	b := newBudget(100, 100)
	if err := b.acquire(context.Background(), 85, ProduceOptions{}); err != nil {
		t.Fatal(err)
	}
	got := make(chan error)
	go func() { got <- b.acquire(context.Background(), 10, ProduceOptions{}) }() // 95 > 90: waits
	b.release(85)
	if err := <-got; err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	if b.records != 1 || b.bytes != 10 {
		t.Fatalf("in flight: %d records, %d bytes", b.records, b.bytes)
	}
}

func TestBudgetAdmitsAnOversizedRecordAlone(t *testing.T) {
	b := newBudget(10, 100)
	if err := b.acquire(doneContext(), 500, ProduceOptions{}); err != nil {
		t.Fatalf("an oversized record into an empty budget: %v", err)
	}
	if err := b.acquire(doneContext(), 1, ProduceOptions{Reserve: true}); !errors.Is(err, ErrBufferFull) {
		t.Fatalf("acquire next to it = %v, want ErrBufferFull", err)
	}
}
