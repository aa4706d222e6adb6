package webview

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// View holds the newest request logs and event messages it is given and
// serves them as web pages: a live list of request logs, newest first, with
// filters; a timeline per request log; each event message. It is an
// http.Handler, safe for concurrent use.
type View struct {
	cfg    config
	store  *store
	pages  map[string]*template.Template
	static http.Handler
	csrf   string // the replay form's token, made by New
	// live and exports count the live streams and exports being served:
	// each holds memory (a queue, the exported values) for as long as its
	// client reads, so that many slow clients could hold without bound.
	live, exports atomic.Int32
}

// maxLive and maxExports bound the live streams and the exports served at
// once; more are answered 503, to retry.
const (
	maxLive    = 64
	maxExports = 4
)

// admit takes one of max places counted by n, or answers 503 naming what
// is busy; release the place with n.Add(-1).
func (v *View) admit(w http.ResponseWriter, n *atomic.Int32, max int32, what string) bool {
	if n.Add(1) > max {
		n.Add(-1)
		w.Header().Set("Retry-After", "5")
		v.problem(w, http.StatusServiceUnavailable, "Busy", fmt.Sprintf("This view already serves %d %s at once; try again in a few seconds.", max, what))
		return false
	}
	return true
}

var _ http.Handler = (*View)(nil)

// New returns a View that holds nothing yet; feed it with [View.Add] or
// [Follow].
func New(opts ...Option) (*View, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	v := &View{cfg: cfg, store: newStore(cfg), pages: make(map[string]*template.Template)}
	layout := template.Must(template.New("").ParseFS(templateFiles, "templates/layout.html"))
	for _, name := range []string{"list", "detail", "event", "problem", "events", "trace", "replayed"} {
		v.pages[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFiles, "templates/"+name+".html"))
	}
	if v.csrf, err = newToken(); err != nil {
		return nil, err
	}
	static, _ := fs.Sub(staticFiles, "static")
	v.static = http.StripPrefix("/static/", http.FileServerFS(static))
	return v, nil
}

// Add holds m when it is a request log or an event message, and reports
// whether it did. Event messages without the [wire.EventIDHeader] header
// cannot be linked from request logs and are not held; neither is anything
// else ([tail.KindOther]). Records the tail skipped ([tail.KindSkipped])
// are listed as marker rows, the newest [maxSkips].
func (v *View) Add(m tail.Message) bool {
	switch m.Kind {
	case tail.KindRequestLog:
		v.store.addRequest(&request{id: requestID{m.Topic, m.Partition, m.Offset}, msg: m, log: m.RequestLog, received: time.Now()})
		return true
	case tail.KindEvent:
		if _, ok := m.Header(wire.EventIDHeader); ok && v.cfg.maxEvents > 0 {
			v.store.addEvent(&m)
			return true
		}
	case tail.KindSkipped:
		v.store.addSkip(skip{Topic: m.Topic, Partition: m.Partition, From: m.Offset, To: m.SkippedTo,
			Time: m.Timestamp.UTC().Format("2006-01-02 15:04:05 UTC"), Why: m.NotOurs})
		return true
	}
	return false
}

