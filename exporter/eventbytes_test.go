package exporter_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// laterSink keeps each message, snapshots its bytes, and answers from
// another goroutine after a while, as franz-go does; the bytes it reads
// then must still be those it was given.
type laterSink struct {
	wg      sync.WaitGroup
	mu      sync.Mutex
	changed []string
}

func (s *laterSink) Produce(_ context.Context, m kafkasink.Message, done func(error)) {
	snap := snapshot(m)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		time.Sleep(time.Millisecond)
		if got := snapshot(m); got != snap {
			s.mu.Lock()
			s.changed = append(s.changed, snap+" -> "+got)
			s.mu.Unlock()
		}
		done(nil)
	}()
}
func (*laterSink) Flush(context.Context) error { return nil }
func (*laterSink) Close(context.Context) error { return nil }

func snapshot(m kafkasink.Message) string {
	var b bytes.Buffer
	b.Write(m.Key)
	b.WriteByte('|')
	b.Write(m.Value)
	for _, h := range m.Headers {
		b.WriteString("|" + h.Key + "=")
		b.Write(h.Value)
	}
	return b.String()
}

// An event's value and headers stay as given to the sink until it answers,
// while other events are emitted on other goroutines: values at the edges
// of the shared allocation's sizes (0, 144, 272, 400 bytes and one more),
// large ones, and headers beyond the header block (CloudEvents, a long
// tracestate).
func TestEventBytesStayUntilTheSinkAnswers(t *testing.T) {
	sizes := []int{0, 1, 60, 144, 145, 272, 273, 400, 401, 4096}
	for _, opts := range [][]exporter.Option{nil, {exporter.WithCloudEvents()}} {
		sink := &laterSink{}
		p, err := exporter.New("logging", sink, append(opts, exporter.WithoutDefault())...)
		if err != nil {
			t.Fatal(err)
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ts, _ := trace.ParseTraceState("k=" + strings.Repeat("v", 200))
				for i := range 200 {
					ctx, span := tp.Tracer("t").Start(t.Context(), "request")
					sc := span.SpanContext().WithTraceState(ts)
					n := sizes[(i+g)%len(sizes)]
					r := bridge.EmitRecord{Span: sc, Time: time.Now(), Topic: "entity_created", EventSubtype: "order",
						Value: []byte(`"` + strings.Repeat("x", max(n-2, 0)) + `"`), Key: []byte("k")}
					if i%2 == 0 { // raw: the value is n bytes exactly, at each size's edge
						r.Raw, r.Value = true, r.Value[:n]
						if n == 0 {
							r.Value = nil
						}
					}
					if _, err := p.Emit(ctx, r); err != nil {
						t.Error(err)
					}
					span.End()
				}
			}()
		}
		wg.Wait()
		sink.wg.Wait()
		_ = tp.Shutdown(context.Background())
		if len(sink.changed) > 0 {
			t.Fatalf("%d messages changed after Produce, first: %s", len(sink.changed), sink.changed[0])
		}
	}
}
