package exporter_test

import (
	"context"
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
// its own.
func TestEventWithoutAckAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are checked without -race")
	}
	p, err := exporter.New("logging", ackingSink{})
	if err != nil {
		t.Fatal(err)
	}
	defer bridge.Unregister(p)
	defer func() { _ = p.Shutdown(context.Background()) }()
	tests := []struct {
		name    string
		payload string
		want    float64
	}{
		{"a small event", `{"id":42,"name":"order"}`, 2},
		{"an event of 100 bytes", `{"blob":"` + strings.Repeat("x", 88) + `"}`, 2},
		{"an event of 250 bytes", `{"blob":"` + strings.Repeat("x", 238) + `"}`, 2},
		{"an event of 1 KiB", `{"blob":"` + strings.Repeat("x", 1024) + `"}`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bridge.EmitRecord{Time: time.Now(), Topic: "entity_created", EventSubtype: "order", Value: []byte(tt.payload)}
			allocs := testing.AllocsPerRun(1000, func() {
				if _, err := p.Emit(context.Background(), r); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != tt.want {
				t.Fatalf("Emit allocates %v times, want %v", allocs, tt.want)
			}
		})
	}
}
