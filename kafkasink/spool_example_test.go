package kafkasink_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"os"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

func ExampleWithSpool() {
	dir, err := os.MkdirTemp("", "spool-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Kafka is away: nothing listens at the broker's address.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	away := l.Addr().String()
	l.Close()

	ctx := context.Background()
	p, err := kafkasink.New(kafkasink.WithBrokers(away), kafkasink.WithSpool(dir), kafkasink.WithLogger(nil))
	if err != nil {
		log.Fatal(err)
	}
	// Produce returns once the message is on disk, Kafka or not.
	p.Produce(ctx, kafkasink.Message{Topic: "entity_created", Value: []byte(`{"id":10}`)}, func(err error) {
		if errors.Is(err, kafkasink.ErrSpooled) {
			fmt.Println("kept in the spool for the next start")
		}
	})
	// Close does not wait for a broker that does not answer: the message
	// stays in dir, and the next New on dir produces it first. Close says
	// so with ErrSpooled, counting the records left.
	if err := p.Close(ctx); !errors.Is(err, kafkasink.ErrSpooled) {
		log.Fatal(err)
	}
	fmt.Println("Close: records remain in the spool")

	// A second producer may not share the directory while the first uses it.
	first, _ := kafkasink.New(kafkasink.WithBrokers(away), kafkasink.WithSpool(dir), kafkasink.WithLogger(nil))
	_, err = kafkasink.New(kafkasink.WithBrokers(away), kafkasink.WithSpool(dir))
	fmt.Println(errors.Is(err, kafkasink.ErrSpool))
	_ = first.Close(ctx)
	// Output:
	// kept in the spool for the next start
	// Close: records remain in the spool
	// true
}
