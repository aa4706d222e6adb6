package outbox_test

import (
	"sync"
	"testing"

	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// docs/outbox.md says to run Migrate at start: several replicas of a
// service start at once, so concurrent Migrates of one database must all
// succeed.
func TestConcurrentMigratesAllSucceed(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			for round := range 3 {
				db, _ := b.Open(t)
				var wg sync.WaitGroup
				errs := make(chan error, 16)
				inbox, err := outbox.NewInbox()
				if err != nil {
					t.Fatal(err)
				}
				for range 8 {
					wg.Go(func() { errs <- outbox.Migrate(t.Context(), db, b.Dialect) })
					wg.Go(func() { errs <- inbox.Migrate(t.Context(), db, b.Dialect) })
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatalf("round %d: concurrent Migrate: %v", round, err)
					}
				}
			}
		})
	}
}
