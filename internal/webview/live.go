package webview

import (
	"bytes"
	"net/http"
	"strings"
	"time"
)

// keepAlive is how often an idle live stream sends a comment, so that
// proxies and browsers keep it open.
const keepAlive = 15 * time.Second

// serveLive streams the rows of new request logs that pass the filter of the
// request's query, as server-sent events named "row" whose data is the
// row's HTML. A page that falls behind gets a "reload" event and the stream
// ends; the script then reloads the list.
func (v *View) serveLive(w http.ResponseWriter, r *http.Request) {
	f, _, err := parseFilter(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc := http.NewResponseController(w)
	// Subscribe before the headers go out: a row added once the page has
	// its answer is never missed.
	rows, cancel := v.store.subscribe()
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(": live\n\n"))
	if rc.Flush() != nil {
		return
	}

	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	var html, b bytes.Buffer
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			_, _ = w.Write([]byte(": keep-alive\n\n"))
		case req, ok := <-rows:
			b.Reset()
			if !ok {
				b.WriteString("event: reload\ndata: behind\n\n")
			} else if f.Match(req.log) {
				html.Reset()
				if err := v.pages["list"].ExecuteTemplate(&html, "row", newRow(req)); err != nil {
					return
				}
				appendEvent(&b, "row", html.String())
			} else {
				continue
			}
			if _, err := w.Write(b.Bytes()); err != nil || !ok {
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
	}
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