// ServeHTTP serves the pages:
//
//	GET /                                     the list; ?q= searches it (tail.ParseQuery), ?status= &path= &trace= &route= &rpc_status= &attr= filter it
//	GET /live                                 the list's new rows, as server-sent events
//	GET /requests/{topic}/{partition}/{offset} a request log's timeline
//	GET /traces/{trace ID}                    the request logs of a trace, as a waterfall across services
//	GET /events                               the event topics; ?topic= lists a topic's events, newest first, ?q= searches them
//	GET /events/{id}                          an event message
//	POST /events/{id}/replay                  re-produce it (only with WithReplay; a form with its CSRF token)
//	GET /export/requests, /export/events      the list's request logs (events of ?topic=) that pass ?q=, as NDJSON
//	GET /raw/requests/{topic}/{partition}/{offset} a request log as written, to download
//	GET /raw/events/{id}                      an event message's value as written, to download
//	GET /static/app.js, /static/style.css     the script and the style sheet (no listing)
func (v *View) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Every value is escaped by html/template; the policy is a second line:
	// no inline script or style runs, whatever a payload holds.
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	path := r.URL.Path
	if r.Method == http.MethodPost && strings.HasPrefix(path, "/events/") && strings.HasSuffix(path, "/replay") {
		v.serveReplay(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/events/"), "/replay"))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		v.problem(w, http.StatusMethodNotAllowed, "Method not allowed", "This view only answers GET requests (and the replay's POST when started with -allow-replay).")
		return
	}
	switch {
	case path == "/":
		v.serveList(w, r)
	case path == "/live":
		if v.admit(w, &v.live, maxLive, "live streams") {
			defer v.live.Add(-1)
			v.serveLive(w, r)
		}
	case strings.HasPrefix(path, "/requests/"):
		v.serveRequest(w, strings.TrimPrefix(r.URL.EscapedPath(), "/requests/"))
	case path == "/events":
		v.serveEvents(w, r)
	case path == "/export/requests", path == "/export/events":
		if v.admit(w, &v.exports, maxExports, "exports") {
			defer v.exports.Add(-1)
			if path == "/export/requests" {
				v.exportRequests(w, r)
			} else {
				v.exportEvents(w, r)
			}
		}
	case strings.HasPrefix(path, "/traces/"):
		v.serveTrace(w, strings.TrimPrefix(path, "/traces/"))
	case strings.HasPrefix(path, "/events/"):
		v.serveEvent(w, r, strings.TrimPrefix(path, "/events/"))
	case strings.HasPrefix(path, "/raw/requests/"):
		v.serveRawRequest(w, strings.TrimPrefix(r.URL.EscapedPath(), "/raw/requests/"))
	case strings.HasPrefix(path, "/raw/events/"):
		v.serveRawEvent(w, strings.TrimPrefix(path, "/raw/events/"))
	case path == "/static/app.js" || path == "/static/style.css":
		h.Set("Cache-Control", "no-cache")
		v.static.ServeHTTP(w, r)
	default:
		v.problem(w, http.StatusNotFound, "Not found", "There is no page at "+path+".")
	}
}

func (v *View) bounds() bounds {
	n, e := v.store.counts()
	b := bounds{Requests: n, MaxRequests: v.cfg.maxRequests, Events: e, MaxEvents: v.cfg.maxEvents, From: v.cfg.from}
	if t := v.store.oldest(); !t.IsZero() {
		b.Oldest = t.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return b
}

// maxListRows bounds the rows of a list page (the default of
// WithMaxRequests shows whole): a search narrows it, and the export holds
// every match.
const maxListRows = DefaultMaxRequests

// listPage is the list of request logs.
type listPage struct {
	page
	Skipped   []skip
	Filter    filterForm
	Error     string
	Rows      []row
	More      int // matches beyond maxListRows
	LiveURL   string
	ExportURL string
	Keys      []string // the search's keys, for its help
	Limit     int      // rows the page shows at most
}

func (v *View) serveList(w http.ResponseWriter, r *http.Request) {
	p := listPage{page: page{v.bounds()}, Skipped: v.store.skipped(), Keys: tail.QueryHelp(tail.KindRequestLog),
		Limit: min(v.cfg.maxRequests, maxListRows)}
	f, form, err := parseFilter(r.URL.Query())
	p.Filter = form
	status := http.StatusOK
	if err != nil {
		p.Error, status = err.Error(), http.StatusBadRequest
	} else {
		reqs, more, seq := v.store.newest(f.match, p.Limit)
		for _, req := range reqs {
			p.Rows = append(p.Rows, newRow(req))
		}
		p.More = more
		p.LiveURL = "/live?" + form.query(seq)
		p.ExportURL = "/export/requests?" + form.values().Encode()
	}
	v.render(w, status, "list", p)
}

func (v *View) serveRequest(w http.ResponseWriter, rest string) {
	id, ok := parseRequestID(rest)
	if !ok {
		v.problem(w, http.StatusNotFound, "Not found", "A request log's address is /requests/TOPIC/PARTITION/OFFSET.")
		return
	}
	req, ok := v.store.request(id)
	if !ok {
		v.problem(w, http.StatusNotFound, "Request log not held",
			fmt.Sprintf("The request log at %s, partition %d, offset %d is not held: it was not read, or newer request logs replaced it (the view keeps the newest %d).",
				id.topic, id.partition, id.offset, v.cfg.maxRequests))
		return
	}
	d := newDetail(req, v.store, v.cfg.traceURL)
	d.page = page{v.bounds()}
	v.render(w, http.StatusOK, "detail", d)
}

// parseRequestID reads TOPIC/PARTITION/OFFSET of an escaped path, the
// topic path-escaped as requestURL writes it.
func parseRequestID(s string) (requestID, bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || parts[0] == "" {
		return requestID{}, false
	}
	topic, err := url.PathUnescape(parts[0])
	if err != nil {
		return requestID{}, false
	}
	parts[0] = topic
	p, err1 := strconv.ParseInt(parts[1], 10, 32)
	o, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return requestID{}, false
	}
	return requestID{parts[0], int32(p), o}, true
}

func (v *View) serveEvent(w http.ResponseWriter, r *http.Request, id string) {
	m, _ := v.store.event(id)
	p := newEventPage(id, m)
	p.page = page{v.bounds()}
	// An event with a traceparent was emitted in that trace: a log of
	// another trace naming it is not its emitter (a forged or broken
	// record), and is not linked.
	if req, elsewhere, ok := v.store.emitter(id, p.TraceID); ok {
		p.EmitterURL = requestURL(req.id)
		p.Emitter = newRow(req)
	} else {
		p.EmitterElsewhere = elsewhere
	}
	if m != nil && v.cfg.replay != nil && replayOrigin(r) == nil {
		p.ReplayToken = v.csrf
		p.ReplayAt = replayAt(m)
		p.ReplayURL = "/events/" + url.PathEscape(id) + "/replay"
	}
	status := http.StatusOK
	if m == nil {
		status = http.StatusNotFound
	}
	v.render(w, status, "event", p)
}

// problemPage explains why a page cannot be shown.
type problemPage struct {
	page
	Title, Message string
}

func (v *View) problem(w http.ResponseWriter, status int, title, msg string) {
	v.render(w, status, "problem", problemPage{page{v.bounds()}, title, msg})
}

func (v *View) render(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	if err := v.pages[name].ExecuteTemplate(&b, "layout", data); err != nil {
		http.Error(w, "rendering "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(visible(validUTF8(b.Bytes())))
}

// validUTF8 replaces the bytes of a page that are not UTF-8 (messages are
// bytes from any producer, and JSON decoders let them through) with U+FFFD,
// as a browser would show them: the page stays valid UTF-8.
func validUTF8(page []byte) []byte {
	if utf8.Valid(page) {
		return page
	}
	return bytes.ToValidUTF8(page, []byte("\uFFFD"))
}

// serveRawRequest serves a request log's value as written, as a download:
// its page shows it bounded.
func (v *View) serveRawRequest(w http.ResponseWriter, rest string) {
	id, ok := parseRequestID(rest)
	var req *request
	if ok {
		req, ok = v.store.request(id)
	}
	if !ok {
		v.problem(w, http.StatusNotFound, "Request log not held", "There is no request log held at this address.")
		return
	}
	download(w, "request-log.json", req.msg.Value)
}

// serveRawEvent serves an event message's value as written, as a download.
func (v *View) serveRawEvent(w http.ResponseWriter, id string) {
	m, ok := v.store.event(id)
	if !ok {
		v.problem(w, http.StatusNotFound, "Event not held", "There is no event message held with this ID.")
		return
	}
	download(w, "event.json", m.Value)
}

// download serves value as an attachment the browser saves, never renders.
func download(w http.ResponseWriter, name string, value []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(value)))
	_, _ = w.Write(value)
}
