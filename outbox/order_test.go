package outbox_test

import (
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
	"github.com/otelrelayer/otelrelayer/outbox/pgnotify"
)

// Three relays on one PostgreSQL table, each with its own producer, publish
// every event once they are all done, each key in commit order: a relay
// never overtakes an older row of the same key that another relay holds.
func TestSeveralRelaysOnPostgreSQLKeepEachKeysOrder(t *testing.T) {
	const writers, perWriter = 8, 40
	b := outboxtest.Backends()[1]
	db, _ := migrated(t, b)
	rec := otelrelayertest.New(t)
	brokers := otelrelayertest.Cluster(t)
	for range 3 {
		runRelay(t, db, b.Dialect, newSink(t, brokers), outbox.WithBatchSize(7))
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for seq := 1; seq <= perWriter; seq++ {
				if err := emitInTx(t.Context(), db, rec, order{Writer: w, Seq: seq}, keyOf(w), true); err != nil {
					t.Errorf("commit: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	recs := newConsumer(t, brokers, eventType).until(60*time.Second, func(r []*kgo.Record) bool { return countDistinct(r) >= writers*perWriter })
	firstAppearances(t, recs, writers, perWriter)
	if len(recs) != writers*perWriter {
		t.Errorf("%d records for %d events: relays sharing a table published duplicates", len(recs), writers*perWriter)
	}
}

// On PostgreSQL, a commit wakes a relay through LISTEN/NOTIFY: with polling
// an hour apart, the event is still published.
func TestPostgreSQLCommitWakesTheRelay(t *testing.T) {
	b := outboxtest.Backends()[1]
	db, _ := migrated(t, b)
	rec := otelrelayertest.New(t)
	brokers := otelrelayertest.Cluster(t)
	errs := newErrorLog()
	runRelay(t, db, b.Dialect, newSink(t, brokers), outbox.WithPollInterval(time.Hour),
		outbox.WithNotifier(pgnotify.New(db, "")), outbox.WithErrorHandler(errs.handle))
	c := newConsumer(t, brokers, eventType)
	for seq := 1; seq <= 3; seq++ {
		if err := emitInTx(t.Context(), db, rec, order{Writer: 1, Seq: seq}, keyOf(1), true); err != nil {
			t.Fatal(err)
		}
		c.until(20*time.Second, func(r []*kgo.Record) bool { return len(r) >= 1 })
		waitEmpty(t, db)
	}
	if e := errs.all(); len(e) > 0 {
		t.Errorf("reported: %v", e)
	}
}
