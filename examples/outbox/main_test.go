package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/examples/internal/demotest"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

func TestMain(m *testing.M) { os.Exit(outboxtest.Main(m)) }

// The two committed orders are published, the rolled-back one never; every
// request log lists its event as going through the outbox.
func TestOnlyCommittedOrdersArePublished(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := ""
			if b.Name == "postgresql" {
				_, dsn = b.Open(t)
			}
			brokers := otelrelayertest.Cluster(t)
			var out bytes.Buffer
			if err := run(t.Context(), brokers, dsn, &out); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			items := readItems(t, brokers)
			slices.Sort(items) // two keys: no order between them
			if len(items) != 2 || items[0] != "book" || items[1] != "lamp" {
				t.Errorf("published %v, want [book lamp]", items)
			}
			logs := demotest.ReadRequestLogs(t, brokers)
			if len(logs) != 3 {
				t.Fatalf("%d request logs, want 3", len(logs))
			}
			for _, l := range logs {
				if len(l.Lines) == 0 || !l.Lines[0].Outbox {
					t.Errorf("request log (status %d): lines %+v do not start with the outbox event", l.Status, l.Lines)
				}
			}
		})
	}
}

func readItems(t *testing.T, brokers []string) []string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("order_created"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var items []string
	for quiet := 0; quiet < 2; { // read until a second passes with nothing new
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		n := 0
		fs.EachRecord(func(r *kgo.Record) {
			n++
			var ev struct {
				Payload struct {
					Item string `json:"item"`
				} `json:"payload"`
			}
			json.Unmarshal(r.Value, &ev)
			items = append(items, ev.Payload.Item)
		})
		if n == 0 && len(items) > 0 {
			quiet++
		}
	}
	return items
}
