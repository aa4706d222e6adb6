package exporter_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// TestSpoolRecoveryMetrics: a producer finds in its spool 100 records an
// earlier process left, 30 of them already on the broker and 20 without an
// event ID; the processor over it reports what recovery did as the
// otelrelayer.spool.* counters, and stops reading the producer at Shutdown.
func TestSpoolRecoveryMetrics(t *testing.T) {
	const withID, withoutID, onBroker = 80, 20, 30
	dir := t.TempDir()
	away, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	for i := range withID + withoutID {
		away.Produce(t.Context(), recoveredMessage(i, i < withID), nil)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := away.Close(ctx); !errors.Is(err, kafkasink.ErrSpooled) {
		t.Fatalf("Close with no broker = %v, want ErrSpooled", err)
	}

	seeds := otelrelayertest.Cluster(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	for i := range onBroker { // what the earlier process delivered before it died
		m := recoveredMessage(i, true)
		if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: m.Topic, Key: m.Key, Value: m.Value, Headers: m.Headers}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cl.Close()

	back, err := kafkasink.New(kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	reader := sdkmetric.NewManualReader()
	p, err := exporter.New("logging", back, exporter.WithoutDefault(),
		exporter.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ForceFlush(t.Context()); err != nil { // recovery ends before the producer sends anything
		t.Fatal(err)
	}
	want := map[string]int64{
		exporter.MetricSpoolRecovered:                  withID + withoutID,
		exporter.MetricSpoolRecoveryReleased:           onBroker,
		exporter.MetricSpoolRecoveryDuplicatesPossible: withoutID,
	}
	got := spoolSums(t, reader)
	for name, n := range want {
		if got[name] != n {
			t.Errorf("%s = %d, want %d", name, got[name], n)
		}
	}

	if err := p.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := spoolSums(t, reader); len(got) != 0 {
		t.Errorf("after Shutdown the spool counters are still read from the closed producer: %v", got)
	}
}

// TestNoSpoolRecoveryMetricsWithoutASpoolSink: a sink that keeps no
// recovery counts has no otelrelayer.spool.* metrics.
func TestNoSpoolRecoveryMetricsWithoutASpoolSink(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	newTracerProvider(t, otelrelayertest.NewSink(), exporter.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if got := spoolSums(t, reader); len(got) != 0 {
		t.Errorf("spool metrics over an in-memory sink: %v", got)
	}
}

// recoveredMessage is message i of the earlier process, with an event ID
// when withID is set.
func recoveredMessage(i int, withID bool) kafkasink.Message {
	m := kafkasink.Message{Topic: "orders", Key: fmt.Appendf(nil, "key-%d", i%4), Value: fmt.Appendf(nil, `{"n":%d}`, i)}
	if withID {
		m.Headers = []kafkasink.Header{{Key: "relayer-event-id", Value: fmt.Appendf(nil, "id-%d", i)}}
	}
	return m
}

// spoolSums collects reader and returns the otelrelayer.spool.* sums.
func spoolSums(t *testing.T, reader *sdkmetric.ManualReader) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(t.Context(), &rm); err != nil {
		t.Fatal(err)
	}
	sums := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch m.Name {
			case exporter.MetricSpoolRecovered, exporter.MetricSpoolRecoveryReleased, exporter.MetricSpoolRecoveryDuplicatesPossible:
			default:
				continue
			}
			d, ok := m.Data.(metricdata.Sum[int64])
			if !ok || !d.IsMonotonic || d.Temporality != metricdata.CumulativeTemporality {
				t.Fatalf("%s is %T %+v, want a cumulative monotonic int64 sum", m.Name, m.Data, m.Data)
			}
			for _, dp := range d.DataPoints {
				sums[m.Name] += dp.Value
			}
		}
	}
	return sums
}

// closedAddr is an address where no broker listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// Two processors on one meter provider, each over a producer with its own
// spool: their recovery counts are two series, told apart by the spool
// directory, and one's Shutdown ends its own series without changing the
// other's (a sum that drops reads as a counter reset).
func TestSpoolRecoveryMetricsOfTwoSpoolsStayApart(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	leftIn := func(n int) string { // a spool an earlier process left n records in
		dir := t.TempDir()
		away, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			away.Produce(t.Context(), recoveredMessage(i, true), nil)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if err := away.Close(ctx); !errors.Is(err, kafkasink.ErrSpooled) {
			t.Fatalf("Close with no broker = %v, want ErrSpooled", err)
		}
		return dir
	}
	dirs := []string{leftIn(3), leftIn(5)}
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	var ps []*exporter.Processor
	for _, dir := range dirs {
		sink, err := kafkasink.New(kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
		if err != nil {
			t.Fatal(err)
		}
		p, err := exporter.New("logging", sink, exporter.WithoutDefault(), exporter.WithMeterProvider(mp))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.ForceFlush(t.Context()); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	recoveredByDir := func() map[string]int64 {
		t.Helper()
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(t.Context(), &rm); err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				if m.Name != exporter.MetricSpoolRecovered {
					continue
				}
				for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
					dir, _ := dp.Attributes.Value("otelrelayer.spool.dir")
					got[dir.AsString()] += dp.Value
				}
			}
		}
		return got
	}
	if got := recoveredByDir(); len(got) != 2 || got[dirs[0]] != 3 || got[dirs[1]] != 5 {
		t.Errorf("recovered by spool directory = %v, want %s: 3 and %s: 5", got, dirs[0], dirs[1])
	}
	if err := ps[0].Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := recoveredByDir(); len(got) != 1 || got[dirs[1]] != 5 {
		t.Errorf("after the first processor's Shutdown, recovered by spool directory = %v, want only %s: 5", got, dirs[1])
	}
	if err := ps[1].Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
}
