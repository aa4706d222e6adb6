package otelrelayertest_test

import (
	"context"
	"fmt"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// In a test, otelrelayertest.New(t) or Patch(t) wire the Sink to a processor
// and a TracerProvider; the Sink alone records whatever is produced to it.
func ExampleSink() {
	sink := otelrelayertest.NewSink()
	sink.Produce(context.Background(), kafkasink.Message{Topic: "orders", Key: []byte("k"), Value: []byte(`{"id":1}`)}, nil)
	for _, m := range sink.Messages("orders") {
		fmt.Printf("%s %s %s\n", m.Topic, m.Key, m.Value)
	}
	// Output:
	// orders k {"id":1}
}
