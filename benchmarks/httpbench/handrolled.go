package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/trace"
)

// The hand-rolled variant is what a competent user writes without the
// library, for the same messages: a middleware inside otelhttp puts a
// per-request collector in the context; the handler's emit marshals the
// event with encoding/json and produces it with a franz-go client at its
// defaults, and appends the event to the collector; log appends a line;
// after the handler returns, the middleware marshals the request log, with
// the fields the library writes, and produces it keyed by trace ID. Both
// messages carry the library's headers: traceparent and a UUIDv7 event ID.

// event is the body of an event message (wire.Event).
type event struct {
	Source       string          `json:"source"`
	EventType    string          `json:"event_type"`
	EventSubtype string          `json:"event_subtype"`
	Payload      json.RawMessage `json:"payload"`
	Timestamp    string          `json:"timestamp"`
}

// line is an entry of a request log's lines (wire.Line): an event with its
// event ID, or a log line.
type line struct {
	Source       string          `json:"source,omitempty"`
	EventType    string          `json:"event_type,omitempty"`
	EventSubtype string          `json:"event_subtype,omitempty"`
	LogLevel     string          `json:"log_level,omitempty"`
	Payload      json.RawMessage `json:"payload"`
	Timestamp    string          `json:"timestamp"`
	EventID      string          `json:"event_id,omitempty"`
}

// requestLog is the body of a request log (wire.RequestLog), HTTP fields.
type requestLog struct {
	Source        string  `json:"source"`
	LoggingTopic  string  `json:"logging_topic"`
	Date          string  `json:"date"`
	UserAgent     string  `json:"user_agent"`
	Method        string  `json:"method"`
	Path          string  `json:"path"`
	QueryString   string  `json:"query_string"`
	RemoteAddr    string  `json:"remote_addr"`
	XForwardedFor string  `json:"x_forwarded_for"`
	RequestID     string  `json:"request_id"`
	Status        int     `json:"status"`
	ContentLength int64   `json:"content_length"`
	RequestTime   float64 `json:"request_time"` // milliseconds
	TraceID       string  `json:"trace_id"`
	SpanID        string  `json:"span_id"`
	Lines         []line  `json:"lines"`
	DroppedLines  int     `json:"dropped_lines"`
	DroppedEvents int     `json:"dropped_events"`
}

const (
	source       = "orders"
	loggingTopic = "logging"
	// timeLayout is the wire format's: UTC, microseconds, Z.
	timeLayout = "2006-01-02T15:04:05.000000Z"
)

// collector holds a request's lines; handlers may log from goroutines.
type collector struct {
	mu    sync.Mutex
	lines []line
}

func (c *collector) add(l line) {
	c.mu.Lock()
	c.lines = append(c.lines, l)
	c.mu.Unlock()
}

type collectorKey struct{}

// handrolled produces with one franz-go client.
type handrolled struct {
	s  *service
	cl *kgo.Client
}

func newHandrolled(brokers []string) (*service, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation())
	if err != nil {
		return nil, err
	}
	tp := newTracerProvider()
	s := &service{messagesPerRequest: 2}
	h := &handrolled{s: s, cl: cl}
	s.flush = func(ctx context.Context) error {
		return errors.Join(cl.Flush(ctx), s.checkFailures())
	}
	s.close = func(ctx context.Context) error {
		err := cl.Flush(ctx)
		cl.Close()
		return errors.Join(err, tp.Shutdown(ctx), s.checkFailures())
	}
	s.handler = otelhttp.NewHandler(h.middleware(s.handle(h)), "api", otelhttp.WithTracerProvider(tp))
	return s, nil
}

// promise counts failed deliveries.
func (h *handrolled) promise(_ *kgo.Record, err error) {
	if err != nil {
		h.s.failed.Add(1)
	}
}

// headers returns the library's headers for a message written in sc.
func headers(sc trace.SpanContext) ([]kgo.RecordHeader, string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return nil, "", err
	}
	idText := id.String()
	return []kgo.RecordHeader{
		{Key: "traceparent", Value: traceparent(sc)},
		{Key: "relayer-event-id", Value: []byte(idText)},
	}, idText, nil
}

// traceparent is the W3C trace context of sc, version 00.
func traceparent(sc trace.SpanContext) []byte {
	tid, sid := sc.TraceID(), sc.SpanID()
	b := make([]byte, 0, 55)
	b = append(b, "00-"...)
	b = append(b, tid.String()...)
	b = append(b, '-')
	b = append(b, sid.String()...)
	b = append(b, '-')
	b = append(b, sc.TraceFlags().String()...)
	return b
}

func (h *handrolled) emit(ctx context.Context, eventType, eventSubtype, key string, payload any) error {
	p, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	ts := time.Now().UTC().Format(timeLayout)
	value, err := json.Marshal(event{Source: source, EventType: eventType, EventSubtype: eventSubtype, Payload: p, Timestamp: ts})
	if err != nil {
		return err
	}
	hs, id, err := headers(trace.SpanContextFromContext(ctx))
	if err != nil {
		return err
	}
	// Not the request's context: it ends with the request, and franz-go
	// fails the records of a cancelled context that are not sent yet.
	h.cl.Produce(context.Background(), &kgo.Record{Topic: eventType, Key: []byte(key), Value: value, Headers: hs}, h.promise)
	if c, ok := ctx.Value(collectorKey{}).(*collector); ok {
		c.add(line{Source: source, EventType: eventType, EventSubtype: eventSubtype, Payload: p, Timestamp: ts, EventID: id})
	}
	return nil
}

func (h *handrolled) log(ctx context.Context, level string, payload any) error {
	p, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	if c, ok := ctx.Value(collectorKey{}).(*collector); ok {
		c.add(line{LogLevel: level, Payload: p, Timestamp: time.Now().UTC().Format(timeLayout)})
	}
	return nil
}

// statusWriter records the status and the bytes written.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// middleware collects the request's lines and produces its request log
// once the handler returns.
func (h *handrolled) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		c := &collector{}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), collectorKey{}, c)))
		elapsed := time.Since(start)
		sc := trace.SpanContextFromContext(r.Context())
		remote, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			remote = r.RemoteAddr
		}
		c.mu.Lock()
		rl := requestLog{
			Source: source, LoggingTopic: loggingTopic, Date: start.UTC().Format(timeLayout),
			UserAgent: r.UserAgent(), Method: r.Method, Path: r.URL.Path, QueryString: r.URL.RawQuery,
			RemoteAddr: remote, XForwardedFor: r.Header.Get("X-Forwarded-For"), RequestID: r.Header.Get("X-Request-ID"),
			Status: sw.status, ContentLength: sw.bytes, RequestTime: float64(elapsed.Microseconds()) / 1000,
			TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String(), Lines: c.lines,
		}
		value, err := json.Marshal(rl)
		c.mu.Unlock()
		if err != nil {
			h.s.failed.Add(1)
			return
		}
		hs, _, err := headers(sc)
		if err != nil {
			h.s.failed.Add(1)
			return
		}
		h.cl.Produce(context.Background(), &kgo.Record{Topic: loggingTopic, Key: []byte(rl.TraceID), Value: value, Headers: hs}, h.promise)
	})
}
