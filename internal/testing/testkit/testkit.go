// Package testkit holds helpers that the tests of the commands and of the
// web view share: an output that goroutines write while the test reads it,
// and reading a page over HTTP.
package testkit

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// Buffer is an output written by a command's goroutines and read by the
// test. Its zero value is empty and ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WaitFor waits up to within for re to match the output and returns the
// match and its submatches; it fails the test when re does not match in
// time.
func (b *Buffer) WaitFor(t testing.TB, re *regexp.Regexp, within time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(b.String()); m != nil {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s in the output within %v:\n%s", re, within, b.String())
	return nil
}

// Get returns the body of a GET of url, whatever its status; it fails the
// test when the request or the read fails.
func Get(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Service returns the tracer provider of a service that writes to
// brokers with the library's defaults: a kafkasink.Sink, a processor for
// the logging topic with source (and no default routes), the SDK's
// default sampler. The provider is shut down when the test ends.
func Service(t testing.TB, brokers []string, source string) *sdktrace.TracerProvider {
	t.Helper()
	sink, err := kafkasink.New(kafkasink.WithBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	relayer, err := exporter.New("logging", sink, exporter.WithSource(source), exporter.WithoutDefault())
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(relayer))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}
