package exporter

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	sc "github.com/otelrelayer/otelrelayer/internal/semconvkeys"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// Metric names. The first two are the messaging semantic conventions'.
const (
	MetricSentMessages      = sc.MessagingClientSentMessages
	MetricOperationDuration = sc.MessagingClientOperationDuration
	MetricDroppedMessages   = "otelrelayer.messages.dropped"
	MetricRequestLogs       = "otelrelayer.request_logs"
	MetricDroppedLines      = "otelrelayer.lines.dropped"
	MetricEvictedRequests   = "otelrelayer.requests.evicted"
	MetricLateLines         = "otelrelayer.lines.late"

	// The spool's recovery of the records an earlier process left, with a
	// sink that reports it (kafkasink.SpoolRecoverySink): all of them,
	// those found on the broker already, and those produced again without
	// a check, which may be duplicates.
	MetricSpoolRecovered                  = "otelrelayer.spool.recovered"
	MetricSpoolRecoveryReleased           = "otelrelayer.spool.recovery.released"
	MetricSpoolRecoveryDuplicatesPossible = "otelrelayer.spool.recovery.duplicates_possible"
)

const meterName = "github.com/otelrelayer/otelrelayer/exporter"

// metrics are the processor's instruments. Per-topic attribute sets are
// built once and cached.
type metrics struct {
	sent         metric.Int64Counter
	duration     metric.Float64Histogram
	dropped      metric.Int64Counter
	requestLogs  metric.Int64Counter
	droppedLines metric.Int64Counter
	evicted      metric.Int64Counter
	lateLines    metric.Int64Counter
	topics       sync.Map            // topic → metric.MeasurementOption
	spool        metric.Registration // the sink's spool recovery counts; nil without
}

func newMetrics(mp metric.MeterProvider, sink kafkasink.Sink) (*metrics, error) {
	m := mp.Meter(meterName)
	var ms metrics
	var err error
	ms.spool, err = observeSpoolRecovery(m, sink)
	err = errors.Join(err,
		instrument(&ms.sent, m.Int64Counter, MetricSentMessages, "{message}",
			"Messages the producer attempted to send, by topic; failures carry error.type."),
		func() (err error) {
			ms.duration, err = m.Float64Histogram(MetricOperationDuration, metric.WithUnit("s"),
				metric.WithDescription("Time from producing a message to the broker's answer."),
				metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10))
			return err
		}(),
		instrument(&ms.dropped, m.Int64Counter, MetricDroppedMessages, "{message}",
			"Messages refused before being sent because the producer's buffer was full, by topic."),
		instrument(&ms.requestLogs, m.Int64Counter, MetricRequestLogs, "{request_log}",
			"Request logs produced."),
		instrument(&ms.droppedLines, m.Int64Counter, MetricDroppedLines, "{line}",
			"Lines left out of request logs by the line and size bounds."),
		instrument(&ms.evicted, m.Int64Counter, MetricEvictedRequests, "{request}",
			"Requests evicted because their root span stayed open too long."),
		instrument(&ms.lateLines, m.Int64Counter, MetricLateLines, "{line}",
			"Lines and errors that arrived after their request's log was written, written in a message marked late."),
	)
	if err != nil {
		_ = ms.stop()
		return nil, err
	}
	return &ms, nil
}

// stop removes the callbacks that read the sink.
func (m *metrics) stop() error {
	if m.spool == nil {
		return nil
	}
	return m.spool.Unregister()
}

func instrument(dst *metric.Int64Counter, mk func(string, ...metric.Int64CounterOption) (metric.Int64Counter, error), name, unit, desc string) error {
	c, err := mk(name, metric.WithUnit(unit), metric.WithDescription(desc))
	*dst = c
	return err
}

// add adds n to c unless no reader wants it.
func add(c metric.Int64Counter, n int64) {
	if ctx := context.Background(); c.Enabled(ctx) {
		c.Add(ctx, n)
	}
}

// sendAttributes are the attributes of a send to topic, plus extra.
func sendAttributes(topic string, extra ...attribute.KeyValue) attribute.Set {
	return attribute.NewSet(append([]attribute.KeyValue{
		attribute.String(sc.MessagingSystem, "kafka"),
		attribute.String(sc.MessagingDestinationName, topic),
		attribute.String(sc.MessagingOperationName, "send"),
	}, extra...)...)
}

func (m *metrics) topicAttrs(topic string) metric.MeasurementOption {
	if o, ok := m.topics.Load(topic); ok {
		return o.(metric.MeasurementOption)
	}
	o := metric.WithAttributeSet(sendAttributes(topic))
	m.topics.Store(topic, o)
	return o
}

// start returns the time a produce starts, or zero when durations are not
// recorded.
func (m *metrics) start() time.Time {
	if m.duration.Enabled(context.Background()) {
		return time.Now()
	}
	return time.Time{}
}

// produced records the outcome of one message.
func (m *metrics) produced(topic string, start time.Time, err error) {
	ctx := context.Background()
	if !m.sent.Enabled(ctx) && !m.dropped.Enabled(ctx) && start.IsZero() {
		return // no reader: skip building the measurement options
	}
	if errors.Is(err, kafkasink.ErrBufferFull) {
		m.dropped.Add(ctx, 1, m.topicAttrs(topic))
		return
	}
	var opts metric.MeasurementOption
	if err == nil {
		opts = m.topicAttrs(topic)
	} else {
		opts = metric.WithAttributeSet(sendAttributes(topic, attribute.String(sc.ErrorType, kafkasink.ErrorType(err))))
	}
	m.sent.Add(ctx, 1, opts)
	if !start.IsZero() {
		m.duration.Record(ctx, time.Since(start).Seconds(), opts)
	}
}
