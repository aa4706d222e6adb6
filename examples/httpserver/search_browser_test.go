package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// The web view's search, waterfall, event browser and replay in headless
// Chromium, against relayview started with -allow-replay: a search by
// request ID and by payload text finds the request; a trace through two
// services is one waterfall, the called service under the caller; the
// event browser filters on a payload field; a replay re-produces the
// event with its relayer-replay-of header (read back from the broker);
// a view without -allow-replay has no button and answers 403. A hostile
// payload stays text on every page.
func TestBrowserSearchesTracesAndReplays(t *testing.T) {
	chromium := findChromium(t)
	brokers := otelrelayertest.Cluster(t)
	saved := calls
	t.Cleanup(func() { calls = saved })
	calls = append(slices.Clip(calls), call{"GET", "/hello?name=" + url.QueryEscape(hostile), http.Header{"X-Request-Id": {"req-6"}}})
	if _, err := serve(t.Context(), brokers); err != nil {
		t.Fatal(err)
	}
	callThroughTwoServices(t, brokers, "gift wrap "+hostile, 42, 43)
	base := startView(t, brokers, "-allow-replay", "-since", "10m")
	browser := newBrowser(t, chromium)

	type listRow struct{ Request, Source string }
	readRows := `Array.from(document.querySelectorAll('#rows tr'), tr => ({
		Request: tr.querySelector('.request').textContent, Source: tr.querySelector('.source').textContent}))`

	// A search by request ID, then by text in an event's payload.
	rows := waitFor(t, browser, base+"?q="+url.QueryEscape("request=req-2"), readRows, func(r []listRow) bool { return len(r) > 0 })
	if len(rows) != 1 || rows[0].Request != "GET /hello?name=grace" {
		t.Errorf("request=req-2 finds %+v, want GET /hello?name=grace", rows)
	}
	if v := run(t, browser, chromedp.Evaluate[string](`document.getElementById('q').value`)); v != "request=req-2" {
		t.Errorf("the search box shows %q", v)
	}
	rows = waitFor(t, browser, base+"?q="+url.QueryEscape(`"gift wrap" payload.order_id=42`), readRows, func(r []listRow) bool { return len(r) > 0 })
	if len(rows) != 1 || rows[0].Request != "POST /orders/42" || rows[0].Source != "orders" {
		t.Errorf(`"gift wrap" payload.order_id=42 finds %+v, want POST /orders/42 of orders`, rows)
	}
	screenshot(t, browser, "search.png")

	// A hostile search finds the hostile request and stays text.
	const hostileSearch = `"<script>window.pwned=1</script>"`
	rows = waitFor(t, browser, base+"?q="+url.QueryEscape(hostileSearch), readRows, func(r []listRow) bool { return len(r) > 0 })
	// The hostile request's path, and the orders' event payloads (their note).
	if len(rows) != 3 || !strings.Contains(rows[2].Request, hostile) {
		t.Errorf("a search for the hostile name finds %+v, want the two orders and GET /hello?name=%s", rows, hostile)
	}
	if v := run(t, browser, chromedp.Evaluate[string](`document.getElementById('q').value`)); v != hostileSearch {
		t.Errorf("the search box shows %q", v)
	}
	checkNothingInjected(t, browser)

	// A malformed search: the reason, in the page.
	do(t, browser, chromedp.Navigate(base+"?q="+url.QueryEscape("stauts=500")))
	if msg := run(t, browser, chromedp.Evaluate[string](`document.getElementById('error').textContent`)); !strings.Contains(msg, `unknown key "stauts"`) {
		t.Errorf("a malformed search says %q", msg)
	}

	// The waterfall of the checkout of order 42: the gateway's request,
	// the orders service's under it, its event linked.
	do(t, browser, chromedp.Navigate(base+"?q="+url.QueryEscape("request=checkout-42")), chromedp.Click(chromedp.CSS("#rows tr .request a")),
		chromedp.WaitVisible(chromedp.CSS("#lines")), chromedp.Click(chromedp.CSS(`dd.trace a[href^="/traces/"]`)), chromedp.WaitVisible(chromedp.CSS("#waterfall")))
	type wfRow struct{ Class, Label string }
	wf := run(t, browser, chromedp.Evaluate[[]wfRow](`Array.from(document.querySelectorAll('#waterfall > li'), li => ({
		Class: li.className, Label: li.querySelector('.wf-label').textContent}))`))
	if len(wf) != 2 || !strings.HasPrefix(wf[0].Class, "wf-row depth-0") || !strings.Contains(wf[0].Label, "GET /checkout/42") ||
		!strings.HasPrefix(wf[1].Class, "wf-row depth-1") || !strings.Contains(wf[1].Label, "POST /orders/42") || !strings.Contains(wf[1].Label, "orders") {
		t.Errorf("the waterfall shows %+v, want GET /checkout/42 (gateway) over POST /orders/42 (orders)", wf)
	}
	checkNothingInjected(t, browser)
	screenshot(t, browser, "waterfall.png")
	do(t, browser, chromedp.Click(chromedp.CSS("#waterfall a.event")), chromedp.WaitVisible(chromedp.CSS("pre.body")))
	eventURL := run(t, browser, chromedp.Evaluate[string](`location.pathname`))
	original := strings.TrimPrefix(eventURL, "/events/")

	// The event browser: a payload field filter.
	type eventRow struct{ Type, Payload string }
	events := waitFor(t, browser, base+"events?topic=order_created&q="+url.QueryEscape("payload.order_id=43"),
		`Array.from(document.querySelectorAll('#event-rows tr'), tr => ({Type: tr.querySelector('.type').textContent, Payload: tr.querySelector('.payload').textContent}))`,
		func(r []eventRow) bool { return len(r) > 0 })
	if len(events) != 1 || !strings.Contains(events[0].Payload, `"order_id":43`) || !strings.Contains(events[0].Payload, strings.ReplaceAll(hostile, `"`, `\"`)) {
		t.Errorf("payload.order_id=43 lists %+v", events)
	}
	checkNothingInjected(t, browser)
	screenshot(t, browser, "events.png")

	// Replay the event of order 42 from its page.
	do(t, browser, chromedp.Navigate(base+"events/"+original), chromedp.WaitVisible(chromedp.CSS("#replay")))
	if e := run(t, browser, chromedp.Evaluate[string](`document.getElementById('emitter').textContent`)); !strings.Contains(e, "POST /orders/42") {
		t.Errorf("the event's page names %q as its emitter", e)
	}
	checkNothingInjected(t, browser)
	screenshot(t, browser, "event-replay.png")
	do(t, browser, chromedp.Click(chromedp.CSS("#replay")), chromedp.WaitVisible(chromedp.CSS("#replayed")))
	newID := run(t, browser, chromedp.Evaluate[string](`document.getElementById('new-event').textContent`))
	checkNothingInjected(t, browser)
	rec := readReplayed(t, brokers, newID)
	if got := header(rec, wire.ReplayOfHeader); got != original {
		t.Errorf("the replayed record's %s is %q, want %q", wire.ReplayOfHeader, got, original)
	}

	// Without -allow-replay: no button, and the endpoint answers 403.
	plain := startView(t, brokers, "-since", "10m")
	waitFor(t, browser, plain+"events/"+original, `document.querySelector('pre.body') !== null`, func(ok bool) bool { return ok })
	if n := run(t, browser, chromedp.Evaluate[int](`document.querySelectorAll('#replay, form.replay').length`)); n != 0 {
		t.Error("a replay button without -allow-replay")
	}
	resp, err := http.PostForm(plain+"events/"+original+"/replay", url.Values{"csrf": {"guess"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a replay POST without -allow-replay: status %d, want 403", resp.StatusCode)
	}
}

// readReplayed reads order_created from the start until the record with
// the event ID id.
func readReplayed(t *testing.T, brokers []string, id string) *kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("order_created"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("no record with event ID %s on order_created within 20s", id)
		}
		for _, r := range fetches.Records() {
			if header(r, wire.EventIDHeader) == id {
				return r
			}
		}
	}
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
