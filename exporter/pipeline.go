package exporter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/internal/eventid"
	"github.com/otelrelayer/otelrelayer/internal/jsonenc"
	"github.com/otelrelayer/otelrelayer/internal/topicname"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// Emit implements bridge.Pipeline: it validates, produces the event message
// at once and adds it as a line to the request that owns r.Span. A nil ctx
// means context.Background(), as in bridge.Emit.
func (p *Processor) Emit(ctx context.Context, r bridge.EmitRecord) (bridge.EmitResult, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if p.shut.Load() {
		return bridge.EmitResult{}, bridge.ErrShutdown
	}
	topic := p.cfg.prefix + r.Topic + p.cfg.suffix
	if err := topicname.Validate(topic); err != nil {
		return bridge.EmitResult{}, fmt.Errorf("%w: %w", bridge.ErrInvalidTopic, err)
	}
	payload := p.redact(r.Value)
	w := EventWriterFromContext(ctx) // e.g. the outbox: a row of the caller's transaction
	var source string
	size := len(payload) // the value's length when nothing needs escaping
	if !r.Raw {
		source = p.Source()
		size += len(source) + len(r.Topic) + len(r.EventSubtype) + eventFixedBytes
	}
	var fired *firedEvent
	var value []byte
	if w == nil && !r.Ack { // the common case: the value shares the delivery state's allocation
		fired, value = newFiredEvent(size, p.reuse)
	} else {
		value = make([]byte, 0, size+escapeRoom)
	}
	if r.Raw {
		value = append(value, payload...)
	} else {
		value = appendEvent(value, source, r.Topic, r.EventSubtype, payload, r.Time)
	}
	if len(value) > p.cfg.maxMessageBytes {
		return bridge.EmitResult{}, fmt.Errorf("%w: event for %q is %d bytes, the maximum is %d", bridge.ErrMessageTooLarge, topic, len(value), p.cfg.maxMessageBytes)
	}
	id := eventid.New(r.Time)
	req := p.requestOf(r.Span)
	res := bridge.EmitResult{Topic: topic, EventID: id}
	meta := messageMeta{id: id, ceType: r.Topic, subject: r.EventSubtype, time: r.Time}
	if w != nil {
		blk := new(headerBlock)
		headers, idText, _ := p.headers(ctx, blk, r.Span, meta, false)
		msg := kafkasink.Message{Topic: topic, Key: r.Key, Value: value, Headers: headers}
		return p.writeEvent(ctx, w, req, r, msg, idText, res)
	}
	failed := failedMessage{topic: topic, id: id, req: req}
	if !r.Ack {
		ev := fired
		ev.p, ev.msg, ev.start = p, failed, p.metrics.start()
		if ev.outer != nil {
			ev.owner = ev // its done gives the sink's hold back
		}
		headers, headerID, _ := p.headers(ctx, &ev.headers, r.Span, meta, false)
		idText := ev.id[:copy(ev.id[:], headerID)] // the sink's header bytes are not read after Produce
		msg := kafkasink.Message{Topic: topic, Key: r.Key, Value: value, Headers: headers}
		if err := p.produceForCaller(ctx, msg, &ev.callerDelivery, true); err != nil {
			// Failed before Produce returned (buffer full): the caller is
			// told, nothing was written.
			req.countDroppedEvent()
			ev.giveBack()
			return res, p.callerError("event", topic, err)
		}
		// The line takes the event ID from ev's copy: the header's bytes
		// are the sink's now, which may reuse them once it has answered.
		p.addEventLine(req, r, value, idText, lineWritten)
		ev.giveBack()
		return res, nil
	}
	ev := &ackedEvent{ackDelivery: ackDelivery{p: p, msg: failed, start: p.metrics.start()}}
	headers, headerID, _ := p.headers(ctx, &ev.headers, r.Span, meta, false)
	idText := ev.id[:copy(ev.id[:], headerID)] // the sink's header bytes are not read after Produce
	msg := kafkasink.Message{Topic: topic, Key: r.Key, Value: value, Headers: headers}
	err, waited := p.produceAndWait(ctx, msg, &ev.ackDelivery)
	spooled := err != nil && errors.Is(err, kafkasink.ErrSpooled)
	if !waited || spooled {
		// Handed to the producer without an acknowledgement: it is a line
		// of the request, marked, and a later failure is reported.
		p.addEventLine(req, r, value, idText, lineUnacknowledged)
		if !waited {
			return res, fmt.Errorf("exporter: stopped waiting for the acknowledgement of event %s on %q; it was handed to the producer and may still be delivered (a later failure goes to the error handler), so retrying may duplicate it: %w", id, topic, ctx.Err())
		}
		return res, fmt.Errorf("exporter: producing event to %q: %w", topic, err)
	}
	if err != nil {
		req.countDroppedEvent()
		return res, p.callerError("event", topic, err)
	}
	p.addEventLine(req, r, value, idText, lineWritten)
	return res, nil
}

