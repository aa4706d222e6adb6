package exporter_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// The errors of a span that ends while Shutdown runs, after its request's
// log was written, reach no message: Shutdown's error counts them, rather
// than losing them without a word.
func TestErrorsOfASpanEndingDuringShutdownAreCountedInItsError(t *testing.T) {
	for _, tc := range []struct {
		name       string
		endRoot    bool // before Shutdown; else Shutdown writes the open request
		wantCount  string
		childError bool
	}{
		{"request ended before Shutdown", true, "1 error lines", true},
		{"request written by Shutdown", false, "1 error lines", true},
		{"no error", true, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &closeGateSink{entered: make(chan struct{}), release: make(chan struct{})}
			p, err := exporter.New("logging", sink, exporter.WithoutDefault(),
				exporter.WithErrorHandler(func(err error) { t.Errorf("error handler: %v", err) }))
			if err != nil {
				t.Fatal(err)
			}
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
			ctx, root := tp.Tracer("t").Start(t.Context(), "checkout")
			_, child := tp.Tracer("t").Start(ctx, "charge")
			if tc.endRoot {
				root.End()
			}
			shutErr := make(chan error, 1)
			go func() { shutErr <- p.Shutdown(context.Background()) }() // the processor's own: the provider still ends spans
			<-sink.entered
			if tc.childError {
				child.RecordError(errors.New("boom"))
				child.SetStatus(codes.Error, "card refused")
			}
			child.End()
			close(sink.release)
			err = <-shutErr
			if tc.wantCount == "" {
				if err != nil {
					t.Fatalf("Shutdown: %v", err)
				}
				return
			}
			if !errors.Is(err, bridge.ErrShutdown) || !strings.Contains(err.Error(), tc.wantCount) {
				t.Fatalf("Shutdown: %v, want %s counted, wrapping bridge.ErrShutdown", err, tc.wantCount)
			}
			if n := sink.produced(); n != 1 {
				t.Errorf("%d messages produced, want the request log alone", n)
			}
		})
	}
}

// closeGateSink records what is produced; Close says it was entered and
// waits for release.
type closeGateSink struct {
	entered, release chan struct{}
	holdingSink
}

func (s *closeGateSink) Produce(ctx context.Context, m kafkasink.Message, done func(error)) {
	s.holdingSink.Produce(ctx, m, nil)
	done(nil)
}

func (s *closeGateSink) Close(context.Context) error {
	close(s.entered)
	<-s.release
	return nil
}

func (s *closeGateSink) produced() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}
