// Package demotest holds the assertions the example programs' tests share.
package demotest

import (
	"encoding/json"
	"testing"

	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
	"github.com/otelrelayer/otelrelayer/wire"
)

// ReadRequestLogs is demo.ReadRequestLogs, failing t on error.
func ReadRequestLogs(t *testing.T, brokers []string) []wire.RequestLog {
	t.Helper()
	logs, err := demo.ReadRequestLogs(t.Context(), brokers)
	if err != nil {
		t.Fatal(err)
	}
	return logs
}

// ErrorLines returns the payloads of l's error lines.
func ErrorLines(t *testing.T, l wire.RequestLog) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, line := range l.Lines {
		if line.LogLevel != "error" {
			continue
		}
		var p map[string]string
		if err := json.Unmarshal(line.Payload, &p); err != nil {
			t.Fatalf("error line payload %s: %v", line.Payload, err)
		}
		out = append(out, p)
	}
	return out
}

// CheckString reports field when got differs from want.
func CheckString(t *testing.T, field, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", field, got, want)
	}
}

// FirstLineField returns the string field key of the payload of l's first
// line, failing t when there is no line or the payload is not an object.
func FirstLineField(t *testing.T, l wire.RequestLog, key string) string {
	t.Helper()
	if len(l.Lines) == 0 {
		t.Fatalf("request log of span %s (%s) has no lines", l.SpanID, l.Service)
	}
	var p map[string]any
	if err := json.Unmarshal(l.Lines[0].Payload, &p); err != nil {
		t.Fatalf("line payload %s: %v", l.Lines[0].Payload, err)
	}
	s, _ := p[key].(string)
	return s
}

// CheckService checks the service of an RPC-shaped request log and that it
// was timed.
func CheckService(t *testing.T, l wire.RequestLog, want string) {
	t.Helper()
	CheckString(t, "service", l.Service, want)
	if l.ServiceTime <= 0 {
		t.Errorf("service_time = %v, want > 0", l.ServiceTime)
	}
}
