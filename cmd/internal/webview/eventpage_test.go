package webview

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

// An event's page links to the request that emitted it and shows how long
// an outbox event waited between its outbox write and the broker.
func TestEventPageShowsEmitterAndOutboxDelay(t *testing.T) {
	v := newView(t)
	l := httpLog("POST", "/orders", 201, 0, trace1,
		wire.Line{EventType: "order_created", Payload: json.RawMessage(`{"order_id":42}`), Timestamp: at(2), EventID: "ev-42", Outbox: true})
	m := message(t, "order_created", 0, 9, wire.Event{Source: "shop", EventType: "order_created", Payload: json.RawMessage(`{"order_id":42}`), Timestamp: at(2)},
		tail.Header{Key: wire.EventIDHeader, Value: []byte("ev-42")},
		tail.Header{Key: wire.OutboxWrittenAtHeader, Value: []byte(base.Add(-12 * time.Millisecond).Format(time.RFC3339Nano))})
	add(t, v, message(t, "logging", 0, 0, l), m)
	_, body := get(t, v, "/events/ev-42")
	for _, want := range []string{
		`<dd id="emitter"><a href="/requests/logging/0/0">POST /orders at 10:00:00.000</a>`,
		`<span class="tag">outbox</span> ` + formatMillis(12) + ` from the outbox write to the broker`,
		`<th>relayer-outbox-written-at</th>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the event page lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, `id="replay"`) {
		t.Error("a replay button without WithReplay")
	}
	if _, body := get(t, v, "/requests/logging/0/0"); !strings.Contains(body, `<span class="tag outbox"`) {
		t.Error("the request's timeline does not mark the outbox event")
	}
}
