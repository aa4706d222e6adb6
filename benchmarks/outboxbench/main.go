// Command outboxbench measures the transactional outbox against one
// embedded Kafka broker on loopback: 16 goroutines, each request a database
// transaction that inserts one order row and emits one event. For SQLite
// (a file, WAL) and PostgreSQL (a server of its own, fsync and synchronous
// commit on), it times the outbox path (Emit inside the transaction, a
// relay publishing the committed rows) next to the direct path (commit,
// then a direct Emit: the dual write the outbox replaces), and the outbox
// delay, from the row's write to the broker's acknowledgement of the relay's
// produce. events/s count until the broker acknowledged every event (for
// the outbox: until the relay published the last one). PostgreSQL runs
// twice: with the default NOTIFY trigger and the relay listening, and
// without the trigger (postgresql_polling): PostgreSQL serialises the
// commits of transactions that NOTIFY. It prints a table, then one
// "name value" line per figure.
//
//	go run ./outboxbench [-requests N] [-rounds R] [-concurrency C] [-backends sqlite,postgresql,postgresql_polling]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

func main() {
	requests := flag.Int("requests", 4000, "requests per measurement")
	rounds := flag.Int("rounds", 3, "measurements per path, alternated; the median is reported")
	concurrency := flag.Int("concurrency", 16, "goroutines issuing requests")
	backends := flag.String("backends", "sqlite,postgresql,postgresql_polling", "databases measured, comma-separated; postgresql_polling: without the NOTIFY trigger (outbox.WithoutNotifyTrigger), the relay polling")
	flag.Parse()
	if err := run(context.Background(), *requests, *rounds, *concurrency, strings.Split(*backends, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "outboxbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, requests, rounds, concurrency int, backends []string) error {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		return err
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	var pg *outboxtest.Server
	if slices.ContainsFunc(backends, func(b string) bool { return strings.HasPrefix(b, "postgresql") }) {
		if pg, err = outboxtest.StartPostgres(outboxtest.Durable()); err != nil {
			return fmt.Errorf("PostgreSQL (scripts/ensure-postgres.sh installs it; -backends sqlite skips it): %w", err)
		}
		defer pg.Stop()
	}
	fmt.Printf("outboxbench: %d requests (one row + one event each), median of %d rounds, %d goroutines, one kfake broker on loopback\n\n", requests, rounds, concurrency)
	type figures struct{ outbox, direct, p50, p99 []float64 }
	results := map[string]*figures{}
	n := 0
	for range rounds {
		for _, b := range backends {
			f := results[b]
			if f == nil {
				f = &figures{}
				results[b] = f
			}
			for _, p := range []string{"outbox", "direct"} {
				n++
				db, dialect, closeDB, err := openDatabase(ctx, b, pg, n)
				if err != nil {
					return err
				}
				m, err := measure(ctx, brokers, db, dialect, b == "postgresql", p == "outbox", requests, concurrency)
				closeDB()
				if err != nil {
					return fmt.Errorf("%s %s: %w", b, p, err)
				}
				if p == "outbox" {
					f.outbox = append(f.outbox, m.eventsPerS)
					f.p50 = append(f.p50, m.delayP50ms)
					f.p99 = append(f.p99, m.delayP99ms)
				} else {
					f.direct = append(f.direct, m.eventsPerS)
				}
			}
		}
	}
	fmt.Printf("%-18s %16s %16s %10s %14s %14s\n", "database", "outbox events/s", "direct events/s", "ratio", "delay p50 ms", "delay p99 ms")
	for _, b := range backends {
		f := results[b]
		fmt.Printf("%-18s %16.0f %16.0f %10.2f %14.1f %14.1f\n", b, median(f.outbox), median(f.direct), median(f.outbox)/median(f.direct), median(f.p50), median(f.p99))
	}
	fmt.Println()
	for _, b := range backends {
		f := results[b]
		fmt.Printf("outbox_events_per_s{db=%q} %.0f\n", b, median(f.outbox))
		fmt.Printf("direct_events_per_s{db=%q} %.0f\n", b, median(f.direct))
		fmt.Printf("outbox_delay_p99_ms{db=%q} %.1f\n", b, median(f.p99))
	}
	return nil
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}
