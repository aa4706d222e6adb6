package outboxtest_test

import (
	"testing"

	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// One test, run against SQLite and a real PostgreSQL; call outboxtest.Main
// from TestMain to stop the server after the tests.
func ExampleBackends() {
	var t *testing.T // the test's
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t) // a fresh database, skipped (or failed in CI) without PostgreSQL
			if err := outbox.Migrate(t.Context(), db, b.Dialect); err != nil {
				t.Fatal(err)
			}
		})
	}
}
