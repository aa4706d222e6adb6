package consolefmt

import "testing"

// Wide request logs as they are on the wire.
const (
	wideHTTPLog = `{"source":"orders","logging_topic":"logging","date":"2026-11-27T05:03:52.429079Z",
 "method":"GET","path":"/orders/7","query_string":"","status":200,"request_time":2.968,"route":"/orders/{id}",
 "trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7",
 "attributes":{"enduser.id":"42","app.cart.items":3,"app.note":"two words","app.\u001b[2J":"x"},"dropped_attributes":2,
 "lines":[],"dropped_lines":0}`

	// A hostile key that would read as other fields of the row.
	spoofingKeyLog = `{"source":"orders","date":"2026-11-27T05:03:52.429079Z","method":"GET","path":"/","status":200,
 "attributes":{"x route=/admin attr.role":"admin","":"empty"},"lines":[],"dropped_lines":0}`

	wideRPCLog = `{"source":"rpc","logging_topic":"logging","date":"2026-11-27T05:03:52Z",
 "service":"shop.Orders.Get","service_time":1.157,"rpc_status_code":5,"rpc_status":"NOT_FOUND",
 "trace_id":"0af7651916cd43dd8448eb211c80319c","lines":[],"dropped_lines":0}`
)

func TestFormatWideFields(t *testing.T) {
	tests := []struct {
		name, log string
		opts      Options
		want      string
	}{
		{"HTTP: the route after the path", wideHTTPLog, Options{},
			"05:03:52.429  200     3.0ms  GET /orders/7 (/orders/{id})  0 lines  4bf92f3577b34da6a3ce929d0e0e4736\n"},
		{"HTTP, verbose: route and attributes, hostile keys escaped", wideHTTPLog, Options{Verbose: true},
			"05:03:52.429  200     3.0ms  GET /orders/7 (/orders/{id})  0 lines  4bf92f3577b34da6a3ce929d0e0e4736\n" +
				"    source=orders span_id=00f067aa0ba902b7 route=/orders/{id} attr.\"app.\\x1b[2J\"=x attr.app.cart.items=3 attr.app.note=\"two words\" attr.enduser.id=42 dropped_attributes=2\n"},
		{"verbose: a key with spaces or = is quoted, as a value is", spoofingKeyLog, Options{Verbose: true},
			"05:03:52.429  200       0µs  GET /  0 lines\n" +
				"    source=orders attr.\"\"=empty attr.\"x route=/admin attr.role\"=admin\n"},
		{"RPC: the status after the service", wideRPCLog, Options{},
			"05:03:52.000  shop.Orders.Get NOT_FOUND     1.2ms  0 lines  0af7651916cd43dd8448eb211c80319c\n"},
		{"RPC, colours: a caller's error in yellow", wideRPCLog, Options{Color: true},
			"05:03:52.000  \x1b[34mshop.Orders.Get\x1b[0m \x1b[33mNOT_FOUND\x1b[0m     1.2ms  0 lines  \x1b[2m0af7651916cd43dd8448eb211c80319c\x1b[0m\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RequestLog(decodeLog(t, tt.log), tt.opts); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
