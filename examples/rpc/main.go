// Command rpc shows bridge.RPC, the Go form of the Python library's RPC
// decorator: every call of the wrapped function gets a request log with
// "service" and "service_time" holding the events and lines of that call.
// It calls it a few times, one call failing, then prints the event topic
// and the logging topic.
//
//	go run ./rpc            # embedded broker, no setup
//	KAFKA_BROKERS=host:9092 go run ./rpc
//	go run ./rpc -spool DIR  # messages kept in a write-ahead log in DIR until Kafka has them
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
)

func main() {
	demo.Main("rpc", callAll, "order_created", "logging")
}

type order struct {
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
}

type receipt struct {
	ID   int64  `json:"id"`
	Item string `json:"item"`
}

// orders are the requests the program sends; the last one is refused.
var orders = []order{{"book", 2}, {"pen", 10}, {"ink", 0}}

// errQuantity is what create_order returns for an order of nothing.
var errQuantity = errors.New("quantity must be positive")

// newCreateOrder returns the RPC handler. It is built after the pipeline is
// installed: bridge.RPC takes the global tracer provider when it is called.
func newCreateOrder() func(context.Context, order) (receipt, error) {
	var lastID int64
	return bridge.RPC("RPCHandler.create_order", func(ctx context.Context, o order) (receipt, error) {
		if o.Quantity <= 0 {
			_ = bridge.Log(ctx, "warning", map[string]any{"msg": "order refused", "item": o.Item})
			// The returned error marks the span and becomes an error line.
			return receipt{}, fmt.Errorf("%w: %d %s", errQuantity, o.Quantity, o.Item)
		}
		lastID++
		r := receipt{ID: lastID, Item: o.Item}
		if err := bridge.Emit(ctx, "order_created", "rpc", r, bridge.WithPartitionKey(o.Item)); err != nil {
			return receipt{}, err
		}
		_ = bridge.Log(ctx, "info", map[string]any{"msg": "order stored", "id": r.ID})
		return r, nil
	})
}

// callAll installs the pipeline, calls create_order with every order, and
// shuts the tracer provider down: when it returns, everything is in Kafka.
func callAll(ctx context.Context, brokers []string) error {
	tp, _, err := demo.Install(brokers, "rpc")
	if err != nil {
		return err
	}
	createOrder := newCreateOrder()
	for _, o := range orders {
		r, err := createOrder(ctx, o)
		if err != nil {
			fmt.Printf("create_order(%+v) -> error: %v\n", o, err)
			continue
		}
		fmt.Printf("create_order(%+v) -> %+v\n", o, r)
	}
	shutdownCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// Shutdown writes the pending request logs and flushes the producer.
	return tp.Shutdown(shutdownCtx)
}
