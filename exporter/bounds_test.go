package exporter

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
)

// Issue 11, point 14: the service field (a span name, or rpc.service and
// rpc.method) is bounded like the other request fields.
func TestServiceFieldIsBounded(t *testing.T) {
	s, ss := attribute.String, strings.Repeat
	for _, tt := range []struct {
		name  string
		span  string
		attrs []attribute.KeyValue
	}{
		{"span name", ss("n", 100_000), nil},
		{"rpc service and method", "rpc", []attribute.KeyValue{s("rpc.system", "grpc"), s("rpc.service", ss("s", maxFieldBytes)), s("rpc.method", ss("m", maxFieldBytes))}},
		{"qualified rpc.method", "rpc", []attribute.KeyValue{s("rpc.system", "grpc"), s("rpc.method", ss("s", maxFieldBytes)+"/"+ss("m", maxFieldBytes))}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sink := &memorySink{}
			p, err := New("logging", sink, WithoutDefault(), WithoutEnvironment())
			if err != nil {
				t.Fatal(err)
			}
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
			defer tp.Shutdown(t.Context())
			_, span := tp.Tracer("t").Start(t.Context(), tt.span)
			span.SetAttributes(tt.attrs...)
			span.End()
			var l struct{ Service string }
			if len(sink.msgs) != 1 {
				t.Fatalf("%d request logs, want 1", len(sink.msgs))
			}
			if err := json.Unmarshal(sink.msgs[0].Value, &l); err != nil {
				t.Fatal(err)
			}
			if len(l.Service) == 0 || len(l.Service) > maxFieldBytes {
				t.Errorf("service is %d bytes, want 1 to %d", len(l.Service), maxFieldBytes)
			}
		})
	}
}

// Issue 11, point 14: a source longer than a request field may be is
// refused by New.
func TestLongSourceIsRefused(t *testing.T) {
	_, err := New("logging", &memorySink{}, WithoutDefault(), WithSource(strings.Repeat("s", maxFieldBytes+1)))
	if !errors.Is(err, ErrConfiguration) || !strings.Contains(err.Error(), "WithSource") {
		t.Fatalf("New with a %d-byte source: %v, want ErrConfiguration naming WithSource", maxFieldBytes+1, err)
	}
	p, err := New("logging", &memorySink{}, WithoutDefault(), WithSource(strings.Repeat("s", maxFieldBytes)))
	if err != nil {
		t.Fatalf("New with a %d-byte source: %v", maxFieldBytes, err)
	}
	bridge.Unregister(p)
}

// Issue 11, point 14: the line-buffer pool keeps no huge buffer, as bridge's
// does not. Log outside any request encodes its line in a pooled buffer.
func TestLineBufferPoolKeepsNoHugeBuffer(t *testing.T) {
	p, err := New("logging", &memorySink{}, WithoutDefault(), WithoutEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown(t.Context())
	huge := json.RawMessage(`"` + strings.Repeat("x", 200_000) + `"`)
	for range 16 {
		if err := p.Log(t.Context(), bridge.LogRecord{Level: "info", Payload: huge}); err != nil {
			t.Fatal(err)
		}
	}
	for range 64 {
		if b := lineBuffers.Get().(*[]byte); cap(*b) > maxPooledLine {
			t.Fatalf("the pool returned a %d-byte buffer, more than %d", cap(*b), maxPooledLine)
		}
	}
}
