package webview_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/otelrelayer/otelrelayer/cmd/internal/webview"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// syncBuffer is a bytes.Buffer safe for the view's log and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func eventRecord(t *testing.T, id string) *kgo.Record {
	t.Helper()
	v, err := json.Marshal(wire.Event{Source: "shop", EventType: "order_created", Payload: json.RawMessage(`{"order_id":42}`), Timestamp: wire.Time{Time: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	return &kgo.Record{Topic: "order_created", Key: []byte("42"), Value: v, Headers: []kgo.RecordHeader{
		{Key: wire.EventIDHeader, Value: []byte(id)}, {Key: "tenant", Value: []byte("acme")}}}
}

// replayView is a view of brokers with replay on, its base URL, a client
// to produce with, and the replay log.
func replayView(t *testing.T, brokers []string) (string, *kgo.Client, *syncBuffer) {
	t.Helper()
	replayer, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replayer.Close)
	log := new(syncBuffer)
	base, cl := viewOf(t, brokers, webview.WithReplay(replayer, log))
	return base, cl, log
}

// replayAt returns the at field of an event page's replay form.
func replayAt(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`name="at" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no at field in the replay form:\n%s", page)
	}
	return m[1]
}

func post(t *testing.T, target string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// With WithReplay, an event's page re-produces the event with a new event
// ID and the relayer-replay-of header, when the form carries the view's
// CSRF token; the replay is logged with both IDs.
func TestReplayReproducesTheEvent(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "order_created", "replayed"))
	base, cl, log := replayView(t, brokers)
	const id = "0193a7f0-0000-7000-8000-000000000042"
	orig := eventRecord(t, id)
	produce(t, cl, orig)
	page := waitForPage(t, base+"/events/"+id, `id="replay"`)
	token := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(page)
	if token == nil {
		t.Fatalf("no CSRF token in the form:\n%s", page)
	}
	if code, body := post(t, base+"/events/"+id+"/replay", url.Values{"topic": {"replayed"}}); code != http.StatusForbidden || !strings.Contains(body, "CSRF") {
		t.Errorf("a replay without the token: status %d, want 403 naming the CSRF token:\n%s", code, body)
	}
	if code, _ := post(t, base+"/events/"+id+"/replay", url.Values{"topic": {"replayed"}, "csrf": {strings.Repeat("0", 32)}}); code != http.StatusForbidden {
		t.Errorf("a replay with a wrong token: status %d, want 403", code)
	}
	code, body := post(t, base+"/events/"+id+"/replay", url.Values{"topic": {"replayed"}, "csrf": {token[1]}, "at": {replayAt(t, page)}})
	if code != http.StatusOK {
		t.Fatalf("replay: status %d:\n%s", code, body)
	}
	newID := regexp.MustCompile(`id="new-event" href="/events/([0-9a-f-]{36})"`).FindStringSubmatch(body)
	if newID == nil || newID[1] == id {
		t.Fatalf("the replay's page names no new event ID:\n%s", body)
	}

	// Read back from the broker.
	consumer, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("replayed"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	fetches := consumer.PollRecords(ctx, 1)
	if err := fetches.Err(); err != nil {
		t.Fatal(err)
	}
	recs := fetches.Records()
	if len(recs) != 1 {
		t.Fatalf("%d records on the replay topic, want 1", len(recs))
	}
	headers := map[string]string{}
	for _, h := range recs[0].Headers {
		headers[h.Key] = string(h.Value)
	}
	if headers[wire.ReplayOfHeader] != id || headers[wire.EventIDHeader] != newID[1] || headers["tenant"] != "acme" ||
		string(recs[0].Key) != "42" || !bytes.Equal(recs[0].Value, orig.Value) {
		t.Errorf("the replayed record: key %q, headers %v, value %s", recs[0].Key, headers, recs[0].Value)
	}
	if want := "replayed event " + id + " as " + newID[1] + " to replayed[0] offset 0"; !strings.Contains(log.String(), want) {
		t.Errorf("the replay log %q lacks %q", log.String(), want)
	}
}

// Without WithReplay the event's page has no replay button and the
// endpoint answers 403, token or not.
func TestReplayIsOffByDefault(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "order_created"))
	base, cl := viewOf(t, brokers)
	const id = "0193a7f0-0000-7000-8000-000000000043"
	produce(t, cl, eventRecord(t, id))
	page := waitForPage(t, base+"/events/"+id, `<dd>order_created</dd>`)
	if strings.Contains(page, `id="replay"`) || strings.Contains(page, `name="csrf"`) {
		t.Error("a replay form without WithReplay")
	}
	if code, body := post(t, base+"/events/"+id+"/replay", url.Values{"csrf": {"x"}}); code != http.StatusForbidden || !strings.Contains(body, "-allow-replay") {
		t.Errorf("status %d, want 403 saying -allow-replay:\n%s", code, body)
	}
}

// A page reached through a DNS name that rebinds to the view (Host is the
// attacker's name), or a form posted from another origin, gets no replay:
// the token is not served to it and the POST answers 403 whatever it holds.
func TestReplayRefusesForeignHostsAndOrigins(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "order_created", "replayed"))
	base, cl, _ := replayView(t, brokers)
	const id = "0193a7f0-0000-7000-8000-000000000044"
	produce(t, cl, eventRecord(t, id))
	page := waitForPage(t, base+"/events/"+id, `id="replay"`)
	token := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	u, _ := url.Parse(base)
	_, port, _ := strings.Cut(u.Host, ":")
	send := func(method, path, host, origin, site string, form url.Values) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	rebound := "attacker.example:" + port
	if _, body := send(http.MethodGet, "/events/"+id, rebound, "", "", nil); strings.Contains(body, token) {
		t.Error("the event's page served the CSRF token to a request for another host name (DNS rebinding)")
	}
	form := url.Values{"topic": {"replayed"}, "csrf": {token}, "at": {replayAt(t, page)}}
	for _, c := range []struct{ name, host, origin, site string }{
		{"rebound host", rebound, "http://" + rebound, "same-origin"},
		{"cross-origin post", u.Host, "http://attacker.example", "cross-site"},
		{"opaque origin", u.Host, "null", "cross-site"},
	} {
		if code, body := send(http.MethodPost, "/events/"+id+"/replay", c.host, c.origin, c.site, form); code != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403:\n%.600s", c.name, code, body)
		}
	}
	// As a browser posts the page's form under Referrer-Policy: no-referrer.
	if code, body := send(http.MethodPost, "/events/"+id+"/replay", u.Host, "null", "same-origin", form); code != http.StatusOK {
		t.Errorf("same origin: status %d, want 200:\n%.600s", code, body)
	}
}

// A replay to a topic the cluster does not have creates none: it fails
// with a 502 page naming the topic and the broker's reason, in bounded time.
func TestReplayToAMissingTopicSaysSo(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "order_created"))
	base, cl, log := replayView(t, brokers)
	const id = "0193a7f0-0000-7000-8000-000000000045"
	produce(t, cl, eventRecord(t, id))
	page := waitForPage(t, base+"/events/"+id, `id="replay"`)
	token := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	code, body := post(t, base+"/events/"+id+"/replay", url.Values{"topic": {"no_such_topic"}, "csrf": {token}, "at": {replayAt(t, page)}})
	if code != http.StatusBadGateway || !strings.Contains(body, "no_such_topic") || !strings.Contains(body, "UNKNOWN_TOPIC_OR_PARTITION") {
		t.Errorf("status %d, want 502 naming the topic and the broker's reason:\n%s", code, body)
	}
	if !strings.Contains(log.String(), "to no_such_topic failed") {
		t.Errorf("the failed replay is not logged: %q", log.String())
	}
}

// A replay did not go through the outbox: the replayed message carries no
// relayer-outbox-written-at header, so its page shows no outbox delay
// (the time since the original's outbox write) and outbox=true does not
// find it.
func TestReplayOfAnOutboxEventIsNotAnOutboxEvent(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "order_created"))
	base, cl, _ := replayView(t, brokers)
	const id = "0193a7f0-0000-7000-8000-000000000046"
	orig := eventRecord(t, id)
	orig.Headers = append(orig.Headers, kgo.RecordHeader{Key: wire.OutboxWrittenAtHeader,
		Value: []byte(time.Now().Add(-72 * time.Hour).UTC().Format(time.RFC3339Nano))})
	produce(t, cl, orig)
	page := waitForPage(t, base+"/events/"+id, `id="outbox-delay"`)
	token := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	code, body := post(t, base+"/events/"+id+"/replay", url.Values{"csrf": {token}, "at": {replayAt(t, page)}})
	newID := regexp.MustCompile(`id="new-event" href="/events/([0-9a-f-]{36})"`).FindStringSubmatch(body)
	if code != http.StatusOK || newID == nil {
		t.Fatalf("replay: status %d:\n%s", code, body)
	}
	replayed := waitForPage(t, base+"/events/"+newID[1], "<dd>order_created</dd>")
	if strings.Contains(replayed, `id="outbox-delay"`) || strings.Contains(replayed, wire.OutboxWrittenAtHeader) {
		t.Errorf("the replayed event claims the outbox:\n%s", regexp.MustCompile(`(?s)<dl class="facts">.*?</table>`).FindString(replayed))
	}
}

// The replay re-produces the message its page showed: when another record
// with the same event ID (any producer can forge one, on any topic) took
// its place in the view after the page was shown, the replay answers 409
// and produces nothing, instead of replaying the forger's value.
func TestReplayRefusesAnEventReplacedSinceItsPage(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "order_created", "scratch"))
	base, cl, _ := replayView(t, brokers)
	const id = "0193a7f0-0000-7000-8000-000000000047"
	produce(t, cl, eventRecord(t, id))
	page := waitForPage(t, base+"/events/"+id, `id="replay"`)
	form := url.Values{}
	for _, in := range regexp.MustCompile(`<input (?:type="hidden" )?name="([a-z]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		form.Set(in[1], in[2])
	}
	forged := eventRecord(t, id)
	forged.Topic, forged.Value = "scratch", []byte(`{"source":"x","event_type":"order_created","event_subtype":"","payload":{"refund":1000000},"timestamp":"2026-12-07T10:00:00Z"}`)
	produce(t, cl, forged)
	waitForPage(t, base+"/events/"+id, "<dd>scratch</dd>")
	if code, body := post(t, base+"/events/"+id+"/replay", form); code != http.StatusConflict {
		t.Errorf("the form of the page shown before the forged record: status %d, want 409:\n%.3000s", code, body)
	}
}

