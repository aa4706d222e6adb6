package webview

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

// Messages are bytes from any producer, and JSON decoders accept strings
// that are not UTF-8: the pages stay valid UTF-8 (and well-formed) whatever
// a request log, an event or an event ID holds.
func TestPagesAreUTF8WhateverTheMessages(t *testing.T) {
	v := newView(t)
	add(t, v,
		message(t, "logging", 0, 0, json.RawMessage("{\"source\":\"s\xff\",\"logging_topic\":\"logging\",\"date\":\"2026-11-29T10:00:00Z\",\"method\":\"GET\",\"path\":\"/\xfe\","+
			"\"lines\":[{\"log_level\":\"info\",\"payload\":{\"k\":\"\xff\"},\"timestamp\":\"2026-11-29T10:00:00Z\"},\"\xfe\"],\"dropped_lines\":0}")),
		message(t, "orders", 0, 0, json.RawMessage("{\"source\":\"s\",\"event_type\":\"e\",\"event_subtype\":\"\",\"payload\":\"\xff\",\"timestamp\":\"2026-11-29T10:00:00Z\"}"),
			tail.Header{Key: wire.EventIDHeader, Value: []byte("id\xff")}),
	)
	for _, target := range []string{"/", "/requests/logging/0/0", "/events/id%ff", "/events/other%fe"} {
		code, body := get(t, v, target)
		if !utf8.ValidString(body) {
			t.Errorf("GET %s (%d): the page is not valid UTF-8", target, code)
		}
		if err := wellFormed(body); err != nil {
			t.Errorf("GET %s (%d): %v", target, code, err)
		}
	}
}
