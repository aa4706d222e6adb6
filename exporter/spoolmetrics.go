package exporter

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// spoolDirKey is the attribute of the spool counters naming the spool
// directory.
const spoolDirKey = "otelrelayer.spool.dir"

// observeSpoolRecovery reports the spool recovery counts of a sink that
// keeps them (kafkasink.SpoolRecoverySink, the producer) through observable
// counters read at each collection: recovery runs in the sink's background,
// after New. It returns nil for any other sink. The registration is
// removed at Shutdown, so that the meter provider lets go of the sink.
func observeSpoolRecovery(m metric.Meter, sink kafkasink.Sink) (metric.Registration, error) {
	rs, ok := sink.(kafkasink.SpoolRecoverySink)
	if !ok {
		return nil, nil
	}
	recovered, err1 := m.Int64ObservableCounter(MetricSpoolRecovered, metric.WithUnit("{record}"),
		metric.WithDescription("Records an earlier process left in the spool, found when the producer started."))
	released, err2 := m.Int64ObservableCounter(MetricSpoolRecoveryReleased, metric.WithUnit("{record}"),
		metric.WithDescription("Recovered records found on the broker already: deleted from the spool, not produced again."))
	unchecked, err3 := m.Int64ObservableCounter(MetricSpoolRecoveryDuplicatesPossible, metric.WithUnit("{record}"),
		metric.WithDescription("Recovered records produced again without a check (no event ID, or the partitions' tails could not be read): each may be on the broker twice."))
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	return m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		c := rs.SpoolRecovery()
		if c.Dir == "" { // no spool: nothing to count
			return nil
		}
		// One series per spool directory: processors sharing a meter
		// provider are told apart, and one's Shutdown ends its own series
		// instead of lowering a sum (which a backend reads as a reset).
		dir := metric.WithAttributes(attribute.String(spoolDirKey, c.Dir))
		o.ObserveInt64(recovered, c.Recovered, dir)
		o.ObserveInt64(released, c.Released, dir)
		o.ObserveInt64(unchecked, c.Unchecked, dir)
		return nil
	}, recovered, released, unchecked)
}
