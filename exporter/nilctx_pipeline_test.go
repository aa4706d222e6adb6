package exporter_test

import (
	"context"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// The Processor's own Emit and Log, called directly as bridge.Pipeline,
// take a nil context as context.Background(), as bridge.Emit and bridge.Log
// do: no panic.
func TestPipelineCallsTakeANilContextAsBackground(t *testing.T) {
	rec := otelrelayertest.New(t)
	p := rec.Processor()
	var nilCtx context.Context
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"Emit", func() error {
			_, err := p.Emit(nilCtx, bridge.EmitRecord{Time: time.Now(), Topic: "orders", EventSubtype: "created", Value: []byte(`1`)})
			return err
		}},
		{"Emit WithAck", func() error {
			_, err := p.Emit(nilCtx, bridge.EmitRecord{Time: time.Now(), Topic: "orders", EventSubtype: "created", Value: []byte(`1`), Ack: true})
			return err
		}},
		{"Log", func() error {
			return p.Log(nilCtx, bridge.LogRecord{Time: time.Now(), Level: "info", Payload: []byte(`"x"`)})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
