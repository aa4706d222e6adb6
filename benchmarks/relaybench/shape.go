package main

import (
	"context"
	"fmt"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
)

// shape is what each request does: one event, lines log lines; realistic
// requests are HTTP server roots with the fields a web framework records
// and varied structured payloads; every errorEvery-th request (0: none)
// logs its last line at level error.
type shape struct {
	lines      int
	realistic  bool
	errorEvery int
}

// request is one request through otelrelayer; seq numbers it.
func (s shape) request(ctx context.Context, tracer trace.Tracer, seq int64) error {
	if !s.realistic && s.errorEvery == 0 {
		return request(ctx, tracer, s.lines)
	}
	level := func(i int) string {
		if s.errorEvery > 0 && seq%int64(s.errorEvery) == 0 && i == s.lines-1 {
			return "error"
		}
		return "info"
	}
	if !s.realistic {
		ctx, span := tracer.Start(ctx, "request")
		defer span.End()
		if err := bridge.Emit(ctx, "entity_created", "root", payload); err != nil {
			return err
		}
		for i := range s.lines {
			if err := bridge.Log(ctx, level(i), "created root"); err != nil {
				return err
			}
		}
		return nil
	}
	id := strconv.FormatInt(seq, 10)
	ctx, span := tracer.Start(ctx, "POST /orders", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
		attribute.String("http.request.method", "POST"), attribute.String("url.path", "/orders/"+id),
		attribute.String("url.query", "source=web&campaign=winter"), attribute.String("http.route", "/orders/{id}"),
		attribute.String("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"),
		attribute.String("client.address", "10.12."+strconv.FormatInt(seq%256, 10)+".7"),
		attribute.String("http.request.header.x-request-id", "req-"+id)))
	defer span.End()
	if err := bridge.Emit(ctx, "entity_created", "order", map[string]any{
		"order_id": seq, "customer_id": 1000 + seq%977, "currency": "EUR", "total": float64(seq%5000) / 100,
		"items": []any{map[string]any{"sku": "SKU-" + strconv.FormatInt(seq%131, 10), "qty": 1 + seq%3}},
	}); err != nil {
		return err
	}
	for i := range s.lines {
		if err := bridge.Log(ctx, level(i), map[string]any{
			"msg": fmt.Sprintf("step %d done", i), "order_id": seq, "elapsed_ms": float64((seq*7+int64(i)*13)%900) / 10,
		}); err != nil {
			return err
		}
	}
	span.SetAttributes(attribute.Int("http.response.status_code", 201), attribute.Int("http.response.body.size", 64+int(seq%40)))
	return nil
}
