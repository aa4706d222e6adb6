package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/internal/jsonenc"
)

// SlogHandler is a slog.Handler that adds every record logged inside a
// request to that request's log, then passes it to the next handler.
//
// # Conversion
//
// A record logged with a context holding a recording span (slog.InfoContext
// and friends) becomes a line {"log_level", "payload", "timestamp"}:
//
//   - log_level: "debug", "info", "warning", "error" for the four slog
//     levels (warning as in the Python library), and the lower-cased
//     slog name for the others ("info+2").
//   - payload: an object holding "msg" and the attributes, those of WithAttrs
//     first, groups as nested objects, as slog.JSONHandler writes them:
//     empty attributes and empty groups are left out, groups with an empty
//     key are inlined, LogValuers are resolved, errors become their message,
//     durations nanoseconds, times RFC 3339 strings, NaN and infinities
//     strings. An attribute with no JSON form (a NaN inside a struct, a
//     channel) becomes the string "!ERROR:cause", as slog.JSONHandler
//     writes it, and the record is kept; a typed-nil error reads "<nil>".
//     A record too large for a line (bridge.ErrMessageTooLarge) is kept as
//     {"msg": the message (up to 1 KiB), "!ERROR": the error}.
//   - timestamp: the record's time.
//
// Records logged without such a context go to the next handler only: a log
// handler must not turn every startup message into a Kafka message. Which
// records are enabled is the next handler's decision.
type SlogHandler struct {
	next slog.Handler
	goas []groupOrAttrs // WithGroup and WithAttrs calls, in order
}

var _ slog.Handler = (*SlogHandler)(nil)

type groupOrAttrs struct {
	group string
	attrs []slog.Attr
}

// NewSlogHandler returns a handler that adds records to request logs and
// passes them to next. A nil next discards records after adding them, with
// Info as the lowest enabled level.
func NewSlogHandler(next slog.Handler) *SlogHandler {
	if next == nil {
		next = discardBelow(slog.LevelInfo)
	}
	return &SlogHandler{next: next}
}

// Enabled reports whether the next handler handles level.
func (h *SlogHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle adds r to the request of ctx, if any, and passes it on.
func (h *SlogHandler) Handle(ctx context.Context, r slog.Record) error {
	if trace.SpanFromContext(ctx).IsRecording() {
		ts := r.Time
		if ts.IsZero() {
			ts = time.Now()
		}
		// A line that cannot be added must not keep the record from next.
		level := slogLevelName(r.Level)
		if err := logAt(ctx, ts, level, h.payload(r)); errors.Is(err, ErrMessageTooLarge) {
			// Kept, shortened, as slog.JSONHandler keeps a record whose
			// attribute fails: the line says what happened.
			_ = logAt(ctx, ts, level, map[string]any{slog.MessageKey: cutMessage(r.Message), "!ERROR": err.Error()})
		}
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h *SlogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return h.with(groupOrAttrs{attrs: slices.Clone(attrs)}, h.next.WithAttrs(attrs))
}

// WithGroup implements slog.Handler.
func (h *SlogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(groupOrAttrs{group: name}, h.next.WithGroup(name))
}

func (h *SlogHandler) with(goa groupOrAttrs, next slog.Handler) *SlogHandler {
	return &SlogHandler{next: next, goas: append(slices.Clip(h.goas), goa)}
}

func (h *SlogHandler) payload(r slog.Record) map[string]any {
	top := map[string]any{slog.MessageKey: r.Message}
	goas := h.goas
	if r.NumAttrs() == 0 { // groups opened last with nothing in them are left out
		for len(goas) > 0 && goas[len(goas)-1].group != "" {
			goas = goas[:len(goas)-1]
		}
	}
	cur := top
	for _, goa := range goas {
		if goa.group != "" {
			sub := map[string]any{}
			cur[goa.group] = sub
			cur = sub
			continue
		}
		for _, a := range goa.attrs {
			addAttr(cur, a)
		}
	}
	r.Attrs(func(a slog.Attr) bool {
		addAttr(cur, a)
		return true
	})
	return top
}

func addAttr(m map[string]any, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		attrs := a.Value.Group()
		if len(attrs) == 0 {
			return
		}
		dst := m
		if a.Key != "" {
			dst = map[string]any{}
			m[a.Key] = dst
		}
		for _, ga := range attrs {
			addAttr(dst, ga)
		}
		if a.Key != "" && len(dst) == 0 {
			delete(m, a.Key)
		}
		return
	}
	m[a.Key] = slogValue(a.Value)
}

func slogValue(v slog.Value) any {
	switch v.Kind() {
	case slog.KindString:
		return v.String()
	case slog.KindInt64:
		return v.Int64()
	case slog.KindUint64:
		return v.Uint64()
	case slog.KindFloat64:
		if f := v.Float64(); math.IsNaN(f) || math.IsInf(f, 0) {
			return v.String()
		}
		return v.Float64()
	case slog.KindBool:
		return v.Bool()
	case slog.KindDuration:
		return v.Duration().Nanoseconds()
	case slog.KindTime:
		return v.Time().Format(time.RFC3339Nano)
	}
	switch x := v.Any().(type) {
	case error:
		return errorString(x)
	default:
		return anyValue(x)
	}
}

// anyValue encodes x once, as the payload will hold it; a value with no JSON
// form (a NaN in a struct, a channel), or whose encoding panics, becomes the
// string "!ERROR:cause", as slog.JSONHandler writes it, so that one
// attribute never costs the record.
func anyValue(x any) (v any) {
	defer func() {
		if r := recover(); r != nil {
			v = "!ERROR:" + panicString(x, r)
		}
	}()
	b, err := jsonenc.AppendValue(nil, x)
	if err != nil {
		return "!ERROR:" + err.Error()
	}
	return json.RawMessage(b)
}

// maxCutMessage bounds the message of a record too large for a line.
const maxCutMessage = 1 << 10

// cutMessage returns msg cut to maxCutMessage bytes at a rune boundary.
func cutMessage(msg string) string {
	if len(msg) <= maxCutMessage {
		return msg
	}
	n := maxCutMessage
	for n > 0 && !utf8.RuneStart(msg[n]) {
		n--
	}
	return msg[:n]
}

func slogLevelName(l slog.Level) string {
	switch l {
	case slog.LevelDebug:
		return "debug"
	case slog.LevelInfo:
		return "info"
	case slog.LevelWarn:
		return "warning"
	case slog.LevelError:
		return "error"
	}
	return strings.ToLower(l.String())
}

// discardBelow discards every record and enables levels from min up.
type discardBelow slog.Level

func (d discardBelow) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.Level(d) }
func (d discardBelow) Handle(context.Context, slog.Record) error    { return nil }
func (d discardBelow) WithAttrs([]slog.Attr) slog.Handler           { return d }
func (d discardBelow) WithGroup(string) slog.Handler                { return d }
