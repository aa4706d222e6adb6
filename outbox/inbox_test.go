package outbox_test

import (
	"errors"
	"testing"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// The inbox claims an event ID once per committed transaction: a duplicate
// is skipped, a claim rolled back is not kept.
func TestInboxClaimsEachEventIDOnce(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			inbox, err := outbox.NewInbox(outbox.WithTable("orders_inbox"))
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // idempotent
				if err := inbox.Migrate(t.Context(), db, b.Dialect); err != nil {
					t.Fatal(err)
				}
			}
			hs := []kafkasink.Header{{Key: "relayer-event-id", Value: []byte("0192d6a4-0000-7000-8000-000000000001")}}
			claim := func(commit bool) bool {
				t.Helper()
				tx, err := db.BeginTx(t.Context(), nil)
				if err != nil {
					t.Fatal(err)
				}
				first, err := inbox.Claim(t.Context(), tx, hs)
				if err != nil {
					t.Fatal(err)
				}
				if commit {
					err = tx.Commit()
				} else {
					err = tx.Rollback()
				}
				if err != nil {
					t.Fatal(err)
				}
				return first
			}
			steps := []struct {
				name   string
				commit bool
				first  bool
			}{
				{"first delivery, rolled back", false, true},
				{"redelivery after the rollback", true, true},
				{"duplicate", true, false},
				{"another duplicate", false, false},
			}
			for _, s := range steps {
				if got := claim(s.commit); got != s.first {
					t.Errorf("%s: Claim = %t, want %t", s.name, got, s.first)
				}
			}
			tx, _ := db.BeginTx(t.Context(), nil)
			defer tx.Rollback()
			if _, err := inbox.Claim(t.Context(), tx, nil); !errors.Is(err, outbox.ErrNoEventID) {
				t.Errorf("Claim without the header: %v, want ErrNoEventID", err)
			}
			if _, err := inbox.Claim(t.Context(), nil, hs); !errors.Is(err, outbox.ErrNoTransaction) {
				t.Errorf("Claim with a nil transaction: %v, want ErrNoTransaction", err)
			}
		})
	}
}
