package outbox_test

import (
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// A schema-qualified table name is accepted by WithTable: Migrate must
// create it on SQLite too.
func TestSchemaQualifiedTableOnSQLite(t *testing.T) {
	db, _ := outboxtest.OpenSQLite(t)
	if err := outbox.Migrate(t.Context(), db, outbox.SQLite, outbox.WithTable("main.shop_outbox")); err != nil {
		t.Fatal(err)
	}
	sink := &faultSink{}
	runRelay(t, db, outbox.SQLite, sink, outbox.WithTable("main.shop_outbox"), outbox.WithPollInterval(10*time.Millisecond))
	rec := otelrelayertest.New(t)
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
	defer span.End()
	if err := bridge.Emit(outbox.WithTx(ctx, tx, outbox.WithTable("main.shop_outbox")), eventType, "v1", order{Seq: 1}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(sink.acknowledged()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the row of main.shop_outbox was not published")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
