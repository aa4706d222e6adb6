package outbox_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// An error about the topic rather than the record (an ACL not granted yet,
// a policy) is someone else's to fix: the rows stay in the table, are
// reported as kept and retried, and are all published once it is fixed;
// none is moved aside as refused for good.
func TestRowsOfATopicRefusedForAWhileAreKeptAndPublished(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			brokers := c.ListenAddrs()
			var refusing atomic.Bool
			refusing.Store(true)
			testkit.RefuseProduce(c, refusing.Load, kerr.TopicAuthorizationFailed.Code)
			errs := newErrorLog()
			runRelay(t, db, b.Dialect, newSink(t, brokers), outbox.WithErrorHandler(errs.handle))
			const n = 3
			for i := 1; i <= n; i++ {
				if err := emitInTx(t.Context(), db, rec, order{Writer: 1, Seq: i}, keyOf(1), true); err != nil {
					t.Fatal(err)
				}
			}
			<-errs.seen // the refusal, reported
			time.Sleep(500 * time.Millisecond)
			refusing.Store(false) // the ACL is granted
			recs := newConsumer(t, brokers, eventType).until(20*time.Second, func(r []*kgo.Record) bool { return countDistinct(r) >= n })
			firstAppearances(t, recs, 1, n)
			waitEmpty(t, db)
			var aside int
			if err := db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+outbox.DefaultTable+" WHERE failed_us IS NOT NULL").Scan(&aside); err != nil || aside != 0 {
				t.Errorf("%d rows moved aside (%v), want none", aside, err)
			}
			for _, err := range errs.all() {
				if !strings.Contains(err.Error(), "kept, retried") {
					t.Errorf("reported: %v, want the rows kept and retried", err)
				}
			}
		})
	}
}
