// Package selflog marks the context otelrelayer passes to its own loggers,
// so that its diagnostics never flow back into its own pipeline, whatever
// slog handler or log bridge the user installs.
package selflog

import (
	"context"
	"sync/atomic"
)

type key struct{}

// marked is the context of the library's own log calls. Its Value answers
// key{} itself; any other lookup means that something (a handler, a tracer
// starting a span from it) looked into it, which Looked then reports.
type marked struct{ context.Context }

func (c marked) Value(k any) any {
	if k == (key{}) {
		return true
	}
	if !looked.Load() {
		looked.Store(true)
	}
	return c.Context.Value(k)
}

var (
	ctx    context.Context = marked{context.Background()}
	looked atomic.Bool
)

// Context returns the context of every log call the library makes: it holds
// no span, so trace-aware handlers (bridge.SlogHandler, OpenTelemetry log
// bridges feeding exporter.LogProcessor) see no request, and it is marked, so
// that bridge.Log, bridge.Emit and the LogProcessor recognise and drop what
// a handler makes of the library's own records.
func Context() context.Context { return ctx }

// Is reports whether c is, or derives from, [Context]. It walks c's chain
// of parents.
func Is(c context.Context) bool {
	if c == nil {
		return false
	}
	v, _ := c.Value(key{}).(bool)
	return v
}

// Looked reports whether anything has looked up a value in [Context] (other
// than through Is) since the process started. Until then no context derives
// from it with a span: a tracer starting a span from a context looks up the
// parent span first. So a caller holding a valid span can skip Is while
// Looked is false; the answer is one atomic load.
func Looked() bool { return looked.Load() }