// callerError is the error of a message that failed before its call
// returned.
func (p *Processor) callerError(what, topic string, err error) error {
	if p.shut.Load() { // shut down while the call ran
		return fmt.Errorf("%w: producing %s to %q: %w", bridge.ErrShutdown, what, topic, err)
	}
	return fmt.Errorf("exporter: producing %s to %q: %w", what, topic, err)
}

// firedEvent and ackedEvent hold an event's delivery state and its headers:
// both live until the sink answers, so one allocation serves them.
type firedEvent struct {
	callerDelivery
	// refs and outer are set when the allocation is pooled (see release):
	// the owners left, and the firedEventSmall, Medium or Large holding it.
	refs    atomic.Int32
	outer   any
	headers headerBlock
	// id is the event ID as text for the request line: a copy of the
	// header's, which the sink owns once produced. (Not handed out as the
	// span event's attribute: a string into ev would keep the event's
	// value, headers and request alive as long as the span.)
	id [eventid.TextLen]byte
}

type ackedEvent struct {
	ackDelivery
	headers headerBlock
	id      [eventid.TextLen]byte // the event ID header's value, for the request line
}

// eventFixedBytes is an event's length beyond its source, type, subtype
// and payload when none of them needs escaping: keys, quotes, braces and a
// timestamp of a year below 10000. escapeRoom is the room left beyond that
// in a value allocated on its own; a value that needs more grows as usual.
const (
	eventFixedBytes = len(`{"source":"","event_type":"","event_subtype":"","payload":,"timestamp":"2006-01-02T15:04:05.000000Z"}`)
	escapeRoom      = 32
)

// An event's value shares its firedEvent's allocation when it fits in one
// of three sizes, chosen so that each struct is one of the allocator's size
// classes (512, 640 and 768 bytes) and a small event does not pay for room
// it does not use. A larger value has an allocation of its own.
const (
	smallEventBytes  = 144
	mediumEventBytes = 272
	largeEventBytes  = 400
)

// firedEventSmall, firedEventMedium and firedEventLarge are a firedEvent with room for its event's value: an event
// without WithAck costs one allocation less. The value is never reused (the
// sink owns it once produced), so nothing here is pooled.
type (
	firedEventSmall struct {
		firedEvent
		value [smallEventBytes]byte
	}
	firedEventMedium struct {
		firedEvent
		value [mediumEventBytes]byte
	}
	firedEventLarge struct {
		firedEvent
		value [largeEventBytes]byte
	}
)

// newFiredEvent returns an event's delivery state and an empty buffer of at
// least size bytes for its value, in one allocation when it fits; with
// pooled, that allocation comes from its size's pool, with two owners (see
// release). A larger value has an allocation of its own, never pooled.
func newFiredEvent(size int, pooled bool) (*firedEvent, []byte) {
	switch {
	case size <= smallEventBytes:
		ev := sized[firedEventSmall](pooled, &smallEvents)
		return ev.owned(pooled, ev), ev.value[:0]
	case size <= mediumEventBytes:
		ev := sized[firedEventMedium](pooled, &mediumEvents)
		return ev.owned(pooled, ev), ev.value[:0]
	case size <= largeEventBytes:
		ev := sized[firedEventLarge](pooled, &largeEvents)
		return ev.owned(pooled, ev), ev.value[:0]
	}
	return new(firedEvent), make([]byte, 0, size+escapeRoom)
}

