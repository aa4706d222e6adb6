package consolefmt

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"github.com/otelrelayer/otelrelayer/wire"
)

// hostileText holds what a terminal obeys: an OSC sequence (window title),
// a CSI sequence (clear the screen), the 8-bit CSI and a carriage return.
const hostileText = "x\x1b]0;owned\x07\x1b[2J\u009b31m\ry"

// checkNoControls fails t when out, printed with colours off, holds a
// control character other than the row ends.
func checkNoControls(t *testing.T, what, out string) {
	t.Helper()
	for _, r := range strings.TrimSuffix(out, "\n") {
		if r != '\n' && !unicode.IsPrint(r) && r != ' ' {
			t.Errorf("%s writes the control character %U of a message to the terminal: %q", what, r, out)
			return
		}
	}
}

// Relaytail and relayer-dev print messages of any producer to a terminal:
// the values in them must not reach it as control sequences. An HTTP path
// holds what the client percent-encoded (/%1b%5b2J is "\x1b[2J").
func TestControlCharactersAreEscaped(t *testing.T) {
	s, _ := json.Marshal(hostileText)
	h := string(s)
	body := `{"source":` + h + `,"logging_topic":"logging","date":"2026-11-27T05:03:52Z","method":` + h +
		`,"path":` + h + `,"query_string":` + h + `,"status":200,"service":` + h + `,"trace_id":` + h +
		`,"lines":[{"source":"o","event_type":` + h + `,"event_subtype":` + h + `,"payload":1,"timestamp":"2026-11-27T05:03:52Z","event_id":` + h + `},` +
		`{"log_level":` + h + `,"payload":"p","timestamp":"2026-11-27T05:03:52Z"}],"dropped_lines":0}`
	var l wire.RequestLog
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		t.Fatal(err)
	}
	checkNoControls(t, "RequestLog", RequestLog(&l, Options{Verbose: true}))
	l.Method = "" // an RPC root shows its service
	checkNoControls(t, "RequestLog of an RPC", RequestLog(&l, Options{}))

	e := wire.Event{Source: hostileText, EventType: hostileText, EventSubtype: hostileText, Payload: json.RawMessage(`1`)}
	checkNoControls(t, "Event", Event(hostileText, &e, hostileText, Options{}))
	checkNoControls(t, "Other", Other(hostileText, 0, 0, e.Timestamp.Time, []byte(hostileText), Options{}))
}

// JSON leaves C1 controls (U+0080 to U+009F, the 8-bit CSI among them) and
// DEL unescaped inside strings: payloads shown as JSON must escape them.
func TestControlCharactersInJSONAreEscaped(t *testing.T) {
	const payload = "{\"msg\":\"a\u009b2Jb\u007f\"}"
	body := `{"source":"s","logging_topic":"logging","date":"2026-11-27T05:03:52Z","method":"GET","path":"/","status":200,` +
		`"lines":[{"source":"o","event_type":"t","event_subtype":"","payload":` + payload + `,"timestamp":"2026-11-27T05:03:52Z"},` +
		`{"log_level":"info","payload":` + payload + `,"timestamp":"2026-11-27T05:03:52Z"},` + payload + `],"dropped_lines":0}`
	var l wire.RequestLog
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		t.Fatal(err)
	}
	out := RequestLog(&l, Options{Verbose: true})
	checkNoControls(t, "RequestLog", out)
	if !strings.Contains(out, `{"msg":"a\u009b2Jb\u007f"}`) {
		t.Errorf("the payload is not shown as JSON with its controls escaped:\n%s", out)
	}
	e := wire.Event{Source: "s", EventType: "t", Payload: json.RawMessage(payload)}
	checkNoControls(t, "Event", Event("t", &e, "", Options{}))
	checkNoControls(t, "Other", Other("t", 0, 0, e.Timestamp.Time, []byte(payload), Options{}))
}

// A path holding a right-to-left override reads as another path: the
// tools show bidirectional and invisible format characters as escapes.
func TestBidiAndInvisibleCharactersAreVisible(t *testing.T) {
	const path = "/orders/7\u202e/sgol/nimda\u2066\u200b\ufeff"
	l := wire.RequestLog{Method: "GET", Path: path, Status: 200, Source: path, UserAgent: path,
		Lines: []wire.Line{{LogLevel: "info", Payload: json.RawMessage(`{"p":"` + path + `"}`)}}}
	out := RequestLog(&l, Options{Verbose: true})
	checkNoControls(t, "RequestLog", out)
	if !strings.Contains(out, `/orders/7\u202e/sgol/nimda\u2066\u200b\ufeff`) {
		t.Errorf("the path is not shown with its controls escaped:\n%s", out)
	}
	e := wire.Event{Source: path, EventType: path, EventSubtype: path, Payload: json.RawMessage(`"` + path + `"`)}
	checkNoControls(t, "Event", Event(path, &e, path, Options{}))
	checkNoControls(t, "Other", Other(path, 0, 0, e.Timestamp.Time, []byte(path), Options{}))
}
