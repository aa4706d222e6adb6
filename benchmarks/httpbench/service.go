package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// variants are the services measured, in the order of the tables.
var variants = []string{"bare", "handrolled", "relayer"}

// recorder is what the handler calls for its event and its log line: the
// library's bridge.Emit and bridge.Log, a hand-rolled equivalent, or
// nothing at all.
type recorder interface {
	emit(ctx context.Context, eventType, eventSubtype, key string, payload any) error
	log(ctx context.Context, level string, payload any) error
}

// service is one variant: its handler, already wrapped in otelhttp, and
// what it has produced.
type service struct {
	handler http.Handler
	// messagesPerRequest is what one request produces to Kafka: an event
	// and a request log, or nothing.
	messagesPerRequest int64
	served             atomic.Int64 // requests whose event and line were accepted
	failed             atomic.Int64 // requests whose handler failed, and failed deliveries
	// flush returns once every message produced so far is on the broker.
	flush func(context.Context) error
	// close flushes and releases the producer and the tracer provider.
	close func(context.Context) error
}

// payload is the event payload of every request, as in relaybench.
var payload = map[string]any{"id": 10, "name": "entity", "tags": []any{"a", "b"}}

// response is the body of every response.
var response = []byte(`{"id":10,"status":"created"}`)

// newTracerProvider is the provider of every variant: it records every span,
// as the README recommends, and differs only in its span processors.
func newTracerProvider(processors ...sdktrace.SpanProcessor) *sdktrace.TracerProvider {
	opts := []sdktrace.TracerProviderOption{sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample()))}
	for _, p := range processors {
		opts = append(opts, sdktrace.WithSpanProcessor(p))
	}
	return sdktrace.NewTracerProvider(opts...)
}

// newService builds a variant producing to brokers.
func newService(variant string, brokers []string) (*service, error) {
	switch variant {
	case "bare":
		return newBare(), nil
	case "handrolled":
		return newHandrolled(brokers)
	case "relayer":
		return newRelayer(brokers)
	}
	return nil, fmt.Errorf("unknown variant %q (%v)", variant, variants)
}

func newBare() *service {
	tp := newTracerProvider()
	s := &service{flush: func(context.Context) error { return nil }, close: tp.Shutdown}
	s.handler = otelhttp.NewHandler(s.handle(nopRecorder{}), "api", otelhttp.WithTracerProvider(tp))
	return s
}

type nopRecorder struct{}

func (nopRecorder) emit(context.Context, string, string, string, any) error { return nil }
func (nopRecorder) log(context.Context, string, any) error                  { return nil }

var errFailed = errors.New("requests or deliveries failed")

// checkFailures returns an error when a request or a delivery failed.
func (s *service) checkFailures() error {
	if n := s.failed.Load(); n > 0 {
		return fmt.Errorf("%w: %d", errFailed, n)
	}
	return nil
}

// handle is the same work in every variant: one event keyed by a string,
// one log line, a small JSON response.
func (s *service) handle(rec recorder) http.Handler {
	var seq atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		key := "root-" + strconv.FormatInt(seq.Add(1), 10)
		if err := rec.emit(ctx, "entity_created", "root", key, payload); err != nil {
			s.failed.Add(1)
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		if err := rec.log(ctx, "info", "created root"); err != nil {
			s.failed.Add(1)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		s.served.Add(1)
		h := w.Header()
		h["Content-Type"] = contentTypeJSON
		h["Content-Length"] = responseLength
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(response)
	})
}

var (
	contentTypeJSON = []string{"application/json"}
	responseLength  = []string{strconv.Itoa(len(response))}
)

// isVariant reports whether name is a variant.
func isVariant(name string) bool { return slices.Contains(variants, name) }
