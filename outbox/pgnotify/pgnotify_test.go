package pgnotify_test

import (
	"errors"
	"testing"

	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
	"github.com/otelrelayer/otelrelayer/outbox/pgnotify"
)

// A database of another driver is refused with ErrNotPgx, which the relay
// reports before it falls back to polling.
func TestListenOnAnotherDriverSaysSo(t *testing.T) {
	db, _ := outboxtest.OpenSQLite(t)
	err := pgnotify.New(db, "").Listen(t.Context(), make(chan struct{}, 1))
	if !errors.Is(err, pgnotify.ErrNotPgx) {
		t.Errorf("Listen on SQLite: %v, want ErrNotPgx", err)
	}
}
