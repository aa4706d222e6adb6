package exporter

import (
	"context"
	"fmt"

	"github.com/otelrelayer/otelrelayer/bridge"
)

var _ bridge.AttributeSetter = (*Processor)(nil)

// SetAttributes implements bridge.AttributeSetter: it records r's
// attributes on the request that owns r.Span, for its request log's
// "attributes" (last write wins for a key). It returns an error wrapping
// bridge.ErrNoRequest when no open request owns the span (none ever did,
// or its log was written already), and bridge.ErrShutdown after Shutdown.
func (p *Processor) SetAttributes(_ context.Context, r bridge.AttributesRecord) error {
	if p.shut.Load() {
		return bridge.ErrShutdown
	}
	if req := p.requestOf(r.Span); req != nil && req.setAttributes(r.Attributes, p.cfg.maxAttributes) {
		return nil
	}
	if !r.Span.IsValid() {
		return fmt.Errorf("%w: the context holds no span", bridge.ErrNoRequest)
	}
	if ref, ok := p.endedRequestOfLine(r.Span); ok {
		return fmt.Errorf("%w: the request of span %s (%q) has ended and its log was written", bridge.ErrNoRequest, r.Span.SpanID(), ref.service)
	}
	return fmt.Errorf("%w: span %s belongs to no open request of this processor (not recording, or its root was never seen)", bridge.ErrNoRequest, r.Span.SpanID())
}

// attributeBounds are the bounds of a request log's attributes: the
// configured ones, the bytes capped at a quarter of a message.
func (p *Processor) attributeBounds() attributeBounds {
	return attributeBounds{
		maxCount: p.cfg.maxAttributes,
		maxBytes: min(p.cfg.maxAttributeBytes, p.cfg.maxMessageBytes/4),
		redacted: p.cfg.redactedKeys,
	}
}
