package outbox_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// Prune removes the IDs made before its time and keeps the newer ones and
// IDs that are not UUIDv7; a pruned ID can be claimed again.
func TestInboxPruneRemovesOnlyOlderEventIDs(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			inbox, err := outbox.NewInbox()
			if err != nil {
				t.Fatal(err)
			}
			if err := inbox.Migrate(t.Context(), db, b.Dialect); err != nil {
				t.Fatal(err)
			}
			cut := time.Now().Add(-24 * time.Hour)
			v7At := func(at time.Time) string {
				t.Helper()
				u := uuid.Must(uuid.NewV7())
				ms := uint64(at.UnixMilli())
				for i := range 6 {
					u[i] = byte(ms >> (40 - 8*i))
				}
				return u.String()
			}
			old1, old2 := v7At(cut.Add(-time.Hour)), v7At(cut.Add(-time.Millisecond))
			fresh1, fresh2 := v7At(cut), v7At(time.Now())
			other := uuid.NewString() // version 4: never pruned, whatever it sorts like
			claim := func(id string) bool {
				t.Helper()
				tx, err := db.BeginTx(t.Context(), nil)
				if err != nil {
					t.Fatal(err)
				}
				first, err := inbox.ClaimID(t.Context(), tx, id)
				if err != nil {
					t.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				return first
			}
			for _, id := range []string{old1, old2, fresh1, fresh2, other, "not-a-uuid"} {
				claim(id)
			}
			n, err := inbox.Prune(t.Context(), db, cut)
			if err != nil {
				t.Fatal(err)
			}
			if n != 2 {
				t.Errorf("Prune deleted %d IDs, want 2 (the two made before the cut)", n)
			}
			for id, want := range map[string]bool{old1: true, old2: true, fresh1: false, fresh2: false, other: false, "not-a-uuid": false} {
				if got := claim(id); got != want {
					t.Errorf("Claim(%s) after Prune = %t, want %t", id, got, want)
				}
			}
			if _, err := inbox.Prune(t.Context(), nil, cut); err == nil {
				t.Error("Prune with a nil db: no error")
			}
		})
	}
}
