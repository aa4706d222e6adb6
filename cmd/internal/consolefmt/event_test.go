package consolefmt

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/wire"
)

func TestEvent(t *testing.T) {
	var e wire.Event
	body := `{"source":"orders","event_type":"entity_created","event_subtype":"root","payload":{"id": 10},"timestamp":"2026-11-27T05:03:52.537020Z"}`
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		topic, id string
		o         Options
		want      string
	}{
		{"entity_created", "01a21b90-b940-7b81-9c68-e443e357578c", Options{},
			"05:03:52.537  event  entity_created/root  {\"id\":10}  source=orders event_id=01a21b90-b940-7b81-9c68-e443e357578c\n"},
		{"shop.entity_created", "", Options{Location: time.FixedZone("UTC+1", 3600)},
			"06:03:52.537  event  entity_created/root  {\"id\":10}  source=orders topic=shop.entity_created\n"},
		{"entity_created", "", Options{Color: true},
			"05:03:52.537  \x1b[36mevent\x1b[0m  \x1b[1mentity_created/root\x1b[0m  {\"id\":10}  \x1b[2msource=orders\x1b[0m\n"},
	}
	for _, tt := range tests {
		if got := Event(tt.topic, &e, tt.id, tt.o); got != tt.want {
			t.Errorf("Event:\n%q\nwant\n%q", got, tt.want)
		}
	}
}

func TestOther(t *testing.T) {
	ts := time.Date(2026, 11, 27, 5, 3, 52, 0, time.UTC)
	tests := []struct {
		value, want string
	}{
		{`{"a": [1, 2]}`, "05:03:52.000  message  audit[2]@7  {\"a\":[1,2]}\n"},
		{"plain text", "05:03:52.000  message  audit[2]@7  \"plain text\"\n"},
		{"\x00\x01\xff", "05:03:52.000  message  audit[2]@7  3 bytes of binary data\n"},
	}
	for _, tt := range tests {
		if got := Other("audit", 2, 7, ts, []byte(tt.value), Options{}); got != tt.want {
			t.Errorf("Other(%q) = %q, want %q", tt.value, got, tt.want)
		}
	}
}
