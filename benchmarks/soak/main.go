// Command soak runs a million requests through otelrelayer and prints the
// live heap after every tenth of them, to show that memory stays flat. One
// request in a thousand leaks its root span (never ends it), which the
// processor must evict. Messages go to a sink that counts and discards
// them, so the figures are the library's own, not a broker's.
//
//	go run ./soak [-requests N]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// countingSink discards messages after counting them.
type countingSink struct{ messages, bytes atomic.Int64 }

func (s *countingSink) Produce(_ context.Context, m kafkasink.Message, done func(error)) {
	s.messages.Add(1)
	s.bytes.Add(int64(len(m.Value)))
	if done != nil {
		done(nil)
	}
}
func (s *countingSink) Flush(context.Context) error { return nil }
func (s *countingSink) Close(context.Context) error { return nil }

func main() {
	requests := flag.Int("requests", 1_000_000, "requests to run")
	flag.Parse()
	if err := run(*requests); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

func run(requests int) error {
	sink := &countingSink{}
	var evictions atomic.Int64
	p, err := exporter.New("logging", sink, exporter.WithoutDefault(),
		exporter.WithMaxRequestAge(200*time.Millisecond),
		exporter.WithErrorHandler(func(error) { evictions.Add(1) }))
	if err != nil {
		return err
	}
	defer bridge.Unregister(p)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(p))
	tracer := tp.Tracer("soak")
	ctx := context.Background()

	fmt.Printf("%10s %14s %14s %12s\n", "requests", "heap_inuse_kb", "heap_objects", "messages")
	step := requests / 10
	var next atomic.Int64
	for done := 0; done < requests; done += step {
		var wg sync.WaitGroup
		for range 2 * runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for {
					i := next.Add(1)
					if i > int64(done+step) {
						return
					}
					rctx, span := tracer.Start(ctx, "request")
					_ = bridge.Emit(rctx, "entity_created", "root", map[string]any{"id": i})
					_ = bridge.Log(rctx, "info", "created")
					if i%1000 != 0 { // one in a thousand leaks
						span.End()
					}
				}
			})
		}
		wg.Wait()
		next.Store(int64(done + step))
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("%10d %14d %14d %12d\n", done+step, ms.HeapInuse/1024, ms.HeapObjects, sink.messages.Load())
	}
	time.Sleep(500 * time.Millisecond) // let the last leaked roots age past the bound
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("%10s %14d %14d %12d\n", "end", ms.HeapInuse/1024, ms.HeapObjects, sink.messages.Load())
	fmt.Printf("\nsoak_requests %d\nsoak_heap_inuse_kb_end %d\nsoak_eviction_reports %d\n", requests, ms.HeapInuse/1024, evictions.Load())
	return tp.Shutdown(ctx)
}
