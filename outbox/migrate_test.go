package outbox_test

import (
	"errors"
	"testing"

	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// Migrate can run at every start: the second run changes nothing, rows
// included; a custom table is created under its name.
func TestMigrateIsIdempotent(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			if _, err := db.ExecContext(t.Context(), "INSERT INTO "+outbox.DefaultTable+" (topic, value, headers, event_id, written_us) VALUES ('t', 'v', 'h', 'id', 1)"); err != nil {
				t.Fatal(err)
			}
			if err := outbox.Migrate(t.Context(), db, b.Dialect); err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
			if n := pendingRows(t, db); n != 1 {
				t.Errorf("%d rows after the second Migrate, want 1", n)
			}
			if err := outbox.Migrate(t.Context(), db, b.Dialect, outbox.WithTable("shop_outbox")); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(t.Context(), "SELECT id FROM shop_outbox"); err != nil {
				t.Errorf("custom table: %v", err)
			}
		})
	}
}

// Every invalid argument of Migrate, NewRelay and NewInbox is refused with
// ErrConfiguration.
func TestInvalidConfigurationIsRefused(t *testing.T) {
	db, _ := outboxtest.OpenSQLite(t)
	sink := newSink(t, []string{"127.0.0.1:1"})
	cases := map[string]error{
		"unknown dialect":    outbox.Migrate(t.Context(), db, outbox.Dialect(9)),
		"nil database":       outbox.Migrate(t.Context(), nil, outbox.SQLite),
		"quoted table":       outbox.Migrate(t.Context(), db, outbox.SQLite, outbox.WithTable(`"x"`)),
		"relay nil database": second(outbox.NewRelay(nil, outbox.SQLite, sink)),
		"relay nil sink":     second(outbox.NewRelay(db, outbox.SQLite, nil)),
		"relay dialect":      second(outbox.NewRelay(db, 0, sink)),
		"relay batch size":   second(outbox.NewRelay(db, outbox.SQLite, sink, outbox.WithBatchSize(0))),
		"relay poll":         second(outbox.NewRelay(db, outbox.SQLite, sink, outbox.WithPollInterval(-1))),
		"inbox table":        second(outbox.NewInbox(outbox.WithTable("a.b.c"))),
	}
	for name, err := range cases {
		if !errors.Is(err, outbox.ErrConfiguration) {
			t.Errorf("%s: %v, want ErrConfiguration", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// On PostgreSQL, Migrate creates the NOTIFY trigger by default and drops it
// with WithoutNotifyTrigger.
func TestMigrateCreatesOrDropsTheNotifyTrigger(t *testing.T) {
	b := outboxtest.Backends()[1]
	db, _ := b.Open(t)
	triggers := func() int {
		var n int
		if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM pg_trigger WHERE tgname = 'relayer_outbox_notify'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	steps := []struct {
		name string
		opts []outbox.Option
		want int
	}{
		{"default", nil, 1},
		{"without", []outbox.Option{outbox.WithoutNotifyTrigger()}, 0},
		{"default again", nil, 1},
	}
	for _, s := range steps {
		if err := outbox.Migrate(t.Context(), db, b.Dialect, s.opts...); err != nil {
			t.Fatal(err)
		}
		if got := triggers(); got != s.want {
			t.Errorf("%s: %d triggers, want %d", s.name, got, s.want)
		}
	}
}
