package exporter

import (
	"context"
	"math"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/internal/jsonenc"
	"github.com/otelrelayer/otelrelayer/internal/selflog"
)

// LogProcessor is an OpenTelemetry Logs SDK processor that adds each log
// record carrying the trace context of an open request to that request's
// log, so users of otelslog, otelzap or otellogrus get aggregated request
// logs without calling bridge.Log. Records of no open request are left to
// the other processors of the LoggerProvider, and so are otelrelayer's own
// Debug records, whatever bridge carries them: the library's logging never
// becomes a request line.
//
// Conversion: log_level from the severity number ("trace", "debug", "info",
// "warning", "error", "critical"), else the lower-cased severity text;
// payload is {"msg": body, attributes...}; timestamp is the record's
// timestamp, else its observed timestamp.
type LogProcessor struct {
	p *Processor
}

var _ sdklog.Processor = (*LogProcessor)(nil)

// LogProcessor returns the Logs SDK processor that feeds p's request logs.
// Register it with sdklog.WithProcessor; p remains the one to shut down.
func (p *Processor) LogProcessor() *LogProcessor { return &LogProcessor{p: p} }

// OnEmit implements sdklog.Processor. It does not block and does not modify
// r.
func (lp *LogProcessor) OnEmit(ctx context.Context, r *sdklog.Record) error {
	sid := r.SpanID()
	if !sid.IsValid() || lp.p.shut.Load() || selflog.Is(ctx) {
		return nil
	}
	req := lp.p.requests.get(sid)
	if req == nil {
		return nil
	}
	payload := map[string]any{"msg": logValue(r.Body())}
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		payload[string(kv.Key)] = logValue(kv.Value)
		return true
	})
	buf := lineBuffers.Get().(*[]byte)
	defer putLineBuffer(buf)
	enc, err := jsonenc.AppendValue((*buf)[:0], payload)
	if err != nil {
		return nil // logValue yields only JSON-safe values
	}
	ts := r.Timestamp()
	if ts.IsZero() {
		ts = r.ObservedTimestamp()
	}
	if ts.IsZero() {
		ts = time.Now()
	}
	*buf = enc
	req.addLogLine(severityName(r.Severity(), r.SeverityText()), lp.p.redact(enc), ts, lp.p.cfg.maxLines, lp.p.cfg.maxMessageBytes)
	return nil
}

// Enabled implements sdklog.Processor: it reports whether ctx holds a span
// of an open request, so loggers used outside requests skip the work for
// this processor.
func (lp *LogProcessor) Enabled(ctx context.Context, _ sdklog.EnabledParameters) bool {
	sc := trace.SpanContextFromContext(ctx)
	return sc.IsValid() && !lp.p.shut.Load() && !selflog.Is(ctx) && lp.p.requests.get(sc.SpanID()) != nil
}

// Shutdown implements sdklog.Processor. It does nothing: the Processor owns
// the sink and is shut down with the TracerProvider.
func (lp *LogProcessor) Shutdown(context.Context) error { return nil }

// ForceFlush implements sdklog.Processor. Lines are written with their
// request log, so there is nothing to flush here.
func (lp *LogProcessor) ForceFlush(context.Context) error { return nil }

func severityName(s log.Severity, text string) string {
	switch {
	case s >= log.SeverityTrace1 && s <= log.SeverityTrace4:
		return "trace"
	case s >= log.SeverityDebug1 && s <= log.SeverityDebug4:
		return "debug"
	case s >= log.SeverityInfo1 && s <= log.SeverityInfo4:
		return "info"
	case s >= log.SeverityWarn1 && s <= log.SeverityWarn4:
		return "warning"
	case s >= log.SeverityError1 && s <= log.SeverityError4:
		return "error"
	case s >= log.SeverityFatal1 && s <= log.SeverityFatal4:
		return "critical"
	case text != "":
		return strings.ToLower(text)
	}
	return "info"
}

// logValue converts a log value to what jsonenc encodes; NaN and infinities
// become strings.
func logValue(v attribute.Value) any {
	switch v.Type() {
	case attribute.FLOAT64:
		if f := v.AsFloat64(); math.IsNaN(f) || math.IsInf(f, 0) {
			return v.String()
		}
	case attribute.FLOAT64SLICE:
		fs := v.AsFloat64Slice()
		out := make([]any, len(fs))
		for i, f := range fs {
			out[i] = logValue(attribute.Float64Value(f))
		}
		return out
	case attribute.SLICE:
		vs := v.AsSlice()
		out := make([]any, len(vs))
		for i, e := range vs {
			out[i] = logValue(e)
		}
		return out
	case attribute.MAP:
		out := map[string]any{}
		for _, kv := range v.AsMap() {
			out[string(kv.Key)] = logValue(kv.Value)
		}
		return out
	}
	return v.AsInterface() // []byte encodes as base64, as encoding/json does
}
