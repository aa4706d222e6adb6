package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/wire"
)

// Messages as the Python library 1.x wrote them decode into the Go types.
func TestDecodePythonMessages(t *testing.T) {
	event := `{"event_type": "entity_created", "event_subtype": "root", "payload": {"id": 10}, "source": "orders", "timestamp": "2026-11-27T05:03:52.537020Z"}`
	var e wire.Event
	if err := json.Unmarshal([]byte(event), &e); err != nil {
		t.Fatal(err)
	}
	if e.EventType != "entity_created" || e.EventSubtype != "root" || string(e.Payload) != `{"id": 10}` ||
		!e.Timestamp.Equal(time.Date(2026, 11, 27, 5, 3, 52, 537020000, time.UTC)) {
		t.Errorf("event: %+v", e)
	}

	// date as datetime.isoformat() (no zone), a timestamp without fraction,
	// nulls for absent headers.
	requestLog := `{"source": "orders", "logging_topic": "logging", "date": "2026-11-27T05:03:52.429079",
		"user_agent": null, "method": "POST", "path": "/root", "query_string": "", "remote_addr": "127.0.0.1",
		"x_forwarded_for": null, "request_id": null, "status": 200, "content_length": 2, "request_time": 2.968,
		"lines": [{"event_type": "entity_created", "event_subtype": "root", "payload": {"id": 10}, "source": "orders", "timestamp": "2026-11-27T05:03:52Z"},
		          {"log_level": "info", "payload": "created root", "timestamp": "2026-11-27T05:03:52.430000Z"}]}`
	var l wire.RequestLog
	if err := json.Unmarshal([]byte(requestLog), &l); err != nil {
		t.Fatal(err)
	}
	if !l.Date.Equal(time.Date(2026, 11, 27, 5, 3, 52, 429079000, time.UTC)) || l.Method != "POST" || l.Status != 200 ||
		l.RequestTime != 2.968 || l.UserAgent != "" || len(l.Lines) != 2 || !l.Lines[0].IsEvent() || l.Lines[1].LogLevel != "info" {
		t.Errorf("request log: %+v", l)
	}
}

func TestLineKeepsAnyJSON(t *testing.T) {
	tests := []struct {
		name, raw string
		event     bool
	}{
		{"event", `{"source":"s","event_type":"t","event_subtype":"u","payload":1,"timestamp":"2026-11-27T05:03:52.537020Z"}`, true},
		{"raw string", `"plain"`, false},
		{"raw array", `[1,2]`, false},
		{"raw object with foreign types", `{"timestamp":12,"event_type":"x"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l wire.RequestLog
			if err := json.Unmarshal([]byte(`{"lines":[`+tt.raw+`]}`), &l); err != nil {
				t.Fatal(err)
			}
			if string(l.Lines[0].Raw) != tt.raw || l.Lines[0].IsEvent() != tt.event {
				t.Errorf("line %+v", l.Lines[0])
			}
		})
	}
}

func TestTimeRoundTrip(t *testing.T) {
	in := wire.Time{Time: time.Date(2026, 11, 27, 5, 3, 52, 537020999, time.UTC)}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `"2026-11-27T05:03:52.537020Z"` {
		t.Fatalf("marshal: %s", b)
	}
	var out wire.Time
	if err := json.Unmarshal(b, &out); err != nil || !out.Equal(in.Truncate(time.Microsecond)) {
		t.Fatalf("unmarshal: %v %v", out, err)
	}
	if err := json.Unmarshal([]byte(`"yesterday"`), &out); err == nil {
		t.Fatal("a malformed timestamp decoded")
	}
}
