package webview

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// keepAlive is how often an idle live stream sends a comment, so that
// proxies and browsers keep it open.
const keepAlive = 15 * time.Second

// serveLive streams the rows of new request logs that pass the filter of the
// request's query, as server-sent events named "row" whose data is the
// row's HTML: first those added after the query's since (the page's
// sequence number) and before the subscription, then each one as it is
// added. A page that falls behind gets a "reload" event and the stream
// ends; the script then reloads the list.
func (v *View) serveLive(w http.ResponseWriter, r *http.Request) {
	f, _, err := parseFilter(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc := http.NewResponseController(w)
	rows, subscribed, cancel := v.store.subscribe()
	defer cancel()
	since := subscribed
	if s, err := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64); err == nil && s < subscribed {
		since = s
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)

	var b bytes.Buffer
	b.WriteString(": live\n\n")
	for _, req := range v.store.added(since, subscribed) {
		if f.match(req) && v.appendRow(&b, req) != nil {
			return
		}
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		if _, err := w.Write(b.Bytes()); err != nil || rc.Flush() != nil {
			return
		}
		b.Reset()
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			b.WriteString(": keep-alive\n\n")
		case seq, ok := <-rows:
			if !ok {
				_, _ = w.Write([]byte("event: reload\ndata: behind\n\n"))
				return
			}
			req, kept := v.store.arrived(seq)
			if kept && f.match(req) && v.appendRow(&b, req) != nil {
				return
			}
		}
	}
}

// appendRow appends the row of req as a "row" event.
func (v *View) appendRow(b *bytes.Buffer, req *request) error {
	var html bytes.Buffer
	if err := v.pages["list"].ExecuteTemplate(&html, "row", newRow(req)); err != nil {
		return err
	}
	appendEvent(b, "row", string(visible(validUTF8(html.Bytes()))))
	return nil
}

// appendEvent frames html as one server-sent event: each of its lines
// becomes a data field, as the format requires. A carriage return, which
// the format would also take for a line end, becomes its character
// reference: the same HTML, one frame.
func appendEvent(b *bytes.Buffer, name, html string) {
	b.WriteString("event: " + name + "\n")
	for line := range strings.SplitSeq(html, "\n") {
		b.WriteString("data: ")
		b.WriteString(strings.ReplaceAll(line, "\r", "&#13;"))
		b.WriteString("\n")
	}
	b.WriteString("\n")
}
