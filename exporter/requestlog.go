package exporter

import (
	"context"
	"log/slog"
	"time"

	"github.com/otelrelayer/otelrelayer/internal/eventid"
	"github.com/otelrelayer/otelrelayer/internal/selflog"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/wire"
)

// Writing a request log: its message (head, lines, tail, headers), and its
// hand-off to the sink on nobody's behalf.

// doneContext makes a sink fail at once instead of waiting for buffer space.
var doneContext = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// produceReserved produces a request log, written on nobody's behalf (a
// root's end, eviction, Shutdown, a late line): it never waits for room, and
// it may use the share of the producer's buffer that events never take, so
// that a full buffer of events cannot refuse it. A Log outside any request is
// its caller's, like an event: it gets no reserve. A sink without
// kafkasink.OptionsSink gets the Sink contract's "do not wait" (a done
// context) and has no reserve.
func (p *Processor) produceReserved(msg kafkasink.Message, done func(error)) {
	if s, ok := p.sink.(kafkasink.OptionsSink); ok {
		s.ProduceWith(context.Background(), msg, kafkasink.ProduceOptions{NoWait: true, Reserve: true}, done)
		return
	}
	p.sink.Produce(doneContext, msg, done)
}

// writeRequestLog produces a request log on nobody's behalf (a root's end,
// eviction, Shutdown): every failure is reported, and it may use the
// producer's reserve.
func (p *Processor) writeRequestLog(h *requestHead, e endedRequest) {
	var value *[]byte // from the pools, when the sink releases messages
	msg, ok := p.requestLogMessage(h, e, func(n int) []byte {
		if p.reuse {
			if value = getValue(n); value != nil {
				return *value
			}
		}
		return newValue(n)
	})
	if !ok {
		return // sampled out, and counted
	}
	start := p.metrics.start()
	if value != nil {
		d := logDeliveries.Get().(*pooledLogDelivery)
		d.p, d.start, d.value = p, start, value
		p.produceReserved(msg, d.done)
		return
	}
	done := p.logDone // no per-message state unless durations are measured
	if !start.IsZero() {
		done = (&logDelivery{p: p, start: start}).done
	}
	p.produceReserved(msg, done)
}

// requestLogMessage encodes a request log, cutting lines from the end when
// the whole would exceed the maximum message size. It reports false when
// request-log sampling leaves the log out (counted there).
func (p *Processor) requestLogMessage(h *requestHead, e endedRequest, alloc func(n int) []byte) (kafkasink.Message, bool) {
	lines, ends, dropped := e.lines, e.ends, e.droppedLines
	// Head and tail are encoded on the stack first, so that the value is
	// allocated at its exact size.
	var headBuf [512]byte
	// The head takes at most half the message: its fields are shortened
	// before the lines are cut. A one-line message (late, outside any
	// request) holds a line its call accepted: the head makes room for it.
	budget := p.cfg.maxMessageBytes / 2
	if h.late || h.outside {
		budget = min(budget, p.cfg.maxMessageBytes-maxTailBytes-len(lines))
	}
	head := fitHead(headBuf[:0], h, budget)
	room := p.cfg.maxMessageBytes - len(head) - maxTailBytes
	n := len(ends)
	for n > 0 && int(ends[n-1]) > room {
		n--
	}
	if n < len(ends) {
		dropped += len(ends) - n
		if n == 0 {
			lines = nil
		} else {
			lines = lines[:ends[n-1]]
		}
	}
	var sampleRate []byte // nil: sampling is off
	switch {
	case p.sampler == nil:
	case h.outside || h.late: // a one-line message is always kept
		sampleRate = alwaysRate
	default:
		if sampleRate = p.sampler.decide(h, lines, ends[:n], dropped, e.droppedEvents, e.evicted); sampleRate == nil {
			return kafkasink.Message{}, false // sampled out, and counted
		}
	}
	var tailBuf [maxTailBytes]byte
	tail := appendRequestTail(tailBuf[:0], dropped, e.droppedEvents, e.evicted, sampleRate)
	value := alloc(len(head) + len(lines) + len(tail))
	value = append(append(append(value, head...), lines...), tail...)

	now := time.Now()
	blk := e.headers
	if blk == nil {
		blk = new(headerBlock)
	}
	headers, _, key := p.headers(context.Background(), blk, h.span, messageMeta{id: eventid.New(now), ceType: wire.RequestLogType, time: h.start}, true)
	add(p.metrics.requestLogs, 1)
	if dropped > 0 {
		add(p.metrics.droppedLines, int64(dropped))
	}
	if l := p.cfg.logger; l != nil && l.Enabled(selflog.Context(), slog.LevelDebug) {
		l.LogAttrs(selflog.Context(), slog.LevelDebug, "otelrelayer: request log",
			slog.String("topic", p.loggingTopic), slog.String("trace_id", string(key)),
			slog.Int("lines", n), slog.Int("dropped_lines", dropped))
	}
	return kafkasink.Message{Topic: p.loggingTopic, Key: key, Value: value, Headers: headers}, true
}

// maxTailBytes is the most appendRequestTail writes.
const maxTailBytes = len(`],"dropped_lines":-9223372036854775808,"dropped_events":-9223372036854775808,"evicted":true,"sample_rate":2.2250738585072014e-308}`)
