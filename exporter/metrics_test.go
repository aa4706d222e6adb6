package exporter_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

func TestMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	sink := &pendingSink{Sink: otelrelayertest.NewSink()}
	tp := newTracerProvider(t, sink, exporter.WithMeterProvider(mp), exporter.WithMaxLines(1),
		exporter.WithErrorHandler(func(error) {}))

	ctx, span := tp.Tracer("t").Start(t.Context(), "request")
	for range 3 {
		_ = bridge.Emit(ctx, "orders", "created", 1)
	}
	sink.deliver(nil) // three sent
	_ = bridge.Emit(ctx, "orders", "created", 1)
	sink.deliver(errLost) // one failed
	sink.mu.Lock()
	sink.full = true // one refused: buffer full
	sink.mu.Unlock()
	done, cancel := context.WithCancel(ctx)
	cancel()
	_ = bridge.Emit(done, "orders", "created", 1)
	_ = bridge.Log(ctx, "info", "one line too many")
	span.End()

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(t.Context(), &rm); err != nil {
		t.Fatal(err)
	}
	orders := attribute.NewSet(attribute.String("messaging.system", "kafka"),
		attribute.String("messaging.destination.name", "orders"), attribute.String("messaging.operation.name", "send"))
	failed := attribute.NewSet(attribute.String("messaging.system", "kafka"), attribute.String("messaging.destination.name", "orders"),
		attribute.String("messaging.operation.name", "send"), attribute.String("error.type", "_OTHER"))
	logging := attribute.NewSet(attribute.String("messaging.system", "kafka"),
		attribute.String("messaging.destination.name", "logging"), attribute.String("messaging.operation.name", "send"))

	sums := map[string]map[attribute.Set]int64{}
	histCounts := map[attribute.Set]uint64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				sums[m.Name] = map[attribute.Set]int64{}
				for _, dp := range d.DataPoints {
					sums[m.Name][dp.Attributes] = dp.Value
				}
			case metricdata.Histogram[float64]:
				if m.Name != exporter.MetricOperationDuration || m.Unit != "s" {
					t.Errorf("histogram %s in %s", m.Name, m.Unit)
				}
				for _, dp := range d.DataPoints {
					histCounts[dp.Attributes] = dp.Count
				}
			}
		}
	}
	checks := []struct {
		metric string
		attrs  attribute.Set
		want   int64
	}{
		{exporter.MetricSentMessages, orders, 3},
		{exporter.MetricSentMessages, failed, 1},
		{exporter.MetricSentMessages, logging, 1},
		{exporter.MetricDroppedMessages, orders, 1},
		{exporter.MetricRequestLogs, *attribute.EmptySet(), 1},
		{exporter.MetricDroppedLines, *attribute.EmptySet(), 4}, // WithMaxLines(1): 3 of 4 event lines and the log line
	}
	for _, c := range checks {
		if got := sums[c.metric][c.attrs]; got != c.want {
			t.Errorf("%s%v = %d, want %d (all: %v)", c.metric, c.attrs.ToSlice(), got, c.want, sums[c.metric])
		}
	}
	if histCounts[orders] != 3 || histCounts[failed] != 1 {
		t.Errorf("duration histogram counts %v", histCounts)
	}
}

func TestEvictionMetric(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	sink := otelrelayertest.NewSink()
	// The eviction is counted before the handler hears of it: wait for the
	// handler, not for the request log (written before both).
	evicted := make(chan struct{}, 16)
	tp := newTracerProvider(t, sink, exporter.WithMeterProvider(mp), exporter.WithMaxRequestAge(10*time.Millisecond),
		exporter.WithErrorHandler(func(error) { evicted <- struct{}{} }))
	_, _ = tp.Tracer("t").Start(t.Context(), "leaked")
	select {
	case <-evicted:
	case <-time.After(5 * time.Second): // an upper bound, not a measure
		t.Fatal("the open request was not evicted")
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(t.Context(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == exporter.MetricEvictedRequests {
				if v := m.Data.(metricdata.Sum[int64]).DataPoints[0].Value; v != 1 {
					t.Fatalf("evicted = %d, want 1", v)
				}
				return
			}
		}
	}
	t.Fatal("no eviction metric")
}
