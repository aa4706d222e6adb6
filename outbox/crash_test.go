package outbox_test

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

var long = flag.Bool("long", false, "run the long variants of the fault tests")

// The relay process of TestRelayKilledMidBatchLosesNothing: this test
// binary, re-executed with these variables (and KAFKA_BROKERS).
const (
	childEnv        = "OUTBOX_TEST_RELAY_DSN"
	childDialectEnv = "OUTBOX_TEST_RELAY_DIALECT"
	childTunedEnv   = "OUTBOX_TEST_RELAY_TUNED" // set: the tuned relay below; unset: the library's defaults
)

func runChildRelay() int {
	driver, dialect := "sqlite", outbox.SQLite
	if os.Getenv(childDialectEnv) == "postgresql" {
		driver, dialect = "pgx", outbox.PostgreSQL
	}
	db, err := sql.Open(driver, os.Getenv(childEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// KAFKA_BROKERS from the environment. The library's defaults, unless
	// tuned: then a linger holds each batch in flight for a while and
	// small batches are claimed often, so that the kills land between
	// produce and delete.
	var sinkOpts []kafkasink.Option
	relayOpts := []outbox.RelayOption{outbox.WithErrorHandler(func(err error) { fmt.Fprintln(os.Stderr, err) })}
	if os.Getenv(childTunedEnv) != "" {
		sinkOpts = append(sinkOpts, kafkasink.WithClientOptions(kgo.ProducerLinger(30*time.Millisecond)))
		relayOpts = append(relayOpts, outbox.WithBatchSize(40), outbox.WithPollInterval(5*time.Millisecond), outbox.WithRetryBackoff(50*time.Millisecond))
	}
	sink, err := kafkasink.New(sinkOpts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r, err := outbox.NewRelay(db, dialect, sink, relayOpts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	r.Run(ctx)
	return 0
}

// A relay SIGKILLed several times while 8 goroutines commit events loses
// no committed event; the duplicates it leaves carry the event ID of their
// first copy, keep each key's order of first appearance, and none is
// processed twice behind an Inbox. Once with the library's defaults (what
// users run), once tuned so that the kills land mid-batch (where the
// duplicates come from).
func TestRelayKilledMidBatchLosesNothing(t *testing.T) {
	for _, tuned := range []bool{false, true} {
		name := "defaults"
		if tuned {
			name = "kills mid-batch"
		}
		t.Run(name, func(t *testing.T) { relayKilledLosesNothing(t, tuned) })
	}
}

func relayKilledLosesNothing(t *testing.T, tuned bool) {
	const writers = 8
	perWriter, kills := 60, 3
	if *long {
		perWriter, kills = 400, 10
	}
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, dsn := migrated(t, b)
			rec := otelrelayertest.New(t)
			brokers := otelrelayertest.Cluster(t)

			start := func() *exec.Cmd {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), childEnv+"="+dsn, childDialectEnv+"="+b.Name, "KAFKA_BROKERS="+strings.Join(brokers, ","))
				if tuned {
					cmd.Env = append(cmd.Env, childTunedEnv+"=1")
				}
				cmd.Stderr = os.Stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				return cmd
			}
			relay := start()

			var wg sync.WaitGroup
			var errs sync.Map
			for w := range writers {
				wg.Go(func() {
					for seq := 1; seq <= perWriter; seq++ {
						if err := emitInTx(t.Context(), db, rec, order{Writer: w, Seq: seq}, keyOf(w), true); err != nil {
							errs.Store(fmt.Sprint(w, seq), err)
							return
						}
					}
				})
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			killed := 0
			for killed < kills {
				select {
				case <-done:
				case <-time.After(150 * time.Millisecond):
				}
				relay.Process.Kill() // SIGKILL
				relay.Wait()
				killed++
				relay = start()
			}
			<-done
			errs.Range(func(k, v any) bool { t.Fatalf("commit %v: %v", k, v); return false })
			t.Cleanup(func() { relay.Process.Signal(syscall.SIGTERM); relay.Wait() })

			committed := writers * perWriter
			seen := map[order]string{} // first copy's event ID
			duplicates := 0
			recs := newConsumer(t, brokers, eventType).until(60*time.Second, func(recs []*kgo.Record) bool {
				return countDistinct(recs) >= committed
			})
			last := map[int]int{}
			for _, r := range recs {
				o, id := decodeOrder(t, r), header(r, "relayer-event-id")
				if first, dup := seen[o]; dup {
					duplicates++
					if first != id {
						t.Errorf("duplicate of %+v has event ID %s, its first copy %s", o, id, first)
					}
					continue
				}
				seen[o] = id
				if o.Seq <= last[o.Writer] {
					t.Errorf("writer %d: seq %d first appeared after seq %d", o.Writer, o.Seq, last[o.Writer])
				}
				last[o.Writer] = o.Seq
			}
			if len(seen) != committed {
				t.Fatalf("%d of %d committed events published", len(seen), committed)
			}

			// The consumer side: each record in its own transaction,
			// through the inbox; a duplicate is never applied.
			inboxDB, _ := b.Open(t)
			inbox, err := outbox.NewInbox()
			if err != nil {
				t.Fatal(err)
			}
			if err := inbox.Migrate(t.Context(), inboxDB, b.Dialect); err != nil {
				t.Fatal(err)
			}
			applied := 0
			for _, r := range recs {
				tx, err := inboxDB.BeginTx(t.Context(), nil)
				if err != nil {
					t.Fatal(err)
				}
				first, err := inbox.Claim(t.Context(), tx, r.Headers)
				if err != nil {
					t.Fatal(err)
				}
				if first {
					applied++
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			if applied != committed {
				t.Errorf("applied %d through the inbox, want %d: %d duplicates got through", applied, committed, applied-committed)
			}
			t.Logf("%s: %d committed events, relay SIGKILLed %d times, %d duplicates published (same event IDs), 0 applied twice", b.Name, committed, killed, duplicates)
		})
	}
}

// countDistinct counts the distinct events among recs.
func countDistinct(recs []*kgo.Record) int {
	ids := map[string]bool{}
	for _, r := range recs {
		ids[header(r, "relayer-event-id")] = true
	}
	return len(ids)
}
