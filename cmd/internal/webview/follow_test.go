package webview_test

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/cmd/internal/webview"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// A service writes to the embedded broker with the library's defaults; the
// view, fed by package tail, shows its request log and links its event line
// to the event's message.
func TestFollowTheEmbeddedBroker(t *testing.T) {
	brokers := otelrelayertest.Cluster(t)
	sink, err := kafkasink.New(kafkasink.WithBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := otelrelayertest.Pipeline(t, sink)
	ctx, span := tp.Tracer("test").Start(t.Context(), "nightly-report")
	if err := bridge.Emit(ctx, "report_sent", "mail", map[string]int{"pages": 3}); err != nil {
		t.Fatal(err)
	}
	_ = bridge.Log(ctx, "info", "report <b>sent</b>")
	traceID := span.SpanContext().TraceID().String()
	span.End()
	if err := tp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}

	v, err := webview.New()
	if err != nil {
		t.Fatal(err)
	}
	tl, err := tail.Open(t.Context(), tail.Config{Brokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	ctx, cancel := context.WithCancel(t.Context())
	followed := make(chan error, 1)
	go func() { followed <- webview.Follow(ctx, tl, v) }()
	srv := httptest.NewServer(v)
	defer srv.Close()

	// The detail view, once the event's message is read too.
	rowURL := regexp.MustCompile(`data-href="(/requests/logging/\d+/\d+)"`)
	var page string
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(page, `<span class="where">report_sent · partition`) {
		if time.Now().After(deadline) {
			t.Fatalf("the request log and its event were not shown within 20s; last page:\n%s", page)
		}
		time.Sleep(50 * time.Millisecond)
		list := testkit.Get(t, srv.URL+"/?trace="+traceID)
		if m := rowURL.FindStringSubmatch(list); m != nil {
			page = testkit.Get(t, srv.URL+m[1])
		}
	}
	for _, want := range []string{
		`<span class="service">nightly-report</span>`,
		`<span class="payload">report &lt;b&gt;sent&lt;/b&gt;</span>`,
		`<a class="event" href="/events/`,
		traceID,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the detail view lacks %s", want)
		}
	}
	cancel()
	if err := <-followed; err != nil {
		t.Errorf("Follow: %v", err)
	}
}
