package exporter

import (
	"fmt"

	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// delivery follows one event through the sink and sends its result where it
// belongs: to the caller while Produce has not returned or when the caller
// waits for the acknowledgement, else to the error handler and the request's
// dropped_events.
type delivery struct {
	p     *Processor
	req   *request // nil outside a request
	topic string
	id    uuid.UUID // the relayer-event-id, named in reports
	ack   bool
	acked chan error // WithAck: the result, for the waiting caller
	start time.Time  // for the duration metric

	state atomic.Int32 // deliveryProducing → deliveryReturned, or → deliveryDoneEarly
	err   error        // set with deliveryDoneEarly
}

const (
	deliveryProducing int32 = iota
	deliveryReturned
	deliveryDoneEarly
)

// done is the sink's callback.
func (d *delivery) done(err error) {
	d.p.metrics.produced(d.topic, d.start, err)
	// Written before the state is published: returned reads it only after
	// seeing deliveryDoneEarly, and nobody reads it otherwise.
	d.err = err
	if d.state.CompareAndSwap(deliveryProducing, deliveryDoneEarly) {
		if d.ack {
			d.acked <- err
		}
		return
	}
	if d.ack {
		d.acked <- err
		return
	}
	if err != nil {
		d.req.countDroppedEvent()
		d.p.cfg.errorHandler(fmt.Errorf("otelrelayer: producing event %s to %q: %w", d.id, d.topic, err))
	}
}

// returned is called once Produce returned: it tells whether the result is
// already known, and what it is.
func (d *delivery) returned() (err error, settled bool) {
	if d.state.CompareAndSwap(deliveryProducing, deliveryReturned) {
		return nil, false
	}
	if d.ack { // the result also waits in acked, for the select
		return nil, false
	}
	return d.err, true
}
