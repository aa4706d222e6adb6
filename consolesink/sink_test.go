package consolesink_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/consolesink"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// consoleUUIDKey is the 16 bytes of 01a21b90-b940-7b81-9c68-e443e357578c.
var consoleUUIDKey = []byte{0x01, 0xa2, 0x1b, 0x90, 0xb9, 0x40, 0x7b, 0x81, 0x9c, 0x68, 0xe4, 0x43, 0xe3, 0x57, 0x57, 0x8c}

var consoleEventMessage = kafkasink.Message{
	Topic: "order_created",
	Key:   []byte("10"),
	Value: []byte(`{"source":"orders","event_type":"order_created","payload":{"id":10,"tags":["a","b"],"paid":true,"note":null}}`),
	Headers: []kafkasink.Header{
		{Key: "traceparent", Value: []byte("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")},
		{Key: "relayer-event-id", Value: []byte("01a21b90-b940-7b81-9c68-e443e357578c")},
	},
}

func TestConsoleLayout(t *testing.T) {
	tests := []struct {
		name string
		opts []consolesink.Option
		m    kafkasink.Message
		want string
	}{
		{
			name: "JSON value, text key, headers",
			m:    consoleEventMessage,
			want: `--- order_created key "10"
    traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
    relayer-event-id: 01a21b90-b940-7b81-9c68-e443e357578c
{
  "source": "orders",
  "event_type": "order_created",
  "payload": {
    "id": 10,
    "tags": [
      "a",
      "b"
    ],
    "paid": true,
    "note": null
  }
}
`,
		},
		{
			name: "UUID key, JSON scalar value",
			m:    kafkasink.Message{Topic: "t", Key: consoleUUIDKey, Value: []byte(` "done" `)},
			want: `--- t key uuid 01a21b90-b940-7b81-9c68-e443e357578c
"done"
`,
		},
		{
			name: "binary key, text value that is not JSON",
			m:    kafkasink.Message{Topic: "raw", Key: []byte{0x00, 0xff, 0x10}, Value: []byte("order 10 stored\n\tby web\n")},
			want: `--- raw key hex 00ff10
(not JSON: 24 bytes of text)
order 10 stored
	by web
`,
		},
		{
			name: "no key, binary value",
			m:    kafkasink.Message{Topic: "raw", Value: []byte("\x00\x01id=10\xff")},
			want: `--- raw no key
(not JSON: 8 bytes of binary)
00000000  00 01 69 64 3d 31 30 ff                           |..id=10.|
`,
		},
		{
			name: "quoted key, binary and empty headers, tombstone",
			m: kafkasink.Message{Topic: "compacted", Key: []byte(`a "b"`), Headers: []kafkasink.Header{
				{Key: "id", Value: consoleUUIDKey},
				{Key: "bin", Value: []byte{0xca, 0xfe}},
				{Key: "empty"},
			}},
			want: `--- compacted key "a \"b\""
    id: uuid 01a21b90-b940-7b81-9c68-e443e357578c
    bin: hex cafe
    empty:
(no value)
`,
		},
		{
			name: "empty key, empty value, topic with a newline",
			m:    kafkasink.Message{Topic: "bad\ntopic", Key: []byte{}, Value: []byte{}},
			want: `--- "bad\ntopic" key ""
(empty value)
`,
		},
		{
			name: "compact JSON",
			opts: []consolesink.Option{consolesink.WithCompact(true)},
			m:    consoleEventMessage,
			want: `order_created key "10" [traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 relayer-event-id=01a21b90-b940-7b81-9c68-e443e357578c] {"source":"orders","event_type":"order_created","payload":{"id":10,"tags":["a","b"],"paid":true,"note":null}}
`,
		},
		{
			name: "compact text value, header values needing quotes",
			opts: []consolesink.Option{consolesink.WithCompact(true)},
			m: kafkasink.Message{Topic: "raw", Key: consoleUUIDKey, Value: []byte("order 10\nstored"), Headers: []kafkasink.Header{
				{Key: "note", Value: []byte("two words")},
				{Key: "empty"},
			}},
			want: `raw key uuid 01a21b90-b940-7b81-9c68-e443e357578c [note="two words" empty=""] text "order 10\nstored"
`,
		},
		{
			name: "compact binary value, no key",
			opts: []consolesink.Option{consolesink.WithCompact(true)},
			m:    kafkasink.Message{Topic: "raw", Value: []byte{0xde, 0xad, 0x00}},
			want: "raw no key hex dead00\n",
		},
		{
			name: "compact tombstone",
			opts: []consolesink.Option{consolesink.WithCompact(true)},
			m:    kafkasink.Message{Topic: "compacted", Key: []byte("k")},
			want: "compacted key \"k\" no value\n",
		},
		{
			name: "colour",
			opts: []consolesink.Option{consolesink.WithColor(true)},
			m: kafkasink.Message{Topic: "t", Key: []byte("k"), Value: []byte(`{"a":[1,-2.5e3],"b":"x\"y:"}`), Headers: []kafkasink.Header{
				{Key: "h", Value: []byte("v")},
			}},
			want: "\x1b[2m---\x1b[0m \x1b[1mt\x1b[0m key \x1b[33m\"k\"\x1b[0m\n" +
				"    \x1b[36mh\x1b[0m: v\n" +
				"{\n" +
				"  \x1b[34m\"a\"\x1b[0m: [\n" +
				"    \x1b[35m1\x1b[0m,\n" +
				"    \x1b[35m-2.5e3\x1b[0m\n" +
				"  ],\n" +
				"  \x1b[34m\"b\"\x1b[0m: \x1b[32m\"x\\\"y:\"\x1b[0m\n" +
				"}\n",
		},
		{
			name: "colour, compact, no key, text value",
			opts: []consolesink.Option{consolesink.WithColor(true), consolesink.WithCompact(true)},
			m:    kafkasink.Message{Topic: "t", Value: []byte("hi")},
			want: "\x1b[1mt\x1b[0m \x1b[2mno key\x1b[0m \x1b[2mtext \x1b[0m\"hi\"\n",
		},
		{
			name: "colour off after on",
			opts: []consolesink.Option{consolesink.WithColor(true), consolesink.WithColor(false), consolesink.WithCompact(true)},
			m:    kafkasink.Message{Topic: "t", Value: []byte(`{"a":true}`)},
			want: "t no key {\"a\":true}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			c := consolesink.New(&out, tt.opts...)
			calls := 0
			c.Produce(t.Context(), tt.m, func(err error) {
				calls++
				if err != nil {
					t.Errorf("done(%v), want done(nil)", err)
				}
			})
			if calls != 1 {
				t.Errorf("done called %d times before Produce returned, want 1", calls)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s\n(quoted: %q\n  want: %q)", got, tt.want, got, tt.want)
			}
		})
	}
}

