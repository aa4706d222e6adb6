package kafkasink_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// A caller that must never block (a span processor's OnEnd, a signal
// handler) says so with NoWait; a message it cannot afford to lose behind a
// flood of others takes the reserve. Sinks that take no options (a test
// recorder) get a plain Produce.
func ExampleOptionsSink() {
	// No broker listens there: the message stays in the buffer until Close.
	p, err := kafkasink.New(kafkasink.WithBrokers("127.0.0.1:1"), kafkasink.WithoutEnvironment(), kafkasink.WithLogger(nil))
	if err != nil {
		log.Fatal(err)
	}
	var sink kafkasink.Sink = p
	m := kafkasink.Message{Topic: "logging", Value: []byte(`{"status":200}`)}
	done := func(err error) {
		if errors.Is(err, kafkasink.ErrBufferFull) {
			fmt.Println("refused at once: the buffer is full")
		}
	}
	if s, ok := sink.(kafkasink.OptionsSink); ok {
		s.ProduceWith(context.Background(), m, kafkasink.ProduceOptions{NoWait: true, Reserve: true}, done)
	} else {
		sink.Produce(context.Background(), m, done)
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	err = p.Close(canceled)
	fmt.Println(errors.Is(err, kafkasink.ErrUndelivered))
	// Output: true
}
