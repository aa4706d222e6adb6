// Package deliverytest holds the delivery and fault-injection tests of
// otelrelayer: every test drives the whole pipeline (kafkasink, exporter,
// bridge, an SDK tracer provider) against embedded kfake brokers while
// produce errors, leader moves, cut connections, broker restarts and absent
// brokers are injected, and counts each event from Emit to a consumer by its
// relayer-event-id.
//
// It holds tests only; run them with go test -race ./deliverytest/.
package deliverytest