// A replay whose record the broker answers later than the replay waits is
// still confirmed, not reported failed: franz-go fails a record on its
// context only when it cannot have been written, so "Replay failed" never
// hides a write (a second replay would be a duplicate).
func TestReplayAnsweredLateIsConfirmedNotFailed(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "order_created"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	brokers := c.ListenAddrs()
	base, cl, log := replayView(t, brokers)
	const id = "0193a7f0-0000-7000-8000-000000000046"
	produce(t, cl, eventRecord(t, id))
	page := waitForPage(t, base+"/events/"+id, `id="replay"`)
	token := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	defer webview.SetReplayTimeout(300 * time.Millisecond)()
	var slow atomic.Bool
	slow.Store(true)
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if slow.Load() {
			time.Sleep(time.Second) // longer than the replay waits
		}
		return nil, nil, false
	})
	code, body := post(t, base+"/events/"+id+"/replay", url.Values{"topic": {"order_created"}, "csrf": {token}, "at": {replayAt(t, page)}})
	slow.Store(false)
	if code != http.StatusOK || !strings.Contains(body, "Event replayed") {
		t.Fatalf("status %d, want the replay confirmed:\n%s", code, body)
	}
	if !strings.Contains(log.String(), "replayed event "+id) {
		t.Errorf("the replay is not logged: %q", log.String())
	}
}
