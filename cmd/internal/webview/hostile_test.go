package webview_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/cmd/internal/webview"
	"github.com/otelrelayer/otelrelayer/internal/testing/hostile"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
	"github.com/otelrelayer/otelrelayer/wire"
)

// Hostile records, written to the embedded broker by hand, read by a view
// with the defaults.

// viewOf serves a view with the defaults, fed from brokers, and returns its
// URL and a producer to brokers.
func viewOf(t *testing.T, brokers []string, opts ...webview.Option) (string, *kgo.Client) {
	t.Helper()
	v, err := webview.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := tail.Open(t.Context(), tail.Config{Brokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	followed := make(chan error, 1)
	go func() { followed <- webview.Follow(ctx, tl, v) }()
	srv := httptest.NewServer(v)
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ProducerBatchMaxBytes(4<<20), kgo.ProducerLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cl.Close()
		srv.Close()
		cancel()
		tl.Close()
		if err := <-followed; err != nil {
			t.Errorf("Follow: %v", err)
		}
	})
	return srv.URL, cl
}

func produce(t *testing.T, cl *kgo.Client, rs ...*kgo.Record) {
	t.Helper()
	if err := cl.ProduceSync(t.Context(), rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

func logRecord(t *testing.T, date time.Time, path string, lines ...wire.Line) *kgo.Record {
	t.Helper()
	if lines == nil {
		lines = []wire.Line{}
	}
	v, err := json.Marshal(wire.RequestLog{Source: "shop", LoggingTopic: "logging", Date: wire.Time{Time: date}, Method: "GET",
		Path: path, Status: 200, RequestTime: 1, Lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	return &kgo.Record{Topic: "logging", Value: v}
}

// waitForPage gets url until it holds want, for up to 20 s, and returns it.
func waitForPage(t *testing.T, url, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		page := testkit.Get(t, url)
		if strings.Contains(page, want) {
			return page
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not show %q within 20s:\n%.2000s", url, want, page)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A zstd batch that inflates to 1 GiB sits between two request logs: the
// view skips it, lists the request log after it, and shows a marker row
// naming the topic, partition and offsets skipped.
func TestDecompressionBombIsAMarkerRow(t *testing.T) {
	brokers := testkit.HostileCluster(t, kfake.SeedTopics(1, "logging"))
	url, cl := viewOf(t, brokers)
	produce(t, cl, logRecord(t, time.Now(), "/before"))
	bomb, err := hostile.ZstdBomb(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	if err := hostile.ProduceBatch(t.Context(), cl, "logging", 0, bomb); err != nil {
		t.Fatal(err)
	}
	produce(t, cl, logRecord(t, time.Now(), "/after"))
	page := waitForPage(t, url+"/", `<span class="path">/after</span>`)
	if n := strings.Count(page, `<tr class="skipped">`); n != 1 || !strings.Contains(page, "logging partition 0, offsets 1 to 1") {
		t.Errorf("%d marker rows, want one naming logging partition 0, offsets 1 to 1:\n%s", n, page)
	}
	if !strings.Contains(page, `<span class="path">/before</span>`) {
		t.Error("the request log before the bomb is not listed")
	}
}

// 1,000 request logs dated 9999-12-31 fill the view; the fresh ones that
// arrive after them are held and listed first, and the forged dates are
// shown as such.
func TestForgedDatesDoNotBlindTheList(t *testing.T) {
	brokers := testkit.HostileCluster(t, kfake.SeedTopics(1, "logging"))
	url, cl := viewOf(t, brokers)
	forged := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	var rs []*kgo.Record
	for i := range webview.DefaultMaxRequests {
		rs = append(rs, logRecord(t, forged, fmt.Sprintf("/forged/%d", i)))
	}
	produce(t, cl, rs...)
	waitForPage(t, url+"/?path=/forged/999", `<span class="path">/forged/999</span>`)
	for i := range 5 {
		produce(t, cl, logRecord(t, time.Now(), fmt.Sprintf("/fresh/%d", i)))
	}
	page := waitForPage(t, url+"/", `<span class="path">/fresh/4</span>`)
	for i := range 5 {
		if !strings.Contains(page, fmt.Sprintf(`<span class="path">/fresh/%d</span>`, i)) {
			t.Errorf("/fresh/%d is not listed", i)
		}
	}
	if first := strings.Index(page, `<span class="path">/fresh/`); first < 0 || first > strings.Index(page, `<span class="path">/forged/`) {
		t.Error("the forged request logs are listed above the fresh ones")
	}
	if n := strings.Count(page, `forged date</span>`); n != webview.DefaultMaxRequests-5 {
		t.Errorf("%d rows marked as forged, want %d", n, webview.DefaultMaxRequests-5)
	}
	if strings.Contains(page, `/forged/0<`) {
		t.Error("the first forged request log is still held: eviction is not by arrival")
	}
}

// nested is JSON nested depth deep: [[[...1...]]].
func nested(depth int) string {
	return strings.Repeat("[", depth) + "1" + strings.Repeat("]", depth)
}

// An event and a request log of 20 KB nested 9,990 deep make pages of a
// few tens of KB, not of 200 MB: deep values are shown as written, with a
// note and a download of the whole value.
func TestDeepNestingMakesSmallPages(t *testing.T) {
	brokers := testkit.HostileCluster(t, kfake.SeedTopics(1, "logging", "deep"))
	url, cl := viewOf(t, brokers)
	deep := nested(9990)
	ev := `{"source":"shop","event_type":"deep","event_subtype":"","payload":` + deep + `,"timestamp":"2026-11-27T05:03:52Z"}`
	produce(t, cl, &kgo.Record{Topic: "deep", Value: []byte(ev), Headers: []kgo.RecordHeader{{Key: wire.EventIDHeader, Value: []byte("ev-deep")}}})
	produce(t, cl, logRecord(t, time.Now(), "/deep", wire.Line{LogLevel: "info", Payload: json.RawMessage(deep), Timestamp: wire.Time{Time: time.Now()}}))

	event := waitForPage(t, url+"/events/ev-deep", "nested deeper than 64 levels")
	list := waitForPage(t, url+"/", `<span class="path">/deep</span>`)
	detail := testkit.Get(t, url+rowURLs(list)[0])
	t.Logf("pages of the values nested 9,990 deep: event %d KB, request log %d KB", len(event)>>10, len(detail)>>10)
	for name, page := range map[string]string{"event": event, "request log": detail} {
		if len(page) > 256<<10 {
			t.Errorf("the %s page is %d KB", name, len(page)>>10)
		}
		if !strings.Contains(page, "nested deeper than 64 levels: shown as written") || !strings.Contains(page, `href="/raw/`) {
			t.Errorf("the %s page lacks the note and the download:\n%.3000s", name, page)
		}
	}
	if raw := testkit.Get(t, url+"/raw/events/ev-deep"); raw != ev {
		t.Errorf("the event's download is %d bytes, want the %d written", len(raw), len(ev))
	}
}

// 40 request logs with paths of 900 KB of '<' make a list page of well
// under a megabyte; each request's page is bounded too, with the whole
// record a download away.
func TestPagesAreBounded(t *testing.T) {
	brokers := testkit.HostileCluster(t, kfake.SeedTopics(1, "logging"))
	url, cl := viewOf(t, brokers)
	path := strings.Repeat("<", 900_000)
	for i := range 40 {
		// Written by hand: encoding/json would escape each < in six bytes.
		v := fmt.Sprintf(`{"source":"shop","logging_topic":"logging","date":%q,"method":"GET","path":"/%d/%s","status":200,"request_time":1,"lines":[]}`,
			time.Now().UTC().Format(time.RFC3339Nano), i, path)
		produce(t, cl, &kgo.Record{Topic: "logging", Value: []byte(v)})
	}
	// The last one listed: the view held all it could (64 MiB of them).
	list := waitForPage(t, url+"/", `<span class="path">/39/&lt;`)
	detail := testkit.Get(t, url+rowURLs(list)[0])
	t.Logf("40 request logs of 900 KB paths (%d held): list page %d KB, a request's page %d KB", strings.Count(list, "<tr data-sort"), len(list)>>10, len(detail)>>10)
	if len(list) > 1<<20 {
		t.Errorf("the list page is %d KB", len(list)>>10)
	}
	if len(detail) > 1<<20 || !strings.Contains(detail, "bytes more)") {
		t.Errorf("the request's page is %d KB, or does not say the path was cut", len(detail)>>10)
	}
	raw := testkit.Get(t, url+"/raw"+rowURLs(list)[0])
	if !strings.Contains(raw, `"path":"/39/<<<`) || len(raw) < 900_000 {
		t.Errorf("the download holds %d bytes, want the whole request log", len(raw))
	}
}

func rowURLs(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `data-href="`)[1:] {
		out = append(out, part[:strings.IndexByte(part, '"')])
	}
	return out
}

// The style sheet and the script are served; their directory is not
// listed.
func TestStaticHasNoDirectoryListing(t *testing.T) {
	v, err := webview.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(v)
	defer srv.Close()
	for path, want := range map[string]int{"/static/": 404, "/static": 404, "/static/app.js": 200, "/static/style.css": 200, "/static/templates/": 404} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

// A path holding a right-to-left override reads as /orders/7admin/logs/
// unless the override is shown: the pages show every bidirectional and
// invisible format character as its code point.
func TestHiddenCharactersAreShownVisibly(t *testing.T) {
	brokers := testkit.HostileCluster(t, kfake.SeedTopics(1, "logging"))
	url, cl := viewOf(t, brokers)
	produce(t, cl, logRecord(t, time.Now(), "/orders/7\u202e/sgol/nimda\u2066\u200b\ufeff\x1b[2J", wire.Line{LogLevel: "info", Payload: json.RawMessage(`"\u202e"`), Timestamp: wire.Time{Time: time.Now()}}))
	list := waitForPage(t, url+"/", `<span class="path">/orders/7⟨U+202E⟩/sgol/nimda⟨U+2066⟩⟨U+200B⟩⟨U+FEFF⟩⟨U+001B⟩[2J</span>`)
	detail := testkit.Get(t, url+rowURLs(list)[0])
	for name, page := range map[string]string{"list": list, "request": detail} {
		if i := strings.IndexAny(page, "\u202e\u2066\u200b\ufeff\x1b"); i >= 0 {
			t.Errorf("the %s page holds a hidden character at byte %d", name, i)
		}
	}
	if !strings.Contains(detail, `<span class="payload">⟨U+202E⟩</span>`) {
		t.Error("the request's page does not show the line's override")
	}
}
