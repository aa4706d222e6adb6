package webview

import (
	"bufio"
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/wire"
)

// sseEvent is one server-sent event as a browser reads it.
type sseEvent struct{ name, data string }

// readEvent reads the next event, skipping comments.
func readEvent(t *testing.T, r *bufio.Reader) sseEvent {
	t.Helper()
	var e sseEvent
	var data []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "" && e.name != "":
			e.data = strings.Join(data, "\n")
			return e
		case strings.HasPrefix(line, ":"), line == "":
		case strings.HasPrefix(line, "event: "):
			e.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		default:
			t.Fatalf("not a field of the stream: %q", line)
		}
	}
}

func TestLiveSendsNewMatchingRows(t *testing.T) {
	v := newView(t)
	srv := httptest.NewServer(v)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/live?status=5xx")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("GET /live: %d %s", resp.StatusCode, ct)
	}
	// The headers are only sent once the stream is subscribed: nothing
	// added from now on is missed.
	add(t, v,
		message(t, "logging", 0, 0, httpLog("GET", "/fine", 200, 0, "")),
		message(t, "logging", 0, 1, httpLog("GET", "/broken\r\nevent: reload\r\n", 503, 1, "")),
	)
	r := bufio.NewReader(resp.Body)
	e := readEvent(t, r)
	if e.name != "row" || !strings.HasPrefix(e.data, `<tr data-sort=`) || !strings.Contains(e.data, `data-href="/requests/logging/0/1"`) {
		t.Fatalf("first event %q %q, want the row of the 503", e.name, e.data)
	}
	if strings.Contains(e.data, "/fine") {
		t.Error("a 200 passed the 5xx filter")
	}
	// The carriage returns of the path stay in the row, as references.
	if !strings.Contains(e.data, "/broken&#13;") {
		t.Errorf("the path's carriage return is lost or breaks the frame: %q", e.data)
	}
	if err := wellFormed("<!DOCTYPE html>\n<html><table>" + e.data + "</table></html>"); err != nil {
		t.Errorf("the row is not well-formed: %v", err)
	}
}

// A row added between the making of the page and its live stream's start
// is sent first: the page never misses one.
func TestLiveSendsWhatCameAfterThePage(t *testing.T) {
	v := newView(t)
	add(t, v, message(t, "logging", 0, 0, httpLog("GET", "/before", 200, 0, "")))
	_, page := get(t, v, "/?path=/")
	live := regexp.MustCompile(`data-live="([^"]*)"`).FindStringSubmatch(page)
	if live == nil || !strings.Contains(live[1], "since=1") {
		t.Fatalf("the page's live URL %q does not say it holds the first request log", live)
	}
	add(t, v, message(t, "logging", 0, 1, httpLog("GET", "/between", 200, 1, "")))

	srv := httptest.NewServer(v)
	defer srv.Close()
	resp, err := http.Get(srv.URL + html.UnescapeString(live[1]))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	add(t, v, message(t, "logging", 0, 2, httpLog("GET", "/after", 200, 2, "")))
	r := bufio.NewReader(resp.Body)
	for _, want := range []string{"/requests/logging/0/1", "/requests/logging/0/2"} {
		if e := readEvent(t, r); !strings.Contains(e.data, `data-href="`+want+`"`) {
			t.Errorf("event %q, want the row of %s", e.data, want)
		}
	}
}

func TestSlowSubscriberIsCutOff(t *testing.T) {
	v := newView(t)
	rows, _, cancel := v.store.subscribe()
	defer cancel()
	for i := range 300 {
		add(t, v, message(t, "logging", 0, int64(i), httpLog("GET", "/", 200, float64(i), "")))
	}
	n := 0
	for range rows {
		n++
	}
	if n != 256 {
		t.Errorf("%d rows before the channel closed, want its buffer of 256", n)
	}
	// The page then gets a reload event and the stream ends.
	var b bytes.Buffer
	appendEvent(&b, "reload", "behind")
	if b.String() != "event: reload\ndata: behind\n\n" {
		t.Errorf("%q", b.String())
	}
}

func TestLiveEndsWithTheRequest(t *testing.T) {
	v := newView(t)
	srv := httptest.NewServer(v)
	resp, err := http.Get(srv.URL + "/live")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	srv.Close() // waits for the handler to return
	deadline := time.Now().Add(5 * time.Second)
	for {
		v.store.mu.Lock()
		n := len(v.store.subs)
		v.store.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions left after the page went away", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The live stream keeps to the page's search: only new request logs the
// search finds are sent.
func TestLiveKeepsToTheSearch(t *testing.T) {
	v := newView(t)
	srv := httptest.NewServer(v)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/live?q=" + url.QueryEscape(`payload.order_id=42 "gift"`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	add(t, v,
		message(t, "logging", 0, 0, httpLog("POST", "/orders", 201, 0, "",
			wire.Line{EventType: "order_created", Payload: json.RawMessage(`{"order_id":41,"note":"gift"}`), Timestamp: at(1)})),
		message(t, "logging", 0, 1, httpLog("POST", "/orders", 201, 1, "",
			wire.Line{EventType: "order_created", Payload: json.RawMessage(`{"order_id":42,"note":"gift"}`), Timestamp: at(2)})),
	)
	if e := readEvent(t, bufio.NewReader(resp.Body)); e.name != "row" || !strings.Contains(e.data, `data-href="/requests/logging/0/1"`) {
		t.Fatalf("first event %q %q, want the row of order 42", e.name, e.data)
	}
	if code, _ := get(t, v, "/live?q=stauts%3D5"); code != http.StatusBadRequest {
		t.Errorf("a malformed search's live stream: status %d, want 400", code)
	}
}