// Log implements bridge.Pipeline: it adds a line to the request that owns
// r.Span, or writes a one-line request log at once when there is none. A
// nil ctx means context.Background(), as in bridge.Log.
func (p *Processor) Log(ctx context.Context, r bridge.LogRecord) error {
	if ctx == nil {
		ctx = context.Background()
	}
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
	var h requestHead
	if ref, ok := p.endedRequestOfLine(r.Span); ok {
		h = p.lateHead(ref, r.Time)
		add(p.metrics.lateLines, 1)
	} else {
		h = requestHead{source: p.Source(), loggingTopic: p.topicName, start: r.Time, span: r.Span, outside: true}
	}
	msg, _ := p.requestLogMessage(&h, endedRequest{lines: line, ends: []int32{int32(len(line))}}, newValue) // one-line messages are never sampled out
	d := &callerDelivery{p: p, msg: failedMessage{what: "request log", topic: p.loggingTopic}, start: p.metrics.start()}
	if err := p.produceForCaller(ctx, msg, d, false); err != nil {
		return p.callerError("request log", p.loggingTopic, err)
	}
	return nil
}

// eventLineMark is what an event's line says of its message besides the
// event: nothing, "unacknowledged":true or "outbox":true.
type eventLineMark int

const (
	lineWritten        eventLineMark = iota // handed to the producer, or acknowledged
	lineUnacknowledged                      // WithAck, returned without the answer
	lineOutbox                              // written by an EventWriter
)

// addEventLine adds an event handed to the producer (or to an EventWriter)
// to req, the request of r.Span: the event as written, with its event ID
// (idText, as in its header) as one more key, and "unacknowledged":true
// when its caller asked for the broker's acknowledgement and returned
// without it, "outbox":true when an EventWriter took it. EmitRaw messages
// are added untouched, unless unacknowledged. When the request has ended
// meanwhile, or before the call, the line goes into a late message; an
// event outside any request is no line.
func (p *Processor) addEventLine(req *request, r bridge.EmitRecord, value, idText []byte, mark eventLineMark) {
	encode := func(dst []byte) []byte { return appendEventLine(dst, r.Raw, value, idText, mark) }
	if req != nil && req.add(p.cfg.maxLines, p.cfg.maxMessageBytes, encode) {
		return
	}
	if ref, ok := p.endedRequestOfLine(r.Span); ok {
		line := encode(nil)
		if len(line) > p.cfg.maxMessageBytes-minMessageBytes/2 {
			add(p.metrics.droppedLines, 1) // as a request would drop it
			return
		}
		add(p.metrics.lateLines, 1)
		h := p.lateHead(ref, r.Time)
		p.writeRequestLog(&h, endedRequest{lines: line, ends: []int32{int32(len(line))}})
	}
}

// appendEventLine appends the line of an event: see addEventLine.
func appendEventLine(dst []byte, raw bool, value, idText []byte, mark eventLineMark) []byte {
	if raw {
		if mark == lineUnacknowledged {
			return appendRawUnacknowledged(dst, value)
		}
		return append(dst, value...)
	}
	dst = append(dst, value[:len(value)-1]...) // the event without its closing brace
	dst = append(dst, `,"event_id":"`...)
	dst = append(dst, idText...)
	dst = append(dst, '"')
	switch mark {
	case lineUnacknowledged:
		dst = append(dst, `,"unacknowledged":true`...)
	case lineOutbox:
		dst = append(dst, `,"outbox":true`...)
	}
	return append(dst, '}')
}

// appendRawUnacknowledged appends an EmitRaw message marked unacknowledged:
// an object gets the key; any other JSON value is wrapped as
// {"message":value,"unacknowledged":true}.
func appendRawUnacknowledged(dst, value []byte) []byte {
	if len(value) >= 2 && value[0] == '{' {
		body := value[:len(value)-1]
		dst = append(dst, body...)
		if len(bytes.TrimSpace(body[1:])) > 0 {
			dst = append(dst, ',')
		}
		return append(dst, `"unacknowledged":true}`...)
	}
	dst = append(dst, `{"message":`...)
	dst = append(dst, value...)
	return append(dst, `,"unacknowledged":true}`...)
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

// endedRequestOfLine returns the ended request whose span sc is, if the
// processor still remembers it.
func (p *Processor) endedRequestOfLine(sc trace.SpanContext) (endedRef, bool) {
	if !sc.IsValid() {
		return endedRef{}, false
	}
	return p.recent.get(sc.SpanID())
}

// lateHead is the head of a late message: the ended request's service and
// root span, the time of the line, and the late mark.
func (p *Processor) lateHead(ref endedRef, at time.Time) requestHead {
	return requestHead{source: p.Source(), loggingTopic: p.topicName, start: at, service: ref.service, span: ref.root, late: true}
}

func (p *Processor) requestOf(sc trace.SpanContext) *request {
	if !sc.IsValid() {
		return nil
	}
	return p.requests.get(sc.SpanID())
}
