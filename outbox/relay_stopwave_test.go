package outbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// silentTopicSink acknowledges every message at once, except those of one
// topic, which it never answers (a broker that stays silent past the
// relay's grace at stop).
type silentTopicSink struct {
	faultSink
	silent string
	mu     sync.Mutex
	held   int
}

func (s *silentTopicSink) Produce(ctx context.Context, m kafkasink.Message, done func(error)) {
	if m.Topic == s.silent {
		s.mu.Lock()
		s.held++
		s.mu.Unlock()
		return
	}
	s.faultSink.Produce(ctx, m, done)
}

func (s *silentTopicSink) heldCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

// A relay stopped while the broker has not answered about a key's second
// event (on a second topic, produced once the first was acknowledged)
// deletes the first, acknowledged, event when its grace runs out: only
// the unanswered row stays, to be published again by the next run.
func TestStoppedRelayDeletesTheAcknowledgedRowsWhenSomeStayUnanswered(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel() // each waits for the relay's grace at stop (5s)
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			tx, err := db.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
			for i, typ := range []string{eventType, "order_paid"} {
				if err := bridge.Emit(outbox.WithTx(ctx, tx), typ, "v1", order{Writer: 1, Seq: i + 1}, bridge.WithPartitionKey(keyOf(1))); err != nil {
					t.Fatal(err)
				}
			}
			span.End()
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			sink := &silentTopicSink{silent: "order_paid"}
			r, err := outbox.NewRelay(db, b.Dialect, sink)
			if err != nil {
				t.Fatal(err)
			}
			runCtx, cancel := context.WithCancel(t.Context())
			ran := make(chan error, 1)
			go func() { ran <- r.Run(runCtx) }()
			deadline := time.Now().Add(10 * time.Second)
			for sink.heldCalls() == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the key's second event was never produced")
				}
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
			select {
			case <-ran:
			case <-time.After(20 * time.Second):
				t.Fatal("Run did not return after its context ended")
			}
			if n := len(sink.acknowledged()); n != 1 {
				t.Fatalf("%d acknowledged, want 1", n)
			}
			if n := pendingRows(t, db); n != 1 {
				t.Fatalf("%d rows left in the table, want 1 (the unanswered one): the next run publishes the acknowledged one again", n)
			}
		})
	}
}
