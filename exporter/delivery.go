package exporter

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/otelrelayer/otelrelayer/internal/eventid"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// delivery follows one message through the sink and sends its result where
// it belongs: to the caller while Produce has not returned, or while the
// caller waits for the acknowledgement (WithAck); else to the error handler
// and, for an event, the request's dropped_events.
type delivery struct {
	p     *Processor
	topic string
	what  string // "request log", in reports; events are named by their ID
	start time.Time

	// An event's: the request it belongs to (nil outside one) and its line,
	// added when an abandoned acknowledgement turns out a success.
	event bool
	req   *request
	raw   bool
	value []byte
	id    uuid.UUID

	ack   bool
	acked chan error // WithAck: the result, for the waiting caller

	state atomic.Int32
	err   atomic.Pointer[error] // a failure, stored before the state says it is known
}

// The states of a delivery. The sink answers (done) either while Produce
// runs (producing → doneEarly) or after it returned (returned → answered
// when the caller waits for it; else reported). A caller that stops waiting
// abandons it (returned → abandoned): the answer is then reported.
const (
	deliveryProducing int32 = iota
	deliveryReturned
	deliveryDoneEarly
	deliveryAnswered
	deliveryAbandoned
)

// done is the sink's callback.
func (d *delivery) done(err error) {
	// Safe in the spool, produced later (by the next process on the spool
	// if need be): neither sent nor a failure nor a drop. Only a caller
	// waiting for the acknowledgement is told.
	spooled := err != nil && errors.Is(err, kafkasink.ErrSpooled)
	if spooled && !d.ack {
		err = nil
	}
	if !spooled {
		d.p.metrics.produced(d.topic, d.start, err)
	}
	if err != nil {
		failure := err        // only a failure is moved to the heap
		d.err.Store(&failure) // before the state changes that publish it
	}
	if d.state.CompareAndSwap(deliveryProducing, deliveryDoneEarly) {
		if d.ack {
			d.acked <- err
		}
		return
	}
	if d.ack && d.state.CompareAndSwap(deliveryReturned, deliveryAnswered) {
		d.acked <- err
		return
	}
	// Nobody waits: Produce returned without WithAck, or the caller gave up.
	if spooled {
		return
	}
	if err != nil {
		if d.event {
			d.req.countDroppedEvent()
		}
		if d.p.shut.Load() { // Shutdown returns it
			d.p.undelivered.add(d.event, d.id, err)
			return
		}
		what := d.what
		if d.event {
			what = "event " + d.id.String()
		}
		d.p.reports.report(fmt.Errorf("otelrelayer: producing %s to %q: %w", what, d.topic, err))
		return
	}
	if d.event && d.ack && d.req != nil { // delivered after the caller gave up
		var text [eventid.TextLen]byte
		d.p.addEventLine(d.req, d.raw, d.value, eventid.AppendText(text[:0], d.id))
	}
}

// returned is called once Produce returned: it tells whether the result is
// already known, and what it is. With WithAck the result also waits in acked.
func (d *delivery) returned() (err error, settled bool) {
	if d.state.CompareAndSwap(deliveryProducing, deliveryReturned) || d.ack {
		return nil, false
	}
	if e := d.err.Load(); e != nil {
		return *e, true
	}
	return nil, true
}

// abandon is called when a caller waiting for the acknowledgement gives up.
// It reports false when the answer arrived meanwhile: it is then in acked.
func (d *delivery) abandon() bool {
	return d.state.CompareAndSwap(deliveryReturned, deliveryAbandoned)
}
