package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// A path holding a right-to-left override, /orders/7\u202e/sgol/nimda,
// reads as /orders/7admin/logs/ where the override is obeyed. In headless
// Chromium, relayview's list and the request's page show the override and
// the isolates as their code points, and no hidden character reaches the
// page's text.
func TestBrowserShowsBidiControls(t *testing.T) {
	chromium := findChromium(t)
	brokers := otelrelayertest.Cluster(t)
	const path = "/orders/7\u202e/sgol/nimda\u2066x\u2069"
	v, err := json.Marshal(wire.RequestLog{Source: "attacker", LoggingTopic: "logging", Date: wire.Time{Time: time.Now()},
		Method: "GET", Path: path, Status: 200, RequestTime: 1, Lines: []wire.Line{}})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: "logging", Value: v}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	base := startView(t, brokers)
	browser := newBrowser(t, chromium)

	const want = "/orders/7⟨U+202E⟩/sgol/nimda⟨U+2066⟩x⟨U+2069⟩"
	do(t, browser, chromedp.Navigate(base))
	shown := run(t, browser, chromedp.Poll[string](`document.querySelector('#rows tr .path') && document.querySelector('#rows tr .path').textContent`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if shown != want {
		t.Errorf("the list shows the path as %q, want %q", shown, want)
	}
	screenshot(t, browser, "bidi-list.png")
	do(t, browser, chromedp.Click(chromedp.CSS(`#rows tr .request a`)), chromedp.WaitVisible(chromedp.CSS("#lines")))
	if h1 := run(t, browser, chromedp.Evaluate[string](`document.querySelector('h1 .path').textContent`)); h1 != want {
		t.Errorf("the request's page shows the path as %q, want %q", h1, want)
	}
	text := run(t, browser, chromedp.Evaluate[string](`document.body.innerText + document.title`))
	if i := strings.IndexAny(text, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200e\u200f\ufeff"); i >= 0 {
		t.Errorf("the request's page holds a hidden character at %d: %q", i, text)
	}
}
