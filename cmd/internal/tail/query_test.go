package tail

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/wire"
)

func requestMessage(t *testing.T, value string) *Message {
	t.Helper()
	m := &Message{Value: []byte(value)}
	Decode(m, m.Value)
	if m.Kind != KindRequestLog {
		t.Fatalf("not a request log: %s", m.NotOurs)
	}
	return m
}

func eventMessage(t *testing.T, key, value string, headers ...Header) *Message {
	t.Helper()
	m := &Message{Key: []byte(key), Value: []byte(value), Headers: headers}
	Decode(m, m.Value)
	if m.Kind != KindEvent {
		t.Fatalf("not an event: %s", m.NotOurs)
	}
	return m
}

var queryNow = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// Each key, free text and quoting select the request logs they name.
func TestQueryMatchesRequestLogs(t *testing.T) {
	checkout := requestMessage(t, `{"source":"shop","date":"2026-12-07T11:30:00Z","method":"POST","path":"/orders","query_string":"coupon=WINTER",
		"request_id":"req-42abc","status":503,"request_time":320.5,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",
		"lines":[{"event_type":"order_created","event_subtype":"web","payload":{"order_id":42,"customer":{"name":"Ada Lovelace"}},"timestamp":"2026-12-07T11:30:00.1Z","event_id":"0193a7f0-0000-7000-8000-000000000001","outbox":true},
		{"log_level":"CRITICAL","payload":"out of stock","timestamp":"2026-12-07T11:30:00.2Z"}]}`)
	job := requestMessage(t, `{"source":"billing","date":"2026-12-07T09:00:00Z","service":"nightly","service_time":12,"lines":[]}`)
	tests := []struct {
		query         string
		checkout, job bool
	}{
		{"", true, true},
		{"request=req-42", true, false},
		{"req=req-42abc", true, false},
		{"event=0193a7f0", true, false},
		{"trace=4BF92F35", true, false},
		{"source=SHOP", true, false},
		{"service=nightly", false, true},
		{"method=post", true, false},
		{"status=5xx", true, false},
		{"status=4xx,200", false, false},
		{"path=/ord", true, false},
		{"dur>=300ms", true, false},
		{"dur<300ms", false, true},
		{"level=error", true, false},
		{"level=warning", false, false},
		{"type=order_created", true, false},
		{"subtype=web", true, false},
		{"outbox=true", true, false},
		{"outbox=false", false, true},
		{"time>=1h", true, false},
		{"time<2026-12-07T10:00:00Z", false, true},
		{"payload.order_id=42", true, false},
		{"payload.order_id=42.0", true, false},
		{"payload.customer.name=\"Ada Lovelace\"", true, false},
		{"payload.customer.name=Ada", false, false},
		{"stock", true, false},
		{"STOCK out", true, false},
		{`"out of stock"`, true, false},
		{`"of out"`, false, false},
		{"winter", true, false},
		{"nightly", false, true},
		{"status=5xx level=error ada", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := ParseQuery(tt.query, KindRequestLog, queryNow)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.MatchRequest(checkout); got != tt.checkout {
				t.Errorf("checkout: match = %v, want %v", got, tt.checkout)
			}
			if got := q.MatchRequest(job); got != tt.job {
				t.Errorf("job: match = %v, want %v", got, tt.job)
			}
		})
	}
}

// Events are found by their ID, type, subtype, key, payload field, time,
// outbox header and text.
func TestQueryMatchesEvents(t *testing.T) {
	e := eventMessage(t, "order-42", `{"source":"shop","event_type":"order_created","event_subtype":"web","payload":{"order_id":42,"note":"gift wrap"},"timestamp":"2026-12-07T11:59:00Z"}`,
		Header{wire.EventIDHeader, []byte("0193a7f0-0000-7000-8000-000000000001")},
		Header{wire.TraceparentHeader, []byte("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")},
		Header{wire.OutboxWrittenAtHeader, []byte("2026-12-07T11:59:00.000001Z")})
	tests := []struct {
		query string
		want  bool
	}{
		{"event=0193a7f0", true},
		{"event=0193a7f1", false},
		{"trace=4bf9", true},
		{"type=order_created subtype=web", true},
		{"subtype=api", false},
		{"key=order-42", true},
		{"key=order", false},
		{"payload.order_id=42", true},
		{"payload.order_id=43", false},
		{"payload.missing=42", false},
		{"outbox=true", true},
		{"time>=5m", true},
		{"time>=30s", false},
		{"GIFT", true},
		{"order-42", true},
		{"source=shop", true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := ParseQuery(tt.query, KindEvent, queryNow)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.MatchEvent(e); got != tt.want {
				t.Errorf("match = %v, want %v", got, tt.want)
			}
		})
	}
}

