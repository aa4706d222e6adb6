package tail_test

import (
	"fmt"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
)

func ExampleParseQuery() {
	m := tail.Message{Value: []byte(`{"date":"2026-12-07T10:00:00Z","method":"POST","path":"/orders","status":503,"request_time":320,
		"lines":[{"event_type":"order_created","payload":{"order_id":42},"timestamp":"2026-12-07T10:00:00.1Z"},
		{"log_level":"error","payload":"out of stock","timestamp":"2026-12-07T10:00:00.2Z"}]}`)}
	tail.Decode(&m, m.Value)
	now := time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC)
	for _, s := range []string{`status=5xx dur>=250ms "out of stock"`, `payload.order_id=42 time>=30m`, `stauts=500`} {
		q, err := tail.ParseQuery(s, tail.KindRequestLog, now)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(s, "→", q.MatchRequest(&m))
	}
	// Output:
	// status=5xx dur>=250ms "out of stock" → true
	// payload.order_id=42 time>=30m → false
	// "stauts=500": unknown key "stauts"; the keys of request logs are request=, event=, trace=, source=, service=, method=, status=, path=, dur>=, level=, type=, subtype=, outbox=, time>=, route=, rpc_status=, payload.FIELD=, attr.KEY= (quote a word to search it as text)
}
