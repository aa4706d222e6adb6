package exporter_test

import (
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
)

// benchAttributes are ten attributes of the kinds handlers record.
var benchAttributes = func() []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 10)
	for i := range 5 {
		attrs = append(attrs, attribute.String(fmt.Sprintf("app.field%d", i), "value-of-the-field"))
	}
	for i := range 5 {
		attrs = append(attrs, attribute.Int(fmt.Sprintf("app.count%d", i), 1000+i))
	}
	return attrs
}()

// BenchmarkRequestAttributes is BenchmarkRequest's request with ten
// attributes against none: on the root span (written by default), or set
// with bridge.SetAttributes.
func BenchmarkRequestAttributes(b *testing.B) {
	cases := []struct {
		name string
		root []attribute.KeyValue
		set  []attribute.KeyValue
	}{
		{"none", nil, nil},
		{"root=10", benchAttributes, nil},
		{"set=10", nil, benchAttributes},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			tracer := benchProvider(b).Tracer("bench")
			ctx := context.Background()
			var opts []trace.SpanStartOption
			if c.root != nil {
				opts = append(opts, trace.WithAttributes(c.root...))
			}
			b.ReportAllocs()
			reportCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rctx, span := tracer.Start(ctx, "request", opts...)
					_ = bridge.Emit(rctx, "entity_created", "root", benchPayload)
					_ = bridge.Log(rctx, "info", "created root")
					if c.set != nil {
						_ = bridge.SetAttributes(rctx, c.set...)
					}
					span.End()
				}
			})
		})
	}
}