func TestConsoleProduceIgnoresADoneContext(t *testing.T) {
	// The exporter produces request logs with a context that is already
	// done, meaning "do not wait": a console never waits, so it writes.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var out bytes.Buffer
	var got error = errors.New("done not called")
	consolesink.New(&out, consolesink.WithCompact(true)).Produce(ctx, kafkasink.Message{Topic: "t", Value: []byte("1")}, func(err error) { got = err })
	if got != nil || out.String() != "t no key 1\n" {
		t.Errorf("done(%v), output %q; want done(nil), %q", got, out.String(), "t no key 1\n")
	}
}

func TestConsoleClose(t *testing.T) {
	var out bytes.Buffer
	c := consolesink.New(&out, consolesink.WithCompact(true))
	c.Produce(t.Context(), kafkasink.Message{Topic: "before"}, nil) // a nil done is allowed
	if err := c.Flush(t.Context()); err != nil {
		t.Errorf("Flush = %v", err)
	}
	for i := range 2 {
		if err := c.Close(t.Context()); err != nil {
			t.Errorf("Close #%d = %v", i+1, err)
		}
	}
	var errs []error
	c.Produce(t.Context(), kafkasink.Message{Topic: "after"}, func(err error) { errs = append(errs, err) })
	if len(errs) != 1 || !errors.Is(errs[0], consolesink.ErrClosed) {
		t.Errorf("Produce after Close: done called with %v, want once with ErrClosed", errs)
	}
	c.Produce(t.Context(), kafkasink.Message{Topic: "after"}, nil)
	if got, want := out.String(), "before no key no value\n"; got != want {
		t.Errorf("output %q, want %q: nothing written after Close", got, want)
	}
	if err := c.Flush(t.Context()); err != nil {
		t.Errorf("Flush after Close = %v", err)
	}
}

