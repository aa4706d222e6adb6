package exporter

import (
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// endedRef is what the processor remembers of an ended request, so that a
// line or an error arriving after the end goes into a message marked late
// that names the request's service and carries its root's span ID.
type endedRef struct {
	root    trace.SpanContext
	service string
}

// remember records the spans of an ended request.
func (p *Processor) remember(children []trace.SpanID, ref endedRef) {
	p.recent.put(ref.root.SpanID(), ref)
	for _, c := range children {
		p.recent.put(c, ref)
	}
}

// endedRequestOf returns the ended request s belonged to (its own span ID
// is remembered), or whose span is s's local parent, and whether there is
// one.
func (p *Processor) endedRequestOf(s sdktrace.ReadOnlySpan) (endedRef, bool) {
	if ref, ok := p.recent.get(s.SpanContext().SpanID()); ok {
		return ref, true
	}
	if parent := s.Parent(); parent.IsValid() && !parent.IsRemote() {
		return p.recent.get(parent.SpanID())
	}
	return endedRef{}, false
}

// writeLateErrors writes the errors of s, a span that ended after its
// request, as one request log marked late: they reach a message as a late
// Log does, counted in the late lines metric.
func (p *Processor) writeLateErrors(ref endedRef, s sdktrace.ReadOnlySpan) {
	var late endedRequest
	appendErrorLines(nil, s, late.appendLine)
	p.writeLate(ref, s, late)
}

// writeLate writes the error lines of s in late as one request log marked
// late, counted in the late lines metric. Once Shutdown has begun nothing
// more is produced: the lines are counted in Shutdown's error instead.
func (p *Processor) writeLate(ref endedRef, s sdktrace.ReadOnlySpan, late endedRequest) {
	if len(late.ends) == 0 {
		return
	}
	if p.shut.Load() {
		p.undelivered.skip(len(late.ends))
		return
	}
	add(p.metrics.lateLines, int64(len(late.ends)))
	h := p.lateHead(ref, s.EndTime())
	p.writeRequestLog(&h, late)
}

// appendLine adds a line to e, for a message of lines that no request holds.
func (e *endedRequest) appendLine(line []byte) {
	if len(e.lines) > 0 {
		e.lines = append(e.lines, ',')
	}
	e.lines = append(e.lines, line...)
	e.ends = append(e.ends, int32(len(e.lines)))
}
