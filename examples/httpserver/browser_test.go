package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// hostile is a name whose greeting carries markup that would run if the
// page did not escape it.
const hostile = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2">`

// The web view in headless Chromium: the example's requests appear in the
// list while the page is open, the detail view shows a request's lines in
// order with its trace and events linked, and a hostile payload stays text.
// Screenshots of each view go to the test's artifact directory (kept with
// go test -artifacts).
func TestBrowserShowsTheRequests(t *testing.T) {
	chromium := findChromium(t)
	brokers := otelrelayertest.Cluster(t)
	base := startView(t, brokers, "-trace-url", "http://localhost:16686/trace/{trace_id}")
	browser := newBrowser(t, chromium)

	// The list is open before any request: its rows must arrive live.
	do(t, browser, chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS("#live.on")))
	run(t, browser, chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`))

	// The example's requests, and one more whose name is hostile.
	saved := calls
	t.Cleanup(func() { calls = saved })
	calls = append(slices.Clip(calls), call{"GET", "/hello?name=" + url.QueryEscape(hostile), http.Header{"X-Request-Id": {"req-6"}}})
	if _, err := serve(t.Context(), brokers); err != nil {
		t.Fatal(err)
	}

	// Newest first: the last call on top.
	type listRow struct{ Request, Status, Trace string }
	rows := run(t, browser, chromedp.Poll[[]listRow](`document.querySelectorAll('#rows tr').length >= `+strconv.Itoa(len(calls))+` &&
		Array.from(document.querySelectorAll('#rows tr'), tr => ({
			Request: tr.querySelector('.request').textContent,
			Status: tr.children[1].textContent,
			Trace: tr.querySelector('.trace').textContent}))`, chromedp.WithPollingTimeout(30*time.Second)))
	var want []string
	for _, c := range slices.Backward(calls) {
		status := "200"
		if c.path == "/panic" {
			status = "500"
		}
		path, _ := url.QueryUnescape(c.path) // shown decoded, as text
		want = append(want, c.method+" "+path+" "+status)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Request+" "+r.Status)
	}
	if !slices.Equal(got, want) {
		t.Errorf("the list shows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !run(t, browser, chromedp.Evaluate[bool](`window.notReloaded === true`)) {
		t.Error("the page reloaded to show the rows; they should arrive live")
	}
	screenshot(t, browser, "list.png")

	// The detail view of GET /hello?name=ada: its event, then its log line.
	ada := len(rows) - 1
	do(t, browser, chromedp.Click(chromedp.CSS(`#rows tr:nth-child(`+strconv.Itoa(ada+1)+`) .request a`)), chromedp.WaitVisible(chromedp.CSS("#lines")))
	type timelineLine struct{ Kind, Offset, Text string }
	readLines := `Array.from(document.querySelectorAll('#lines li'), li => ({
		Kind: li.className.replace('line ', ''),
		Offset: li.querySelector('.offset').textContent,
		Text: li.querySelector('.what').textContent}))`
	lines := run(t, browser, chromedp.Evaluate[[]timelineLine](readLines))
	wantLines := []timelineLine{
		{Kind: "event", Text: "greeting_sent · web greeting_sent · partition "},
		{Kind: "info", Text: `{"msg":"greeted","name":"ada"}`},
	}
	if len(lines) != len(wantLines) {
		t.Fatalf("timeline %+v, want %d lines", lines, len(wantLines))
	}
	last := -1.0
	for i, l := range lines {
		if l.Kind != wantLines[i].Kind || !strings.HasPrefix(l.Text, wantLines[i].Text) && l.Text != wantLines[i].Text {
			t.Errorf("line %d: %+v, want %s %q", i, l, wantLines[i].Kind, wantLines[i].Text)
		}
		ms, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(l.Offset, "+"), " ms"), 64)
		if err != nil || ms < last || ms < 0 || ms > 1000 {
			t.Errorf("line %d at %q: not an offset after the previous line's", i, l.Offset)
		}
		last = ms
	}
	if !strings.Contains(lines[0].Text, `{"name":"ada"}`) {
		t.Errorf("the event line %q lacks its payload", lines[0].Text)
	}
	trace := rows[ada].Trace
	if href := run(t, browser, chromedp.Evaluate[string](`document.querySelector('dd.trace a').href`)); href != "http://localhost:16686/trace/"+trace {
		t.Errorf("the trace ID links to %q, want the trace UI's page of %s", href, trace)
	}
	screenshot(t, browser, "detail.png")

	// The event's message on its topic.
	eventURL := run(t, browser, chromedp.Evaluate[string](`document.querySelector('#lines a.event').href`))
	type eventFacts struct{ Topic, Key, Headers, Body string }
	facts := waitFor(t, browser, eventURL, `document.querySelector('dl.facts') && {
		Topic: document.querySelector('dl.facts dd').textContent,
		Headers: document.querySelector('table.headers').textContent,
		Body: document.querySelector('pre.body').textContent}`, func(f eventFacts) bool { return f.Topic != "" })
	if facts.Topic != "greeting_sent" || !strings.Contains(facts.Headers, "relayer-event-id") ||
		!strings.Contains(facts.Headers, "traceparent00-"+trace) || !strings.Contains(facts.Body, `"name": "ada"`) {
		t.Errorf("the event page shows %+v", facts)
	}
	screenshot(t, browser, "event.png")

	// The panicking request: its log line, then the panic as an error line.
	do(t, browser, chromedp.Navigate(base+"?path=/panic"), chromedp.Click(chromedp.CSS("#rows tr .request a")), chromedp.WaitVisible(chromedp.CSS("#lines")))
	lines = run(t, browser, chromedp.Evaluate[[]timelineLine](readLines))
	if len(lines) < 2 || lines[0].Kind != "info" || lines[0].Text != "reserving stock" || lines[len(lines)-1].Kind != "error" {
		t.Errorf("the panicking request's timeline: %+v", lines)
	}
	screenshot(t, browser, "detail-error.png")

	// The hostile request: its name is shown, as text, in its lines and
	// on its event's page; no script ran, no element was injected.
	do(t, browser, chromedp.Navigate(base), chromedp.Click(chromedp.CSS("#rows tr:first-child .request a")), chromedp.WaitVisible(chromedp.CSS("#lines")))
	lines = run(t, browser, chromedp.Evaluate[[]timelineLine](readLines))
	if len(lines) != 2 || !strings.Contains(lines[1].Text, `"name":"`+strings.ReplaceAll(hostile, `"`, `\"`)+`"`) {
		t.Errorf("the hostile name is not shown as text: %+v", lines)
	}
	checkNothingInjected(t, browser)
	screenshot(t, browser, "hostile.png")
	hostileEvent := run(t, browser, chromedp.Evaluate[string](`document.querySelector('#lines a.event').href`))
	body := waitFor(t, browser, hostileEvent, `document.querySelector('pre.body') && document.querySelector('pre.body').textContent`,
		func(s string) bool { return s != "" })
	if !strings.Contains(body, strings.ReplaceAll(hostile, `"`, `\"`)) {
		t.Errorf("the hostile event's body is not shown as text:\n%s", body)
	}
	checkNothingInjected(t, browser)
}

