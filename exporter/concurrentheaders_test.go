package exporter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/wire"
)

// Many requests at once, their messages kept as the sink got them (not
// copied) and read only at the end: every header, key and value is still the
// one of its own request, whatever buffers the processor reuses.
func TestConcurrentMessagesKeepTheirHeaders(t *testing.T) {
	for name, opts := range map[string][]exporter.Option{
		"default":     nil,
		"propagator":  {exporter.WithPropagator(propagation.TraceContext{})},
		"cloudevents": {exporter.WithCloudEvents()},
	} {
		t.Run(name, func(t *testing.T) {
			sink := &answeringSink{}
			tp := newTracerProvider(t, sink, opts...)
			const requests, events = 40, 3
			var mu sync.Mutex
			emitter := map[[2]int]trace.SpanContext{} // request, event → the span that emitted it
			var wg sync.WaitGroup
			for i := range requests {
				wg.Go(func() {
					ctx, root := tp.Tracer("t").Start(context.Background(), fmt.Sprintf("req-%d", i))
					cctx, child := tp.Tracer("t").Start(ctx, "child")
					for j := range events {
						mu.Lock()
						emitter[[2]int{i, j}] = child.SpanContext()
						mu.Unlock()
						if err := bridge.Emit(cctx, "job_done", fmt.Sprint(i), map[string]int{"req": i, "n": j}); err != nil {
							t.Error(err)
							return
						}
						_ = bridge.Log(ctx, "info", map[string]int{"req": i, "n": j})
					}
					child.End()
					root.End()
				})
			}
			wg.Wait()
			sink.mu.Lock()
			defer sink.mu.Unlock()
			var nEvents, nLogs int
			eventIDs := map[string][2]int{} // event ID header → request, event
			// Events first: request logs are checked against them.
			slices.SortStableFunc(sink.msgs, func(a, b kafkasink.Message) int { return strings.Compare(a.Topic, b.Topic) })
			for _, m := range sink.msgs {
				hs := map[string]string{}
				for _, h := range m.Headers {
					if _, dup := hs[h.Key]; dup {
						t.Errorf("header %s twice", h.Key)
					}
					hs[h.Key] = string(h.Value)
				}
				id := hs[wire.EventIDHeader]
				if name == "cloudevents" && hs["ce_id"] != id {
					t.Errorf("ce_id %q, event ID %q", hs["ce_id"], id)
				}
				switch m.Topic {
				case "job_done":
					nEvents++
					var e wire.Event
					if err := json.Unmarshal(m.Value, &e); err != nil {
						t.Fatalf("event %s: %v", m.Value, err)
					}
					var p struct{ Req, N int }
					if err := json.Unmarshal(e.Payload, &p); err != nil || fmt.Sprint(p.Req) != e.EventSubtype {
						t.Fatalf("event %s holds %s", id, m.Value)
					}
					if want := traceparent(emitter[[2]int{p.Req, p.N}]); hs["traceparent"] != want {
						t.Errorf("event %s: traceparent %q, want %q", m.Value, hs["traceparent"], want)
					}
					if _, dup := eventIDs[id]; dup || len(id) != 36 {
						t.Errorf("event %s: event ID %q", m.Value, id)
					}
					eventIDs[id] = [2]int{p.Req, p.N}
				default:
					nLogs++
					var l wire.RequestLog
					if err := json.Unmarshal(m.Value, &l); err != nil {
						t.Fatalf("request log %s: %v", m.Value, err)
					}
					if string(m.Key) != l.TraceID || hs["traceparent"] != "00-"+l.TraceID+"-"+l.SpanID+"-01" {
						t.Errorf("request log of %s %s: key %q, traceparent %q", l.TraceID, l.SpanID, m.Key, hs["traceparent"])
					}
					if len(l.Lines) != 2*events {
						t.Fatalf("request log with %d lines: %s", len(l.Lines), m.Value)
					}
					for _, line := range l.Lines {
						var p struct{ Req, N int }
						_ = json.Unmarshal(line.Payload, &p)
						if fmt.Sprintf("req-%d", p.Req) != l.Service {
							t.Errorf("%s holds a line of req-%d", l.Service, p.Req)
						}
						if line.IsEvent() && eventIDs[line.EventID] != [2]int{p.Req, p.N} {
							t.Errorf("%s: line %s has the event ID of event %v", l.Service, line.Raw, eventIDs[line.EventID])
						}
					}
				}
			}
			if nEvents != requests*events || nLogs != requests {
				t.Fatalf("%d events and %d request logs, want %d and %d", nEvents, nLogs, requests*events, requests)
			}
		})
	}
}

// answeringSink keeps every message as given, without copying, and answers
// at once.
type answeringSink struct {
	mu   sync.Mutex
	msgs []kafkasink.Message
}

func (s *answeringSink) Produce(_ context.Context, m kafkasink.Message, done func(error)) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	done(nil)
}

func (s *answeringSink) Flush(context.Context) error { return nil }
func (s *answeringSink) Close(context.Context) error { return nil }

func traceparent(sc trace.SpanContext) string {
	return fmt.Sprintf("00-%s-%s-%s", sc.TraceID(), sc.SpanID(), sc.TraceFlags())
}