// A malformed query is an error naming the word and what is wrong.
func TestQueryRefusesMalformedConditions(t *testing.T) {
	tests := []struct {
		query string
		kind  Kind
		want  string
	}{
		{"stauts=500", KindRequestLog, `unknown key "stauts"; the keys of request logs are request=, event=`},
		{"key=x", KindRequestLog, `unknown key "key"`},
		{"status=5xx", KindEvent, `unknown key "status"; the keys of events are`},
		{"status=6xx", KindRequestLog, `status "6xx": want status codes`},
		{"dur>=fast", KindRequestLog, `"dur>=fast": want a duration such as 250ms`},
		{"path>=/a", KindRequestLog, `"path>=/a": path takes =`},
		{"trace=xyz", KindRequestLog, `want a trace ID`},
		{"time>=yesterday", KindRequestLog, `want a time such as`},
		{`"unclosed`, KindRequestLog, `a quote opened at character 1 is not closed`},
		{"payload..x=1", KindEvent, `want payload.FIELD`},
		{"outbox=maybe", KindEvent, `want true or false`},
		{"request=", KindRequestLog, `want a value after the operator`},
		{strings.Repeat("a", 5000), KindRequestLog, `at most 4096`},
	}
	for _, tt := range tests {
		t.Run(tt.query[:min(len(tt.query), 20)], func(t *testing.T) {
			_, err := ParseQuery(tt.query, tt.kind, queryNow)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func FuzzParseQuery(f *testing.F) {
	f.Add(`status=5xx "out of stock" payload.a.b=1 dur>=1s`)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s, KindEvent, queryNow)
		if err == nil {
			q.MatchEvent(&Message{Kind: KindEvent, Event: &wire.Event{Payload: []byte(`{"a":{"b":1}}`)}})
		}
	})
}

// Free text is found in time linear in the record: a hostile payload of
// one repeated letter and a long search word that almost matches it at
// every place must not cost len(record) × len(word) comparisons.
func TestQueryFreeTextIsLinear(t *testing.T) {
	payload := strings.Repeat("a", 512<<10)
	m := eventMessage(t, "k", `{"source":"s","event_type":"t","event_subtype":"","payload":"`+payload+`","timestamp":"2026-12-07T10:00:00Z"}`)
	q, err := ParseQuery(strings.Repeat("a", 2<<10)+"b", KindEvent, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if q.MatchEvent(m) {
		t.Fatal("matched text the event does not hold")
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("one free-text match over %d bytes took %v: quadratic in the word's length", len(m.Value), d)
	}
	for _, c := range []struct {
		text, word string
		want       bool
	}{
		{"xxAAAb", "aab", true}, {"aabaabaac", "aabaac", true}, {"ABABAC", "abac", true},
		{"abab", "abac", false}, {"", "a", false}, {"x", "", true}, {"Straße", "straße", true},
	} {
		if got := containsFold([]byte(c.text), []byte(c.word)); got != c.want {
			t.Errorf("containsFold(%q, %q) = %v, want %v", c.text, c.word, got, c.want)
		}
	}
}

// containsFold agrees with lower-casing the record's ASCII and searching.
func FuzzContainsFold(f *testing.F) {
	f.Add([]byte("xxAAAb"), []byte("aab"))
	f.Add([]byte("aabaabaac"), []byte("aabaac"))
	f.Fuzz(func(t *testing.T, b, word []byte) {
		lower := []byte(strings.ToLower(string(word)))
		if !isASCII(lower) {
			return
		}
		folded := []byte(strings.Map(func(r rune) rune {
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, string(b)))
		if want := strings.Contains(string(folded), string(lower)) || len(lower) == 0; containsFold(b, lower) != want && isASCII(b) {
			t.Errorf("containsFold(%q, %q) = %v, want %v", b, lower, !want, want)
		}
	})
}

// A payload.FIELD condition walks its path only: a 1 MB payload that
// holds the field's name costs about its size, not the tens of times its
// size of decoding every value in it (the view matches every held
// payload, under its store's lock).
func TestPayloadConditionWalksOnlyItsPath(t *testing.T) {
	payload := `{"order_id":42,"customer":{"id":7,"tags":["a"]},"a":[` + strings.Repeat("0,", 500_000) + `0]}`
	m := eventMessage(t, "k", `{"source":"s","event_type":"t","event_subtype":"","payload":`+payload+`,"timestamp":"2026-12-07T10:00:00Z"}`)
	for _, c := range []struct {
		query string
		want  bool
	}{
		{"payload.order_id=42", true}, {"payload.order_id=42.0", true}, {"payload.order_id=4", false},
		{"payload.customer.id=7", true}, {"payload.customer.tags=a", false}, {"payload.a=0", false},
		{"payload.customer.id.x=7", false},
	} {
		q, err := ParseQuery(c.query, KindEvent, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got := q.MatchEvent(m)
		runtime.ReadMemStats(&after)
		if got != c.want {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 4*uint64(len(payload)) {
			t.Errorf("%s: %d bytes allocated for a %d-byte payload", c.query, n, len(payload))
		}
	}
}
