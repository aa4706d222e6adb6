package exporter_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// ackingSink acknowledges every message at once and keeps nothing.
type ackingSink struct{}

func (ackingSink) Produce(_ context.Context, _ kafkasink.Message, done func(error)) { done(nil) }
func (ackingSink) Flush(context.Context) error                                      { return nil }
func (ackingSink) Close(context.Context) error                                      { return nil }

// An event without WithAck costs the processor two allocations with the
// defaults: its value shares one with its delivery state and headers, the
// other is the sink's done callback. A value too large to share has one of
// its own. With a sink that releases messages (a Producer without spool),
// the shared allocation comes from a pool: one allocation, the callback.
func TestEventWithoutAckAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are checked without -race")
	}
	small := `{"id":42,"name":"order"}`
	bytes100 := `{"blob":"` + strings.Repeat("x", 88) + `"}`
	bytes250 := `{"blob":"` + strings.Repeat("x", 238) + `"}`
	kib := `{"blob":"` + strings.Repeat("x", 1024) + `"}`
	for _, sink := range []struct {
		name string
		sink kafkasink.Sink
		want map[string]float64 // by payload
	}{
		{"a sink keeping messages", ackingSink{}, map[string]float64{small: 2, bytes100: 2, bytes250: 2, kib: 3}},
		{"a sink releasing messages", releasingAckSink{}, map[string]float64{small: 1, bytes100: 1, bytes250: 1, kib: 3}},
	} {
		p, err := exporter.New("logging", sink.sink)
		if err != nil {
			t.Fatal(err)
		}
		defer bridge.Unregister(p)
		defer func() { _ = p.Shutdown(context.Background()) }()
		for payload, want := range sink.want {
			t.Run(fmt.Sprintf("%s, an event of %d bytes", sink.name, len(payload)), func(t *testing.T) {
				r := bridge.EmitRecord{Time: time.Now(), Topic: "entity_created", EventSubtype: "order", Value: []byte(payload)}
				allocs := testing.AllocsPerRun(1000, func() {
					if _, err := p.Emit(context.Background(), r); err != nil {
						t.Fatal(err)
					}
				})
				if allocs != want {
					t.Fatalf("Emit allocates %v times, want %v", allocs, want)
				}
			})
		}
	}
}
