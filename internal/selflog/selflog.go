// Package selflog marks the context otelrelayer passes to its own loggers,
// so that its diagnostics never flow back into its own pipeline, whatever
// slog handler or log bridge the user installs.
package selflog

import "context"

type key struct{}

var ctx = context.WithValue(context.Background(), key{}, true)

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
