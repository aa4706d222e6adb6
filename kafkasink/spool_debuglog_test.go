package kafkasink_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/otelrelayer/otelrelayer/internal/selflog"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// ctxHandler records whether each record was logged with the library's own
// marked context (see internal/selflog).
type ctxHandler struct {
	mu      sync.Mutex
	records int
	foreign int // records logged with a context that is not marked
}

func (h *ctxHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *ctxHandler) Handle(ctx context.Context, _ slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records++
	if !selflog.Is(ctx) {
		h.foreign++
	}
	return nil
}
func (h *ctxHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *ctxHandler) WithGroup(string) slog.Handler      { return h }

// TestDebugLogNeverUsesTheCallersContext produces, with and without a
// spool, with a Debug logger: the per-message Debug line is logged with the
// library's marked context, never the caller's (whose span would let a
// bridge handler turn the line into a request line or a message, issue 11
// point 1).
func TestDebugLogNeverUsesTheCallersContext(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []kafkasink.Option
	}{
		{"memory", nil},
		{"spool", []kafkasink.Option{kafkasink.WithSpool(t.TempDir())}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := &ctxHandler{}
			p := newUnreachableProducer(t, append(tt.opts, kafkasink.WithLogger(slog.New(h)))...)
			p.Produce(t.Context(), kafkasink.Message{Topic: "selflog", Value: []byte("v")}, nil)
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.records == 0 || h.foreign != 0 {
				t.Fatalf("%d records logged, %d with the caller's context; want at least one, none with it", h.records, h.foreign)
			}
		})
	}
}

// TestSpoolLogsWithTheMarkedContext reopens a spool that holds records and
// closes it again: the spool's own Info lines are logged with the library's
// marked context too, so that a bridge handler does not write each as a
// message (issue 11 point 1).
func TestSpoolLogsWithTheMarkedContext(t *testing.T) {
	dir := t.TempDir()
	h := &ctxHandler{}
	for range 2 {
		p, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithSpool(dir), kafkasink.WithLogger(slog.New(h)))
		if err != nil {
			t.Fatal(err)
		}
		p.Produce(canceledContext(t), kafkasink.Message{Topic: "selflog", Value: []byte("v")}, nil)
		if err := p.Close(context.Background()); !errors.Is(err, kafkasink.ErrSpooled) {
			t.Fatalf("Close = %v, want ErrSpooled (the broker is away)", err)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.records < 4 || h.foreign != 0 {
		t.Fatalf("%d records logged, %d without the marked context; want at least 4 (two Debug, two Info), none without it", h.records, h.foreign)
	}
}
