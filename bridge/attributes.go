package bridge

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// AttributeSetter is the optional interface of a [Pipeline] that records
// request attributes: SetAttributes reaches pipelines that implement it
// (exporter.Processor does). It is detected by type assertion, so that
// Pipeline itself never grows.
type AttributeSetter interface {
	// SetAttributes records r.Attributes on the request that owns r.Span,
	// last write wins for a key. It returns an error wrapping
	// [ErrNoRequest] when no open request owns the span.
	SetAttributes(ctx context.Context, r AttributesRecord) error
}

// AttributesRecord is one SetAttributes call, validated.
type AttributesRecord struct {
	Span trace.SpanContext
	// Attributes are only valid during the call: implementations copy
	// what they keep.
	Attributes []attribute.KeyValue
}

// SetAttributes adds fields to the log of the request that ctx belongs to,
// whichever goroutine or child span ctx carries: they land in the request
// log's "attributes" (flat, dotted keys, as in OpenTelemetry), not on the
// active span. A later value replaces an earlier one of the same key, and
// one set here replaces the root span's attribute of that key in the
// request log. Bounds, redaction and the keys never written are the
// exporter's (exporter.WithMaxAttributes, WithRedactedKeys).
//
// Unlike Log, it writes nothing outside a request: when ctx holds no span
// of an open request (no span, an unrecorded one, or one whose request log
// was written already, as for a goroutine outliving its request), it
// returns an error wrapping [ErrNoRequest] and records nothing. An
// attribute with an empty key makes it return [ErrInvalidAttribute], and
// nothing is recorded. After the pipeline shut
// down it returns [ErrShutdown]; with no pipeline, [ErrNotInstalled]. A nil
// ctx means context.Background(). A context of otelrelayer's own loggers is
// ignored, as by Log, and SetAttributes returns nil; so does a call without
// attributes that reaches a pipeline.
func SetAttributes(ctx context.Context, attrs ...attribute.KeyValue) error {
	if ctx == nil {
		ctx = context.Background()
	}
	for i, kv := range attrs {
		if !kv.Valid() {
			return fmt.Errorf("%w: attribute %d (of type %s) has an empty key", ErrInvalidAttribute, i, kv.Value.Type())
		}
	}
	if isSelfLog(ctx) {
		return nil
	}
	span := trace.SpanFromContext(ctx)
	p, err := pipelineFor(span)
	if err != nil {
		return err
	}
	if len(attrs) == 0 {
		return nil
	}
	return setAttributesOn(ctx, p, AttributesRecord{Span: span.SpanContext(), Attributes: attrs})
}

func setAttributesOn(ctx context.Context, p Pipeline, r AttributesRecord) error {
	s, ok := p.(AttributeSetter)
	if !ok {
		return fmt.Errorf("bridge: pipeline %T does not record request attributes (it implements no AttributeSetter): %w", p, errors.ErrUnsupported)
	}
	return s.SetAttributes(ctx, r)
}

// SetAttributes sets the attributes on every pipeline; the error joins
// their failures.
func (f *fanout) SetAttributes(ctx context.Context, r AttributesRecord) error {
	var errs []error
	for _, p := range f.ps {
		if err := setAttributesOn(ctx, p, r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// SetAttributes of a pipeline that shut down.
func (*tombstone) SetAttributes(context.Context, AttributesRecord) error { return ErrShutdown }
