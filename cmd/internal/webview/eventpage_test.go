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

// A request log is shown as an event's emitter only if it is the first held
// log naming the event and, when the event has a traceparent, of its trace:
// anyone who can write to the logging topic can name any event ID.
func TestEventPageLinksOnlyTheRequestOfItsTrace(t *testing.T) {
	traceparent := func(trace string) tail.Header {
		return tail.Header{Key: wire.TraceparentHeader, Value: []byte("00-" + trace + "-00f067aa0ba902b7-01")}
	}
	event := func(offset int64, id string, headers ...tail.Header) tail.Message {
		return message(t, "order_created", 0, offset, wire.Event{Source: "shop", EventType: "order_created", Payload: json.RawMessage(`1`), Timestamp: at(2)},
			append(headers, tail.Header{Key: wire.EventIDHeader, Value: []byte(id)})...)
	}
	line := func(id string) wire.Line {
		return wire.Line{EventType: "order_created", Payload: json.RawMessage(`1`), Timestamp: at(2), EventID: id}
	}
	for _, tc := range []struct {
		name string
		msgs func() []tail.Message
		want string
		opts []Option
	}{
		{"its request, then a forged log", func() []tail.Message {
			return []tail.Message{
				event(1, "ev-1", traceparent(trace1)),
				message(t, "logging", 0, 0, httpLog("POST", "/orders", 201, 0, trace1, line("ev-1"))),
				message(t, "logging", 0, 1, httpLog("GET", "/forged", 200, 5, trace1, line("ev-1"))),
			}
		}, `<dd id="emitter"><a href="/requests/logging/0/0">POST /orders`, nil},
		{"a log of another trace", func() []tail.Message {
			return []tail.Message{
				event(1, "ev-1", traceparent(trace1)),
				message(t, "logging", 0, 0, httpLog("GET", "/forged", 200, 0, trace2, line("ev-1"))),
			}
		}, `a held request log of another trace names it: not its emitter`, nil},
		{"a forged log of another trace before its request's", func() []tail.Message {
			// The request log is written when its request ends, after the
			// event: anyone reading the event's topic can name its ID first.
			return []tail.Message{
				event(1, "ev-1", traceparent(trace1)),
				message(t, "logging", 0, 0, httpLog("GET", "/forged", 200, 0, trace2, line("ev-1"))),
				message(t, "logging", 0, 1, httpLog("POST", "/orders", 201, 5, trace1, line("ev-1"))),
			}
		}, `<dd id="emitter"><a href="/requests/logging/0/1">POST /orders`, nil},
		{"its request's log, once the forged one before it is evicted", func() []tail.Message {
			msgs := []tail.Message{
				event(1, "ev-1", traceparent(trace1)),
				message(t, "logging", 0, 0, httpLog("GET", "/forged", 200, 0, trace2, line("ev-1"))),
				message(t, "logging", 0, 1, httpLog("POST", "/orders", 201, 5, trace1, line("ev-1"))),
			}
			for i := int64(2); i < 4; i++ { // past the bound of 3: the forged log goes first
				msgs = append(msgs, message(t, "logging", 0, i, httpLog("GET", "/other", 200, 6, trace2)))
			}
			return msgs
		}, `<dd id="emitter"><a href="/requests/logging/0/1">POST /orders`, []Option{WithMaxRequests(3)}},
		{"an event without traceparent", func() []tail.Message {
			return []tail.Message{
				event(1, "ev-1"),
				message(t, "logging", 0, 0, httpLog("POST", "/orders", 201, 0, trace2, line("ev-1"))),
			}
		}, `<dd id="emitter"><a href="/requests/logging/0/0">POST /orders`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newView(t, tc.opts...)
			add(t, v, tc.msgs()...)
			_, body := get(t, v, "/events/ev-1")
			if !strings.Contains(body, tc.want) {
				t.Errorf("the event page lacks %s:\n%s", tc.want, body)
			}
			if strings.Contains(body, "/forged") {
				t.Error("the event page shows the forged log")
			}
		})
	}
}
