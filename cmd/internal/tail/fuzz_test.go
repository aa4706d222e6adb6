package tail_test

import (
	"testing"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
)

// Decode classifies any value without panicking, and says why when the
// value is not ours.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"source":"t","logging_topic":"logging","date":"2026-11-29T10:00:00Z","lines":[1,{"log_level":"info"}]}`))
	f.Add([]byte(`{"source":"orders","event_type":"e","event_subtype":"","payload":null,"timestamp":"2026-11-27T05:03:52"}`))
	f.Add([]byte(`{"date":null,"lines":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte{0xff, 0x00})
	f.Fuzz(func(t *testing.T, value []byte) {
		var m tail.Message
		tail.Decode(&m, value)
		switch m.Kind {
		case tail.KindRequestLog:
			if m.RequestLog == nil || m.Event != nil || m.NotOurs != "" {
				t.Fatalf("request log %+v", m)
			}
		case tail.KindEvent:
			if m.Event == nil || m.RequestLog != nil || m.NotOurs != "" {
				t.Fatalf("event %+v", m)
			}
		default:
			if m.NotOurs == "" || m.Event != nil || m.RequestLog != nil {
				t.Fatalf("other %+v", m)
			}
		}
		_ = m.Time()
	})
}