// checkNothingInjected fails t when the page has an element or a script
// result that a hostile payload would have added.
func checkNothingInjected(t *testing.T, browser context.Context) {
	t.Helper()
	got := run(t, browser, chromedp.Evaluate[string](`[typeof window.pwned, document.scripts.length, document.querySelectorAll('main img, main script').length].join(' ')`))
	if got != "undefined 1 0" {
		t.Errorf("window.pwned, scripts, injected elements: %s, want undefined 1 0", got)
	}
}

// findChromium returns the path of Chromium. Without one it skips the
// test, or fails it in CI, where scripts/ensure-chromium.sh must have
// installed it.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium is not installed: scripts/ensure-chromium.sh installs it")
	}
	t.Skip("Chromium is not installed and could not be (scripts/ensure-chromium.sh installs it on a Debian machine): the browser test of the web view is skipped")
	return ""
}

// newBrowser starts headless Chromium with a fresh profile and no network
// of its own besides loopback, for at most two minutes.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1200, 700),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancel() })
	return bctx
}

func do(t *testing.T, browser context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(browser, actions...); err != nil {
		t.Fatal(err)
	}
}

func run[T any](t *testing.T, browser context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(browser, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// waitFor loads target until expr, evaluated there, gives a value that ok
// accepts (the view may not have read a message yet), for up to 20 s.
func waitFor[T any](t *testing.T, browser context.Context, target, expr string, ok func(T) bool) T {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		do(t, browser, chromedp.Navigate(target))
		v, err := chromedp.Run(browser, chromedp.Evaluate[T](expr))
		if err == nil && ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not show what was expected within 20s: %v %+v", target, err, v)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// screenshot writes the page, as long as its content, as a PNG to the
// test's artifact directory.
func screenshot(t *testing.T, browser context.Context, name string) {
	t.Helper()
	// New rows flash for a moment; take the page at rest.
	run(t, browser, chromedp.Poll[chromedp.Void](`document.getAnimations().length === 0`))
	png := run(t, browser, chromedp.Screenshot(chromedp.CSS("body")))
	path := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%d kB)", path, len(png)/1024)
}
