package webview

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"net/http"
)

// The export: what a list shows, every match rather than the first
// maxListRows, as NDJSON, one record's value per line as it was written.
// A value that spans lines (JSON written indented by another producer) is
// compacted to one line, the only change made to it.

func (v *View) exportRequests(w http.ResponseWriter, r *http.Request) {
	f, _, err := parseFilter(r.URL.Query())
	if err != nil {
		v.problem(w, http.StatusBadRequest, "Bad search", err.Error())
		return
	}
	reqs, _, _ := v.store.newest(f.match, math.MaxInt)
	values := make([][]byte, len(reqs))
	for i, req := range reqs {
		values[i] = req.msg.Value
	}
	writeNDJSON(w, "request-logs.ndjson", values)
}

func (v *View) exportEvents(w http.ResponseWriter, r *http.Request) {
	topic := r.URL.Query().Get("topic")
	q, _, err := parseEventFilter(r.URL.Query())
	if err == nil && topic == "" {
		v.problem(w, http.StatusBadRequest, "Bad export", "Name the topic whose events to export: /export/events?topic=NAME.")
		return
	}
	if err != nil {
		v.problem(w, http.StatusBadRequest, "Bad search", err.Error())
		return
	}
	ms, _ := v.store.eventsOf(topic, q.MatchEvent, math.MaxInt)
	values := make([][]byte, len(ms))
	for i, m := range ms {
		values[i] = m.Value
	}
	writeNDJSON(w, "events.ndjson", values)
}

// writeNDJSON serves values, one a line, as a download.
func writeNDJSON(w http.ResponseWriter, name string, values [][]byte) {
	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	bw := bufio.NewWriterSize(w, 64<<10)
	var compact bytes.Buffer
	for _, value := range values {
		if bytes.ContainsAny(value, "\r\n") {
			compact.Reset()
			if json.Compact(&compact, value) == nil {
				value = compact.Bytes()
			}
		}
		if _, err := bw.Write(value); err != nil {
			return
		}
		if bw.WriteByte('\n') != nil {
			return
		}
	}
	_ = bw.Flush()
}
