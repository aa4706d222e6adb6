package pgnotify_test

import (
	"context"
	"database/sql"
	"log"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/pgnotify"
)

// A relay on PostgreSQL that publishes as soon as a transaction commits,
// and polls every 200ms as fallback.
func ExampleNew() {
	ctx := context.Background()
	db, err := sql.Open("pgx", "postgres://app@localhost:5432/shop")
	if err != nil {
		log.Fatal(err)
	}
	sink, err := kafkasink.New() // KAFKA_BROKERS
	if err != nil {
		log.Fatal(err)
	}
	relay, err := outbox.NewRelay(db, outbox.PostgreSQL, sink, outbox.WithNotifier(pgnotify.New(db, "")))
	if err != nil {
		log.Fatal(err)
	}
	go relay.Run(ctx)
}
