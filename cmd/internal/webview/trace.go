package webview

import (
	"cmp"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The waterfall of a trace: the held request logs that share a trace ID,
// from every service, each root under the request log of the upstream
// service that called it. A request log names the span that called it
// (parent_span_id); when that span is another request log's root, that
// request log is its parent; when it is a span inside another service's
// request (a client span, which has no request log of its own), the
// parent is the request log of the trace that was open when it started,
// the latest to start. Events sit on their request's bar at their time.

// Bounds of a trace's page.
const (
	maxTraceRows   = 200 // request logs
	maxTraceEvents = 100 // event marks on one request's bar
	maxTraceDepth  = 9   // indentation levels shown
)

type tracePage struct {
	page
	TraceID  string
	TraceURL string // "" without a trace UI
	Total    string
	Start    string
	Rows     []waterfallRow
	More     int
}

// waterfallRow is one request log on the waterfall.
type waterfallRow struct {
	row
	Depth       int // capped at maxTraceDepth
	Left, Width float64
	SpanID      string
	Parent      string // parent_span_id, "" for a root of the trace
	Via         string // the calling span when it is not a request log's root
	Events      []waterfallEvent
	MoreEvents  int
}

type waterfallEvent struct {
	X      float64 // percent of the trace's time range
	Offset string  // from the start of the trace
	URL    string
	Title  string
	Outbox bool
}

func (v *View) serveTrace(w http.ResponseWriter, id string) {
	id = strings.ToLower(id)
	if !isTraceID(id) {
		v.problem(w, http.StatusBadRequest, "Not a trace ID", "A trace's address is /traces/ and its 32 hex digits.")
		return
	}
	reqs, more := v.store.ofTrace(id, maxTraceRows)
	var held []*request
	for _, r := range reqs {
		if !r.log.Late && !r.log.OutsideRequest {
			held = append(held, r)
		}
	}
	if len(held) == 0 {
		v.problem(w, http.StatusNotFound, "Trace not held", "No request log of the trace "+id+" is held: it was not read, or newer request logs replaced it.")
		return
	}
	p := newTracePage(id, held)
	p.More = more
	p.page = page{v.bounds()}
	if v.cfg.traceURL != "" {
		p.TraceURL = strings.ReplaceAll(v.cfg.traceURL, TraceIDPlaceholder, id)
	}
	v.render(w, http.StatusOK, "trace", p)
}

// span is a request log's time range.
type span struct {
	r          *request
	start, end time.Time
	children   []int
	parent     int // -1 for a root
}

func newTracePage(id string, reqs []*request) tracePage {
	spans := make([]span, len(reqs))
	bySpan := map[string]int{}
	first, last := reqs[0].log.Date.Time, reqs[0].log.Date.Time
	for i, r := range reqs {
		start := r.log.Date.Time
		end := start.Add(time.Duration(duration(r.log) * float64(time.Millisecond)))
		spans[i] = span{r: r, start: start, end: end, parent: -1}
		if r.log.SpanID != "" {
			bySpan[r.log.SpanID] = i
		}
		first, last = minTime(first, start), maxTime(last, end)
	}
	via := make([]string, len(spans))
	for i := range spans {
		ps := spans[i].r.log.ParentSpanID
		if ps == "" {
			continue
		}
		if j, ok := bySpan[ps]; ok && j != i {
			spans[i].parent = j
			continue
		}
		// A span inside another request: the latest request log to start
		// before this one and still open then. Only earlier starts (or
		// earlier places at the same start) qualify, so there is no cycle.
		best := -1
		for j := range spans {
			if j == i || !before(&spans[j], j, &spans[i], i) || spans[j].end.Before(spans[i].start) {
				continue
			}
			if best < 0 || before(&spans[best], best, &spans[j], j) {
				best = j
			}
		}
		spans[i].parent, via[i] = best, ps
	}
	// A parent found by span ID may still close a cycle in forged data:
	// follow each chain at most len(spans) steps and cut it at a repeat.
	for i := range spans {
		seen := map[int]bool{i: true}
		for j := spans[i].parent; j >= 0; j = spans[j].parent {
			if seen[j] {
				spans[i].parent = -1
				break
			}
			seen[j] = true
		}
	}
	var roots []int
	for i := range spans {
		if p := spans[i].parent; p >= 0 {
			spans[p].children = append(spans[p].children, i)
		} else {
			roots = append(roots, i)
		}
	}
	order := func(list []int) {
		slices.SortFunc(list, func(a, b int) int {
			return cmp.Or(spans[a].start.Compare(spans[b].start), cmp.Compare(a, b))
		})
	}
	total := last.Sub(first)
	pct := func(t time.Time) float64 {
		if total <= 0 {
			return 0
		}
		return math.Round(float64(t.Sub(first))/float64(total)*1000) / 10
	}
	p := tracePage{TraceID: id, Total: formatMillis(float64(total) / float64(time.Millisecond)),
		Start: first.UTC().Format("2006-01-02 15:04:05.000000 UTC")}
	var walk func(i, depth int)
	walk = func(i, depth int) {
		s := &spans[i]
		row := waterfallRow{row: newRow(s.r), Depth: min(depth, maxTraceDepth), SpanID: cut(s.r.log.SpanID, maxListField),
			Parent: cut(s.r.log.ParentSpanID, maxListField), Via: cut(via[i], maxListField)}
		row.Left = pct(s.start)
		row.Width = math.Max(pct(s.end)-row.Left, 0.2)
		for _, l := range s.r.log.Lines {
			if !l.IsEvent() || l.Timestamp.IsZero() {
				continue
			}
			if len(row.Events) == maxTraceEvents {
				row.MoreEvents++
				continue
			}
			e := waterfallEvent{X: min(max(pct(l.Timestamp.Time), 0), 100), Outbox: l.Outbox,
				Offset: formatMillis(float64(l.Timestamp.Sub(first)) / float64(time.Millisecond)),
				Title:  cut(strings.TrimSuffix(l.EventType+" · "+l.EventSubtype, " · "), maxListField)}
			if l.EventID != "" {
				e.URL = "/events/" + url.PathEscape(l.EventID)
			}
			row.Events = append(row.Events, e)
		}
		p.Rows = append(p.Rows, row)
		order(s.children)
		for _, c := range s.children {
			walk(c, depth+1)
		}
	}
	order(roots)
	for _, r := range roots {
		walk(r, 0)
	}
	return p
}

// before orders spans by start, then by index.
func before(a *span, i int, b *span, j int) bool {
	if c := a.start.Compare(b.start); c != 0 {
		return c < 0
	}
	return i < j
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
