package consolesink_test

import (
	"context"
	"os"

	"github.com/otelrelayer/otelrelayer/consolesink"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

func ExampleNew() {
	// In development, give the exporter a console instead of a producer:
	// exporter.New("logging", consolesink.New(os.Stdout)). Every message
	// is printed as it would be written to Kafka.
	console := consolesink.New(os.Stdout)
	ctx := context.Background()
	console.Produce(ctx, kafkasink.Message{
		Topic:   "order_created",
		Key:     []byte("10"),
		Value:   []byte(`{"source":"orders","event_type":"order_created","event_subtype":"web","payload":{"id":10}}`),
		Headers: []kafkasink.Header{{Key: "relayer-event-id", Value: []byte("01a21b90-b940-7b81-9c68-e443e357578c")}},
	}, nil)
	// A 16-byte binary key (a uuid.UUID partition key) and a value that is
	// not JSON.
	console.Produce(ctx, kafkasink.Message{
		Topic: "raw",
		Key:   []byte{0x01, 0xa2, 0x1b, 0x90, 0xb9, 0x40, 0x7b, 0x81, 0x9c, 0x68, 0xe4, 0x43, 0xe3, 0x57, 0x57, 0x8c},
		Value: []byte("plain text"),
	}, nil)
	_ = console.Close(ctx)
	// Output:
	// --- order_created key "10"
	//     relayer-event-id: 01a21b90-b940-7b81-9c68-e443e357578c
	// {
	//   "source": "orders",
	//   "event_type": "order_created",
	//   "event_subtype": "web",
	//   "payload": {
	//     "id": 10
	//   }
	// }
	// --- raw key uuid 01a21b90-b940-7b81-9c68-e443e357578c
	// (not JSON: 10 bytes of text)
	// plain text
}

func ExampleWithCompact() {
	console := consolesink.New(os.Stdout, consolesink.WithCompact(true))
	console.Produce(context.Background(), kafkasink.Message{
		Topic:   "order_created",
		Key:     []byte("10"),
		Value:   []byte(`{"id": 10}`),
		Headers: []kafkasink.Header{{Key: "relayer-event-id", Value: []byte("01a21b90-b940-7b81-9c68-e443e357578c")}},
	}, nil)
	// Output:
	// order_created key "10" [relayer-event-id=01a21b90-b940-7b81-9c68-e443e357578c] {"id":10}
}
