package main

import (
	"testing"

	"github.com/google/pprof/profile"
)

func TestSamplesGoToTheFirstPartOnTheirStack(t *testing.T) {
	for _, c := range []struct {
		name  string
		stack []string // leaf first, as in profiles
		want  string
	}{
		{"an event under the library", []string{"runtime.mallocgc", "github.com/otelrelayer/otelrelayer/bridge.Emit", "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp.(*middleware).serveHTTP", "net/http.(*conn).serve"}, "emit (bridge.Emit / hand-rolled emit)"},
		{"EmitRaw is not Emit", []string{"github.com/otelrelayer/otelrelayer/bridge.EmitRaw", "net/http.(*conn).serve"}, "net/http server"},
		{"the hand-rolled middleware's closure, inlined", []string{"encoding/json.Marshal", "main.newHandrolled.(*handrolled).middleware.func6", "net/http.(*conn).serve"}, "request log (Processor.OnEnd / hand-rolled middleware)"},
		{"the hand-rolled log inside the middleware", []string{"main.(*handrolled).log", "main.newHandrolled.(*handrolled).middleware.func6"}, "log (bridge.Log / hand-rolled log)"},
		{"a request log written at the span's end", []string{"github.com/otelrelayer/otelrelayer/exporter.(*Processor).OnEnd", "go.opentelemetry.io/otel/sdk/trace.(*recordingSpan).End"}, "request log (Processor.OnEnd / hand-rolled middleware)"},
		{"the response, under the hand-rolled middleware", []string{"net/http.(*response).WriteHeader", "main.newHandrolled.(*service).handle.func5", "main.newHandrolled.(*handrolled).middleware.func6"}, "the handler's response (the same code everywhere)"},
		{"the response, under bridge.HTTPHandler", []string{"main.newRelayer.(*service).handle.func7", "github.com/otelrelayer/otelrelayer/bridge.(*httpHandler).ServeHTTP"}, "the handler's response (the same code everywhere)"},
		{"the producer's goroutine", []string{"github.com/twmb/franz-go/pkg/kgo.(*sink).produce"}, "producer goroutines (franz-go, kafkasink, exporter)"},
		{"the scheduler", []string{"runtime.schedule", "runtime.mcall"}, otherPart},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &profile.Sample{}
			for _, fn := range c.stack {
				s.Location = append(s.Location, &profile.Location{Line: []profile.Line{{Function: &profile.Function{Name: fn}}}})
			}
			got := otherPart
			if i := partOf(s); i < len(parts) {
				got = parts[i].name
			}
			if got != c.want {
				t.Errorf("part %q, want %q", got, c.want)
			}
		})
	}
}
