package schematest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// schemas are the compiled schemas of package wire.
type schemas struct {
	event, requestLog *jsonschema.Schema
}

func compile(t *testing.T) schemas {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	var s schemas
	for _, sc := range []struct {
		doc []byte
		out **jsonschema.Schema
	}{{wire.EventSchema, &s.event}, {wire.RequestLogSchema, &s.requestLog}} {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(sc.doc))
		if err != nil {
			t.Fatalf("schema is not JSON: %v", err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if err := c.AddResource(id, doc); err != nil {
			t.Fatal(err)
		}
		if *sc.out, err = c.Compile(id); err != nil {
			t.Fatalf("compiling %s: %v", id, err)
		}
	}
	return s
}

// kind says which schema a message body is for, by its keys as tail and
// relaytail decide: a request log has date and lines, an event has
// event_type and timestamp. Other bodies (EmitRaw messages) have no schema.
func kind(value []byte) string {
	var keys map[string]json.RawMessage
	if json.Unmarshal(value, &keys) != nil {
		return ""
	}
	_, date := keys["date"]
	_, lines := keys["lines"]
	_, eventType := keys["event_type"]
	_, timestamp := keys["timestamp"]
	switch {
	case date && lines:
		return "request log"
	case eventType && timestamp:
		return "event"
	}
	return ""
}

// validate checks value against the schema of its kind and returns the
// kind ("" when it has none).
func (s schemas) validate(value []byte) (string, error) {
	k := kind(value)
	if k == "" {
		return "", nil
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(value))
	if err != nil {
		return k, err
	}
	if k == "event" {
		return k, s.event.Validate(v)
	}
	return k, s.requestLog.Validate(v)
}

func TestPythonMessages(t *testing.T) {
	s := compile(t)
	files, err := filepath.Glob(filepath.Join("testdata", "python", "*.json"))
	if err != nil || len(files) < 5 {
		t.Fatalf("python messages: %v, %d files", err, len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		k, err := s.validate(b)
		if k == "" || err != nil {
			t.Errorf("%s (%q): %v", f, k, err)
		}
	}
}

// The schemas reject what consumers could not decode, so that a passing
// validation means something.
func TestSchemasReject(t *testing.T) {
	s := compile(t)
	const event = `{"source":"orders","event_type":"entity_created","event_subtype":"root","payload":{"id":10},"timestamp":"2026-11-27T05:03:52.537020Z"}`
	const logLines = `{"source":"o","logging_topic":"logging","date":"2026-11-27T05:03:52.429079Z","status":200,"lines":[%s],"dropped_lines":0}`
	log := strings.Replace(logLines, "%s", "", 1)
	bad := map[string]string{
		"event without subtype":         strings.Replace(event, `"event_subtype":"root",`, "", 1),
		"event without payload":         strings.Replace(event, `"payload":{"id":10},`, "", 1),
		"event type empty":              strings.Replace(event, `"event_type":"entity_created"`, `"event_type":""`, 1),
		"event timestamp not RFC 3339":  strings.Replace(event, `2026-11-27T05:03:52.537020Z`, `27/11/2026 05:03`, 1),
		"event source a number":         strings.Replace(event, `"source":"orders"`, `"source":7`, 1),
		"request log date not a time":   strings.Replace(log, `2026-11-27T05:03:52.429079Z`, `yesterday`, 1),
		"request log status a string":   strings.Replace(log, `"status":200`, `"status":"200"`, 1),
		"request log without source":    strings.Replace(log, `"source":"o",`, "", 1),
		"request log dropped negative":  strings.Replace(log, `"dropped_lines":0`, `"dropped_lines":-1`, 1),
		"request log trace ID not hex":  strings.Replace(log, `"status":200`, `"status":200,"trace_id":"xyz"`, 1),
		"request log lines an object":   `{"source":"o","logging_topic":"l","date":"2026-11-27T05:03:52Z","lines":{}}`,
		"log line without timestamp":    strings.Replace(logLines, "%s", `{"log_level":"info","payload":"x"}`, 1),
		"event line without subtype":    strings.Replace(logLines, "%s", `{"source":"o","event_type":"t","payload":1,"timestamp":"2026-11-27T05:03:52Z"}`, 1),
		"log line level a number":       strings.Replace(logLines, "%s", `{"log_level":3,"payload":"x","timestamp":"2026-11-27T05:03:52Z"}`, 1),
		"log line timestamp not a time": strings.Replace(logLines, "%s", `{"log_level":"info","payload":"x","timestamp":"now"}`, 1),
		"route a number":                strings.Replace(log, `"status":200`, `"status":200,"route":7`, 1),
		"rpc_status_code a string":      strings.Replace(log, `"status":200`, `"rpc_status_code":"5"`, 1),
		"rpc_status a number":           strings.Replace(log, `"status":200`, `"rpc_status":5`, 1),
		"attributes an array":           strings.Replace(log, `"status":200`, `"attributes":["a"]`, 1),
		"dropped_attributes zero":       strings.Replace(log, `"status":200`, `"dropped_attributes":0`, 1),
		"event line with empty type":    strings.Replace(logLines, "%s", `{"source":"o","event_type":"","event_subtype":"","payload":1,"timestamp":"2026-11-27T05:03:52Z"}`, 1),
	}
	for name, body := range bad {
		k, err := s.validate([]byte(body))
		if k == "" {
			t.Errorf("%s: not recognised as an event or a request log: %s", name, body)
		} else if err == nil {
			t.Errorf("%s: valid, want rejected: %s", name, body)
		}
	}
	// Lines that are EmitRaw messages may be any JSON.
	for _, line := range []string{`[1,2]`, `"text"`, `null`, `{"any":"object"}`} {
		body := strings.Replace(logLines, "%s", line, 1)
		if _, err := s.validate([]byte(body)); err != nil {
			t.Errorf("raw line %s: %v", line, err)
		}
	}
}

// TestDumpedMessages validates every event and request log the rest of
// the test suite produced, when it ran with the message dump on (make test
// does). Run alone, without the dump, it is skipped and says so.
func TestDumpedMessages(t *testing.T) {
	dir := os.Getenv(otelrelayertest.DumpEnv)
	if dir == "" {
		t.Skipf("%s is not set: run make test to validate the messages of the whole test suite", otelrelayertest.DumpEnv)
	}
	s := compile(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	processes := map[string]bool{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			var m struct {
				Origin, Process, Topic string
				Value                  []byte
			}
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			k, err := s.validate(m.Value)
			counts[k]++
			processes[m.Process] = true
			if err != nil {
				t.Errorf("%s of %s (%s) on %s does not match its schema: %v\n%s", k, m.Process, m.Origin, m.Topic, err, m.Value)
			}
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	t.Logf("validated %d request logs and %d events from %d test processes; %d other messages (EmitRaw and others) have no schema",
		counts["request log"], counts["event"], len(processes), counts[""])
	// The dump is on: finding (almost) nothing means it did not work.
	if counts["request log"] < 100 || counts["event"] < 20 || len(processes) < 4 {
		t.Errorf("the dump in %s holds %d request logs and %d events from %d test processes: the suite produces far more", dir, counts["request log"], counts["event"], len(processes))
	}
}
