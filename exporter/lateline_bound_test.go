package exporter_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// A Log that Log accepts (not ErrMessageTooLarge) is written whole in its
// one-line message, however long the source and the request's service: the
// message's fields are shortened to make room for it, never the line cut.
func TestAnAcceptedLateLineIsNeverCutFromItsMessage(t *testing.T) {
	const maxBytes = 16 << 10
	for _, tc := range []struct{ source, service int }{{4000, 3950}, {4000, 4050}, {8000, 8000}, {100, 8100}} {
		rec := otelrelayertest.New(t, exporter.WithMaxMessageBytes(maxBytes), exporter.WithSource(strings.Repeat("a", tc.source)))
		ctx, root := rec.Tracer().Start(t.Context(), strings.Repeat("b", tc.service))
		root.End()
		// The longest line Log accepts.
		lo, hi := 0, maxBytes
		for lo < hi {
			n := (lo + hi + 1) / 2
			err := bridge.Log(ctx, "info", strings.Repeat("c", n))
			switch {
			case err == nil:
				lo = n
			case errors.Is(err, bridge.ErrMessageTooLarge):
				hi = n - 1
			default:
				t.Fatal(err)
			}
		}
		rec.Reset()
		if err := bridge.Log(ctx, "info", strings.Repeat("c", lo)); err != nil {
			t.Fatal(err)
		}
		logs := rec.RequestLogs()
		msgs := rec.Messages("logging")
		if len(logs) != 1 || !logs[0].Late || len(logs[0].Lines) != 1 || logs[0].DroppedLines != 0 || len(msgs[0].Value) > maxBytes {
			t.Errorf("source %d, service %d: a late line of %d bytes of payload: %d bytes, %d lines, %d dropped; want it whole within %d bytes",
				tc.source, tc.service, lo, len(msgs[0].Value), len(logs[0].Lines), logs[0].DroppedLines, maxBytes)
		}
	}
}
