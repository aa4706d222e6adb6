package exporter

import (
	"context"
	"errors"
	"fmt"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// An EventWriter takes the event messages of Emit and EmitRaw in place of
// the sink, for the calls whose context carries it ([ContextWithEventWriter]).
// The transactional outbox (package github.com/otelrelayer/otelrelayer/outbox)
// is the implementation: it writes each message as a row of the caller's
// database transaction, and its relay produces the committed rows later.
//
// WriteEvent receives the message exactly as it would have been produced:
// full topic, key, JSON value and headers (traceparent, tracestate,
// relayer-event-id, CloudEvents headers when enabled). The message and the
// slices it holds are only valid during the call: implementations copy what
// they keep. WriteEvent is called synchronously on the caller's goroutine;
// its error is returned by Emit, wrapped, and nothing is produced instead.
// WithAck and WithDropWhenFull do not apply: there is no broker to wait for.
type EventWriter interface {
	WriteEvent(ctx context.Context, m kafkasink.Message) error
}

type eventWriterKey struct{}

// ContextWithEventWriter returns a copy of ctx whose Emit and EmitRaw calls
// go to w instead of the sink; a nil w returns ctx unchanged. Log calls are
// not affected. Users call outbox.WithTx, which uses this. A nil ctx means
// context.Background().
func ContextWithEventWriter(ctx context.Context, w EventWriter) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	if w == nil {
		return ctx
	}
	return context.WithValue(ctx, eventWriterKey{}, w)
}

// EventWriterFromContext returns the EventWriter ctx carries, or nil (also
// for a nil ctx).
func EventWriterFromContext(ctx context.Context) EventWriter {
	if ctx == nil {
		return nil
	}
	w, _ := ctx.Value(eventWriterKey{}).(EventWriter)
	return w
}

// ErrEventWriter wraps the error of an [EventWriter]: Emit returns it when
// the event could not be written (for the outbox: the insert into the
// outbox table failed, and the caller's transaction should be rolled back).
var ErrEventWriter = errors.New("exporter: writing the event")

// writeEvent hands msg to w. On success the event becomes a line of req
// marked "outbox":true: written, not yet published (its publication
// depends on the writer, e.g. on the commit of the transaction). As for a
// produced event, a request that has ended gets it in a late message.
func (p *Processor) writeEvent(ctx context.Context, w EventWriter, req *request, r bridge.EmitRecord, msg kafkasink.Message, idText []byte, res bridge.EmitResult) (bridge.EmitResult, error) {
	if err := w.WriteEvent(ctx, msg); err != nil {
		return res, fmt.Errorf("%w %s for %q: %w", ErrEventWriter, res.EventID, msg.Topic, err)
	}
	p.addEventLine(req, r, msg.Value, idText, lineOutbox)
	return res, nil
}