type failingConsoleWriter struct{ err error }

func (w failingConsoleWriter) Write([]byte) (int, error) { return 0, w.err }

func TestConsoleWriteError(t *testing.T) {
	broken := errors.New("broken pipe")
	c := consolesink.New(failingConsoleWriter{broken})
	var got error
	c.Produce(t.Context(), kafkasink.Message{Topic: "order_created", Value: []byte("{}")}, func(err error) { got = err })
	if !errors.Is(got, broken) || !strings.Contains(fmt.Sprint(got), "order_created") {
		t.Errorf("done(%v), want an error naming the topic and wrapping %v", got, broken)
	}
}

// consoleWriteRecorder records each Write call. It has no lock of its own: the race
// detector reports concurrent calls.
type consoleWriteRecorder struct{ writes []string }

func (w *consoleWriteRecorder) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

func TestConsoleConcurrentProduceNeverInterleaves(t *testing.T) {
	const goroutines, perGoroutine = 8, 50
	message := func(g, i int) kafkasink.Message {
		return kafkasink.Message{
			Topic:   fmt.Sprintf("topic-%d", g),
			Key:     fmt.Appendf(nil, "%d", i),
			Value:   fmt.Appendf(nil, `{"goroutine":%d,"i":%d,"lines":["one","two","three"]}`, g, i),
			Headers: []kafkasink.Header{{Key: "n", Value: fmt.Appendf(nil, "%d", i)}},
		}
	}
	// Each message's block, as a console writes it alone.
	want := map[string]bool{}
	for g := range goroutines {
		for i := range perGoroutine {
			var b bytes.Buffer
			consolesink.New(&b).Produce(t.Context(), message(g, i), nil)
			want[b.String()] = true
		}
	}

	var w consoleWriteRecorder
	c := consolesink.New(&w)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				c.Produce(t.Context(), message(g, i), func(err error) {
					if err != nil {
						t.Errorf("done(%v)", err)
					}
				})
			}
		})
	}
	wg.Wait()
	if len(w.writes) != goroutines*perGoroutine {
		t.Fatalf("%d writes, want one per message: %d", len(w.writes), goroutines*perGoroutine)
	}
	for _, s := range w.writes {
		if !want[s] {
			t.Fatalf("a write is not one whole message:\n%s", s)
		}
		delete(want, s)
	}
}

func TestConsoleAsTheExporterSink(t *testing.T) {
	var out consoleBuffer
	relayer, err := exporter.New("logging", consolesink.New(&out, consolesink.WithCompact(true)),
		exporter.WithSource("orders"), exporter.WithoutDefault())
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())),
		sdktrace.WithSpanProcessor(relayer),
	)
	ctx, span := tp.Tracer("test").Start(t.Context(), "job")
	if err := bridge.Emit(ctx, "order_created", "job", map[string]int{"id": 10}, bridge.WithPartitionKey("10")); err != nil {
		t.Fatal(err)
	}
	span.End()
	if err := tp.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	traceID := span.SpanContext().TraceID().String()
	if len(lines) != 2 ||
		!strings.HasPrefix(lines[0], `order_created key "10" [traceparent=00-`+traceID) ||
		!strings.Contains(lines[0], `"payload":{"id":10}`) ||
		!strings.HasPrefix(lines[1], `logging key "`+traceID+`" [traceparent=`) ||
		!strings.Contains(lines[1], `"service":"job"`) {
		t.Errorf("output, want the event then the request log of trace %s:\n%s", traceID, out.String())
	}
	if err := bridge.Emit(ctx, "order_created", "job", 1); !errors.Is(err, bridge.ErrShutdown) {
		t.Errorf("Emit after Shutdown = %v, want ErrShutdown", err)
	}
}

type consoleBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *consoleBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *consoleBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
