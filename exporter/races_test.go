package exporter

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// memorySink records request logs; internal tests cannot use otelrelayertest.
type memorySink struct {
	mu   sync.Mutex
	msgs []kafkasink.Message
}

func (s *memorySink) Produce(_ context.Context, m kafkasink.Message, done func(error)) {
	s.mu.Lock()
	s.msgs = append(s.msgs, kafkasink.Message{Topic: m.Topic, Value: append([]byte(nil), m.Value...)})
	s.mu.Unlock()
	if done != nil {
		done(nil)
	}
}
func (s *memorySink) Flush(context.Context) error { return nil }
func (s *memorySink) Close(context.Context) error { return nil }

func (s *memorySink) logsBySpan(t *testing.T) map[string]int {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := map[string]int{}
	for _, m := range s.msgs {
		var l RequestLog
		if err := json.Unmarshal(m.Value, &l); err != nil {
			t.Fatal(err)
		}
		n[l.SpanID]++
	}
	return n
}

func internalPipeline(t *testing.T, sink kafkasink.Sink) (*Processor, *sdktrace.TracerProvider) {
	t.Helper()
	p, err := New("logging", sink, WithoutDefault(), WithoutEnvironment(), WithMaxRequestAge(0), WithErrorHandler(func(error) {}))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(p))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return p, tp
}

// A root's end, eviction and Shutdown may run at once: each request log is
// written exactly once.
func TestOneRequestLogWhenEndingRaces(t *testing.T) {
	races := map[string]func(p *Processor){
		"eviction": func(p *Processor) {
			for range 20 {
				p.evictWhere(time.Now(), func(*request) bool { return true })
			}
		},
		"shutdown": func(p *Processor) { _ = p.Shutdown(context.Background()) },
	}
	for name, race := range races {
		t.Run(name, func(t *testing.T) {
			for range 20 {
				sink := &memorySink{}
				p, tp := internalPipeline(t, sink)
				const n = 200
				spans := make([]func(...any), 0, n)
				for range n {
					_, s := tp.Tracer("t").Start(context.Background(), "root")
					spans = append(spans, func(...any) { s.End() })
				}
				var wg sync.WaitGroup
				wg.Go(func() {
					for _, end := range spans {
						end()
					}
				})
				wg.Go(func() { race(p) })
				wg.Wait()
				logs := sink.logsBySpan(t)
				for id, c := range logs {
					if c != 1 {
						t.Fatalf("span %s has %d request logs", id, c)
					}
				}
				if len(logs) != n {
					t.Fatalf("%d request logs for %d requests", len(logs), n)
				}
			}
		})
	}
}

// However many child spans a long request starts and ends, the table keeps
// a bounded number of them.
func TestEndedChildrenAreBounded(t *testing.T) {
	p, tp := internalPipeline(t, &memorySink{})
	tracer := tp.Tracer("t")
	ctx, root := tracer.Start(context.Background(), "job")
	for range 20_000 {
		_, c := tracer.Start(ctx, "query")
		c.End()
	}
	entries := 0
	for i := range p.requests.shards {
		s := &p.requests.shards[i]
		s.mu.RLock()
		entries += len(s.m)
		s.mu.RUnlock()
	}
	if entries > maxKeptChildren+2 {
		t.Fatalf("%d table entries after 20,000 ended children, want at most %d", entries, maxKeptChildren+2)
	}
	root.End()
}

// A span whose local parent's request has ended is no request of its own.
func TestChildOfAnEndedRequestIsNoRequest(t *testing.T) {
	sink := &memorySink{}
	_, tp := internalPipeline(t, sink)
	tracer := tp.Tracer("t")
	ctx, root := tracer.Start(context.Background(), "job")
	root.End()
	for range 10 {
		_, c := tracer.Start(ctx, "late query")
		c.End()
	}
	if n := len(sink.logsBySpan(t)); n != 1 {
		t.Fatalf("%d request logs, want only the job's", n)
	}
}
