package consolefmt

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/wire"
)

// Request logs as they are on the wire, one of each kind.
const (
	httpLog = `{"source":"orders","logging_topic":"logging","date":"2026-11-27T05:03:52.429079Z",
 "user_agent":"ua/1","method":"POST","path":"/root","query_string":"x=1",
 "remote_addr":"127.0.0.1","x_forwarded_for":"10.0.0.1","request_id":"req-1",
 "status":200,"content_length":2,"request_time":2.968,
 "trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7",
 "lines":[{"source":"orders","event_type":"entity_created","event_subtype":"root","payload":{"id": 10},"timestamp":"2026-11-27T05:03:52.430120Z","event_id":"01a21b90-b940-7b81-9c68-e443e357578c"},
          {"log_level":"info","payload":"created root","timestamp":"2026-11-27T05:03:52.431579Z"},
          {"log_level":"warning","payload":{"msg":"slow","ms":2},"timestamp":"2026-11-27T05:03:52.432000Z"},
          [1, 2],
          {"log_level":"error","payload":"two\nlines","timestamp":"2026-11-27T05:03:54.429079Z"}],
 "dropped_lines":3}`

	rpcLog = `{"source":"rpc","logging_topic":"logging","date":"2026-11-27T05:03:52Z",
 "service":"RPCHandler.create_order","service_time":1.157,
 "trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331",
 "lines":[{"log_level":"warning","payload":{"msg":"quantity is 0"},"timestamp":"2026-11-27T05:03:52.000400Z"},
          {"log_level":"error","payload":{"span":"RPCHandler.create_order","exception.message":"quantity must be positive"},"timestamp":"2026-11-27T05:03:52.001157Z"}],
 "dropped_lines":0}`

	jobLog = `{"source":"jobs","logging_topic":"logging","date":"2026-11-27T05:03:52.5Z",
 "service":"nightly-report","service_time":1250,"lines":[],"dropped_lines":0}`

	failedLog = `{"source":"orders","logging_topic":"logging","date":"2026-11-27T05:03:52.429079Z",
 "user_agent":null,"method":"GET","path":"/fail","query_string":"","remote_addr":null,
 "x_forwarded_for":null,"request_id":null,"status":503,"content_length":null,"request_time":0.042,
 "trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":null,
 "lines":[{"log_level":"error","payload":"boom","timestamp":"2026-11-27T05:03:52.430079Z"}],
 "dropped_lines":0}`
)

func decodeLog(t *testing.T, body string) *wire.RequestLog {
	t.Helper()
	var l wire.RequestLog
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return &l
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		log  string
		opts Options
		want string
	}{
		{
			name: "HTTP",
			log:  httpLog,
			want: "05:03:52.429  200     3.0ms  POST /root?x=1  5 lines (1 error) +3 dropped  4bf92f3577b34da6a3ce929d0e0e4736\n",
		},
		{
			name: "HTTP, verbose",
			log:  httpLog,
			opts: Options{Verbose: true},
			want: "05:03:52.429  200     3.0ms  POST /root?x=1  5 lines (1 error) +3 dropped  4bf92f3577b34da6a3ce929d0e0e4736\n" +
				"    source=orders span_id=00f067aa0ba902b7 remote_addr=127.0.0.1 x_forwarded_for=10.0.0.1 request_id=req-1 user_agent=ua/1 content_length=2\n" +
				`       +1.0ms  event    entity_created/root  {"id":10}  event_id=01a21b90-b940-7b81-9c68-e443e357578c` + "\n" +
				"       +2.5ms  info     created root\n" +
				`       +2.9ms  warning  {"msg":"slow","ms":2}` + "\n" +
				"               raw      [1,2]\n" +
				`       +2.00s  error    "two\nlines"` + "\n",
		},
		{
			name: "HTTP, in another time zone",
			log:  httpLog,
			opts: Options{Location: time.FixedZone("UTC+1", 3600)},
			want: "06:03:52.429  200     3.0ms  POST /root?x=1  5 lines (1 error) +3 dropped  4bf92f3577b34da6a3ce929d0e0e4736\n",
		},
		{
			name: "RPC",
			log:  rpcLog,
			want: "05:03:52.000  RPCHandler.create_order     1.2ms  2 lines (1 error)  0af7651916cd43dd8448eb211c80319c\n",
		},
		{
			name: "RPC, verbose",
			log:  rpcLog,
			opts: Options{Verbose: true},
			want: "05:03:52.000  RPCHandler.create_order     1.2ms  2 lines (1 error)  0af7651916cd43dd8448eb211c80319c\n" +
				"    source=rpc span_id=b7ad6b7169203331\n" +
				`       +400µs  warning  {"msg":"quantity is 0"}` + "\n" +
				`       +1.2ms  error    {"span":"RPCHandler.create_order","exception.message":"quantity must be positive"}` + "\n",
		},
		{
			name: "job without lines or trace, verbose",
			log:  jobLog,
			opts: Options{Verbose: true},
			want: "05:03:52.500  nightly-report     1.25s  0 lines\n" +
				"    source=jobs\n",
		},
		{
			name: "failed HTTP request, colour",
			log:  failedLog,
			opts: Options{Color: true},
			want: "05:03:52.429  \x1b[31m\x1b[1m503\x1b[0m      42µs  \x1b[1mGET\x1b[0m /fail  1 line (\x1b[31m1 error\x1b[0m)  \x1b[2m4bf92f3577b34da6a3ce929d0e0e4736\x1b[0m\n",
		},
		{
			name: "failed HTTP request, colour, verbose",
			log:  failedLog,
			opts: Options{Color: true, Verbose: true},
			want: "05:03:52.429  \x1b[31m\x1b[1m503\x1b[0m      42µs  \x1b[1mGET\x1b[0m /fail  1 line (\x1b[31m1 error\x1b[0m)  \x1b[2m4bf92f3577b34da6a3ce929d0e0e4736\x1b[0m\n" +
				"    \x1b[2msource=\x1b[0morders\n" +
				"       +1.0ms  \x1b[31merror  \x1b[0m  boom\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RequestLog(decodeLog(t, tt.log), tt.opts); got != tt.want {
				t.Errorf("format:\n%s\nwant:\n%s\n(quoted: %q\n  want: %q)", got, tt.want, got, tt.want)
			}
		})
	}
}

func TestFormatMillis(t *testing.T) {
	tests := []struct {
		ms   float64
		want string
	}{
		{0, "0µs"},
		{0.0004, "0µs"},
		{0.299, "299µs"},
		{2.968, "3.0ms"},
		{999.94, "999.9ms"},
		{1250, "1.25s"},
		{61_000, "61.00s"},
		{-0.5, "-500µs"},
		{math.NaN(), "?"},
	}
	for _, tt := range tests {
		if got := formatMillis(tt.ms); got != tt.want {
			t.Errorf("formatMillis(%v) = %q, want %q", tt.ms, got, tt.want)
		}
	}
}
