package exporter

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/internal/eventid"
	"github.com/otelrelayer/otelrelayer/internal/jsonenc"
	"github.com/otelrelayer/otelrelayer/internal/topicname"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// Emit implements bridge.Pipeline: it validates, produces the event message
// at once and adds it as a line to the request that owns r.Span.
func (p *Processor) Emit(ctx context.Context, r bridge.EmitRecord) (bridge.EmitResult, error) {
	if p.shut.Load() {
		return bridge.EmitResult{}, bridge.ErrShutdown
	}
	topic := p.cfg.prefix + r.Topic + p.cfg.suffix
	if err := topicname.Validate(topic); err != nil {
		return bridge.EmitResult{}, fmt.Errorf("%w: %w", bridge.ErrInvalidTopic, err)
	}
	payload := p.redact(r.Value)
	var value []byte
	if r.Raw {
		value = append([]byte(nil), payload...)
	} else {
		source := p.Source()
		value = make([]byte, 0, len(payload)+len(source)+len(r.Topic)+len(r.EventSubtype)+128)
		value = appendEvent(value, source, r.Topic, r.EventSubtype, payload, r.Time)
	}
	if len(value) > p.cfg.maxMessageBytes {
		return bridge.EmitResult{}, fmt.Errorf("%w: event for %q is %d bytes, the maximum is %d", bridge.ErrMessageTooLarge, topic, len(value), p.cfg.maxMessageBytes)
	}
	id := eventid.New(r.Time)
	req := p.requestOf(r.Span)
	res := bridge.EmitResult{Topic: topic, EventID: id}
	produceCtx := ctx
	if p.cfg.dropWhenFull {
		produceCtx = doneContext // never wait for buffer space
	}
	ed := &eventDelivery{delivery: delivery{p: p, topic: topic, start: p.metrics.start(),
		event: true, req: req, raw: r.Raw, value: value, id: id, ack: r.Ack}}
	d := &ed.delivery
	if r.Ack {
		d.acked = make(chan error, 1)
	}
	meta := messageMeta{id: id, ceType: r.Topic, subject: r.EventSubtype, time: r.Time}
	headers, idText, _ := p.headers(ctx, &ed.headers, r.Span, meta, false)
	msg := kafkasink.Message{Topic: topic, Key: r.Key, Value: value, Headers: headers}
	if w := EventWriterFromContext(ctx); w != nil { // e.g. the outbox: a row of the caller's transaction
		return p.writeEvent(ctx, w, req, r, msg, idText, res)
	}
	p.sink.Produce(produceCtx, msg, d.done)
	if err, settled := d.returned(); settled && err != nil {
		// Failed before Produce returned (buffer full): the caller is told,
		// nothing was written.
		req.countDroppedEvent()
		if p.shut.Load() { // shut down while the call ran
			return res, fmt.Errorf("%w: producing event to %q: %w", bridge.ErrShutdown, topic, err)
		}
		return res, fmt.Errorf("otelrelayer: producing event to %q: %w", topic, err)
	}
	if !r.Ack {
		if req != nil {
			p.addEventLine(req, r.Raw, value, idText)
		}
		return res, nil
	}
	var err error
	select {
	case err = <-d.acked:
	case <-ctx.Done():
		if d.abandon() { // the answer will go to the error handler
			return res, fmt.Errorf("otelrelayer: waiting for the acknowledgement of event %s on %q (it may still be delivered): %w", id, topic, ctx.Err())
		}
		err = <-d.acked // it arrived meanwhile
	}
	if err != nil {
		if !errors.Is(err, kafkasink.ErrSpooled) { // a spooled event is not lost
			req.countDroppedEvent()
		}
		return res, fmt.Errorf("otelrelayer: producing event to %q: %w", topic, err)
	}
	if req != nil { // only an acknowledged event is a line of the request
		p.addEventLine(req, r.Raw, value, idText)
	}
	return res, nil
}

// eventDelivery holds an event's delivery state and its headers: both live
// until the sink answers, so one allocation serves them.
type eventDelivery struct {
	delivery
	headers headerBlock
}

// Log implements bridge.Pipeline: it adds a line to the request that owns
// r.Span, or writes a one-line request log at once when there is none.
func (p *Processor) Log(ctx context.Context, r bridge.LogRecord) error {
	if p.shut.Load() {
		return bridge.ErrShutdown
	}
	payload := p.redact(r.Payload)
	maxLine := p.cfg.maxMessageBytes - minMessageBytes/2
	// A level escapes to at most 6 bytes a byte: below this bound the line
	// cannot be too large, and it is encoded straight into the request.
	fits := len(payload)+6*len(r.Level)+logLineOverhead <= maxLine
	req := p.requestOf(r.Span)
	if req != nil && fits && req.addLogLine(r.Level, payload, r.Time, p.cfg.maxLines, p.cfg.maxMessageBytes) {
		return nil
	}
	buf := lineBuffers.Get().(*[]byte)
	defer putLineBuffer(buf)
	line := appendLogLine((*buf)[:0], r.Level, payload, r.Time)
	*buf = line
	if len(line) > maxLine {
		return fmt.Errorf("%w: log line is %d bytes, the maximum is %d", bridge.ErrMessageTooLarge, len(line), maxLine)
	}
	if req != nil && !fits && req.addLine(line, p.cfg.maxLines, p.cfg.maxMessageBytes) {
		return nil
	}
	h := requestHead{
		source:       p.Source(),
		loggingTopic: p.topicName,
		start:        r.Time,
		span:         r.Span,
	}
	return p.writeRequestLog(ctx, &h, endedRequest{lines: line, ends: []int32{int32(len(line))}}, true)
}

// addEventLine adds an emitted event to req: the event as written, with its
// event ID (idText, as in its header) as one more key. EmitRaw messages are
// added untouched.
func (p *Processor) addEventLine(req *request, raw bool, value, idText []byte) {
	if raw {
		req.addLine(value, p.cfg.maxLines, p.cfg.maxMessageBytes)
		return
	}
	req.add(p.cfg.maxLines, p.cfg.maxMessageBytes, func(dst []byte) []byte {
		dst = append(dst, value[:len(value)-1]...) // the event without its closing brace
		dst = append(dst, `,"event_id":"`...)
		dst = append(dst, idText...)
		return append(dst, `"}`...)
	})
}

// logLineOverhead is what a log line adds to its level and payload.
const logLineOverhead = len(`{"log_level":"","payload":,"timestamp":""}`) + len(jsonenc.TimeLayout)

var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledLine keeps one huge line from pinning its buffer in the pool.
const maxPooledLine = 64 << 10

func putLineBuffer(b *[]byte) {
	if cap(*b) <= maxPooledLine {
		lineBuffers.Put(b)
	}
}

func (p *Processor) requestOf(sc trace.SpanContext) *request {
	if !sc.IsValid() {
		return nil
	}
	return p.requests.get(sc.SpanID())
}
