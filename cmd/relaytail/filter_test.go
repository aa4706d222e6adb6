package main

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

func TestFilters(t *testing.T) {
	logs := map[string]wire.RequestLog{
		"GET /orders/7 200": {Method: "GET", Path: "/orders/7", Status: 200, TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"},
		"POST /orders 201":  {Method: "POST", Path: "/orders", Status: 201, TraceID: "0af7651916cd43dd8448eb211c80319c"},
		"GET /orders/9 404": {Method: "GET", Path: "/orders/9", Status: 404, TraceID: "5b8efff798038103d269b633813fc60c"},
		"GET /fail 503":     {Method: "GET", Path: "/fail", Status: 503, TraceID: "4bf92f3577b34da6a3ce929d0e0e4737"},
		"rpc":               {Service: "RPCHandler.create_order", TraceID: "a3ce929d0e0e47364bf92f3577b34da6"},
	}
	tests := []struct {
		name string
		args []string
		want []string // names of the matching logs
	}{
		{"no filter", nil, []string{"GET /fail 503", "GET /orders/7 200", "GET /orders/9 404", "POST /orders 201", "rpc"}},
		{"status class", []string{"-status", "5xx"}, []string{"GET /fail 503"}},
		{"status code", []string{"-status", "404"}, []string{"GET /orders/9 404"}},
		{"status list, upper case", []string{"-status", "4XX, 5xx"}, []string{"GET /fail 503", "GET /orders/9 404"}},
		{"status pattern", []string{"-status", "20x"}, []string{"GET /orders/7 200", "POST /orders 201"}},
		{"status matches no RPC", []string{"-status", "2xx,4xx,5xx"}, []string{"GET /fail 503", "GET /orders/7 200", "GET /orders/9 404", "POST /orders 201"}},
		{"path prefix", []string{"-path", "/orders"}, []string{"GET /orders/7 200", "GET /orders/9 404", "POST /orders 201"}},
		{"longer path prefix", []string{"-path", "/orders/"}, []string{"GET /orders/7 200", "GET /orders/9 404"}},
		{"path matches no RPC", []string{"-path", "/"}, []string{"GET /fail 503", "GET /orders/7 200", "GET /orders/9 404", "POST /orders 201"}},
		{"trace ID", []string{"-trace", "4bf92f3577b34da6a3ce929d0e0e4736"}, []string{"GET /orders/7 200"}},
		{"trace ID prefix, upper case", []string{"-trace", "4BF92F"}, []string{"GET /fail 503", "GET /orders/7 200"}},
		{"filters combine", []string{"-trace", "4bf92f", "-status", "5xx"}, []string{"GET /fail 503"}},
		{"nothing matches", []string{"-status", "2xx", "-path", "/fail"}, nil},
		{"query", []string{"-q", "status=5xx trace=4bf9"}, []string{"GET /fail 503"}},
		{"query with free text", []string{"-q", "orders/ method=GET"}, []string{"GET /orders/7 200", "GET /orders/9 404"}},
		{"query and flags combine", []string{"-q", "path=/orders", "-status", "2xx"}, []string{"GET /orders/7 200", "POST /orders 201"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseArgs(append([]string{"-brokers", "b:9092"}, tt.args...), io.Discard, noEnv, false)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for name, l := range logs {
				if cfg.filter.Match(&l) && cfg.query.MatchRequest(&tail.Message{Kind: tail.KindRequestLog, RequestLog: &l}) {
					got = append(got, name)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("matched %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		terminal bool
		check    func(t *testing.T, c config)
	}{
		{"defaults", []string{"-brokers", "a:1, b:2"}, nil, false, func(t *testing.T, c config) {
			if !slices.Equal(c.brokers, []string{"a:1", "b:2"}) || c.topic != "logging" || !c.fromBeginning ||
				c.limit != 0 || c.format.Verbose || c.format.Color {
				t.Errorf("config %+v", c)
			}
		}},
		{"brokers from KAFKA_BROKERS", nil, map[string]string{"KAFKA_BROKERS": "k:9092"}, false, func(t *testing.T, c config) {
			if !slices.Equal(c.brokers, []string{"k:9092"}) {
				t.Errorf("brokers %q", c.brokers)
			}
		}},
		{"-brokers wins over KAFKA_BROKERS", []string{"-brokers", "a:1"}, map[string]string{"KAFKA_BROKERS": "k:9092"}, false, func(t *testing.T, c config) {
			if !slices.Equal(c.brokers, []string{"a:1"}) {
				t.Errorf("brokers %q", c.brokers)
			}
		}},
		{"other flags", []string{"-brokers", "a:1", "-topic", "shop.logging", "-from-beginning=false", "-n", "3", "-v"}, nil, false, func(t *testing.T, c config) {
			if c.topic != "shop.logging" || c.fromBeginning || c.limit != 3 || !c.format.Verbose {
				t.Errorf("config %+v", c)
			}
		}},
		{"colour on a terminal", []string{"-brokers", "a:1"}, nil, true, func(t *testing.T, c config) {
			if !c.format.Color {
				t.Error("no colour on a terminal")
			}
		}},
		{"NO_COLOR on a terminal", []string{"-brokers", "a:1"}, map[string]string{"NO_COLOR": "1"}, true, func(t *testing.T, c config) {
			if c.format.Color {
				t.Error("colour despite NO_COLOR")
			}
		}},
		{"-color always", []string{"-brokers", "a:1", "-color", "always"}, map[string]string{"NO_COLOR": "1"}, false, func(t *testing.T, c config) {
			if !c.format.Color {
				t.Error("no colour with -color always")
			}
		}},
		{"-color never", []string{"-brokers", "a:1", "-color", "never"}, nil, true, func(t *testing.T, c config) {
			if c.format.Color {
				t.Error("colour with -color never")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseArgs(tt.args, io.Discard, environOf(tt.env), tt.terminal)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestParseArgsRejects(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no brokers", nil, "no brokers"},
		{"blank brokers", []string{"-brokers", " , "}, "no brokers"},
		{"status out of range", []string{"-status", "6xx"}, `-status "6xx"`},
		{"status too short", []string{"-status", "5x"}, `-status "5x"`},
		{"status list with a hole", []string{"-status", "4xx,"}, `-status "4xx,"`},
		{"trace not hex", []string{"-trace", "xyz"}, `-trace "xyz"`},
		{"trace too long", []string{"-trace", strings.Repeat("a", 33)}, "-trace"},
		{"query with an unknown key", []string{"-q", "stauts=500"}, `-q: "stauts=500": unknown key "stauts"`},
		{"query with a bad value", []string{"-q", "dur>=soon"}, `-q: "dur>=soon": want a duration`},
		{"negative -n", []string{"-n", "-1"}, "-n -1"},
		{"bad colour", []string{"-color", "yes"}, `-color "yes"`},
		{"empty topic", []string{"-topic", ""}, "-topic"},
		{"unknown flag", []string{"-follow"}, "flag provided but not defined"},
		{"argument", []string{"logging"}, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.name != "no brokers" && tt.name != "blank brokers" {
				args = append([]string{"-brokers", "a:1"}, args...)
			}
			_, err := parseArgs(args, io.Discard, noEnv, false)
			if _, ok := err.(cli.UsageError); !ok || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want a usage error containing %q", err, tt.wantErr)
			}
		})
	}
}

// noEnv is an empty environment: the tests never read the developer's.
var noEnv = []string{}

// environOf returns env as os.Environ's "NAME=value" entries.
func environOf(env map[string]string) []string {
	environ := []string{}
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	return environ
}
