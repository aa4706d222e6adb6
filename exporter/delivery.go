package exporter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// Each kind of message has its own delivery type, and each type is produced
// by one function that hands the message to the sink and settles what the
// caller learns in the same call: no caller has to remember a second call
// for a failure to reach the error handler.
//
//   - [logDelivery]: a request log written on nobody's behalf (a root's end,
//     eviction, Shutdown). Every failure is reported.
//   - [callerDelivery]: a message its caller is still in (an event without
//     WithAck, a Log outside any request): a failure before Produce returned
//     is the caller's error, a later one is reported.
//   - [ackDelivery]: an event with WithAck: the caller waits for the answer
//     within its context; an answer arriving after it stopped waiting is
//     reported.
//
// "Reported" means the error handler, or Shutdown's error while Shutdown
// runs: see [Processor.fail].

// logDelivery reports every failure of a request log.
type logDelivery struct {
	p     *Processor
	start time.Time // zero when produce durations are not measured
}

func (d *logDelivery) done(err error) {
	if err != nil && errors.Is(err, kafkasink.ErrSpooled) {
		return // safe on disk, produced later
	}
	d.p.metrics.produced(d.p.loggingTopic, d.start, err)
	if err != nil {
		d.p.fail(failedMessage{what: "request log", topic: d.p.loggingTopic}, err)
	}
}

// failedMessage names a message whose failure is reported.
type failedMessage struct {
	what  string // "request log", "late line"; empty for an event
	topic string
	id    uuid.UUID // an event's
	req   *request  // an event's request, whose dropped_events counts it
}

// fail reports a failure that no caller can receive anymore: to Shutdown's
// error while Shutdown runs, else to the error handler. An event also counts
// in its request's dropped_events, when the request is still open.
func (p *Processor) fail(m failedMessage, err error) {
	event := m.what == ""
	if event {
		m.req.countDroppedEvent()
	}
	if p.shut.Load() { // Shutdown returns it
		p.undelivered.add(event, m.id, err)
		return
	}
	what := m.what
	if event {
		what = "event " + m.id.String()
	}
	p.reports.report(fmt.Errorf("exporter: producing %s to %q: %w", what, m.topic, err))
}

// callerDelivery is a message its caller is still in: the sink's answer
// before Produce returned is the caller's, a later failure is reported.
type callerDelivery struct {
	p     *Processor
	msg   failedMessage
	start time.Time

	mu       sync.Mutex
	returned bool  // Produce returned: answers from now on are reported
	early    error // the answer before that
	// owner is the pooled event this delivery belongs to, whose sink's
	// hold done gives back when it returns; nil when not pooled.
	owner *firedEvent
}

func (d *callerDelivery) done(err error) {
	if d.owner != nil {
		defer d.owner.release()
	}
	if err != nil && errors.Is(err, kafkasink.ErrSpooled) {
		return // safe on disk, produced later: not a failure
	}
	d.p.metrics.produced(d.msg.topic, d.start, err)
	d.mu.Lock()
	if !d.returned {
		d.early = err
		d.mu.Unlock()
		return
	}
	d.mu.Unlock()
	if err != nil {
		d.p.fail(d.msg, err)
	}
}

// produceForCaller hands msg to the sink and returns the failure the sink
// reported before Produce returned; a later failure is reported.
// An event goes through produceEvent.
func (p *Processor) produceForCaller(ctx context.Context, msg kafkasink.Message, d *callerDelivery, event bool) error {
	if event {
		p.produceEvent(ctx, msg, d.done)
	} else {
		p.sink.Produce(ctx, msg, d.done)
	}
	d.mu.Lock()
	d.returned = true
	err := d.early
	d.mu.Unlock()
	return err
}

// produceEvent hands an event to the sink. With WithDropWhenFull it must
// not wait for buffer room: a sink with kafkasink.OptionsSink is told so
// explicitly and keeps the caller's context, which still bounds what the
// sink may wait for (a spool's fsync: ErrNotCommitted once ctx ends); a
// context already done would make a spool wait for its disk without bound.
// A plain Sink gets the Sink contract's "do not wait": a done context.
func (p *Processor) produceEvent(ctx context.Context, msg kafkasink.Message, done func(error)) {
	if !p.cfg.dropWhenFull {
		p.sink.Produce(ctx, msg, done)
		return
	}
	if s, ok := p.sink.(kafkasink.OptionsSink); ok {
		s.ProduceWith(ctx, msg, kafkasink.ProduceOptions{NoWait: true}, done)
		return
	}
	p.sink.Produce(doneContext, msg, done)
}

// ackDelivery is an event whose caller waits for the broker's answer
// (WithAck). An answer that comes after the caller stopped waiting is
// reported when it is a failure.
type ackDelivery struct {
	p     *Processor
	msg   failedMessage
	start time.Time

	mu        sync.Mutex
	answer    chan error // buffered: done never blocks
	abandoned bool       // the caller stopped waiting
}

func (d *ackDelivery) done(err error) {
	if err == nil || !errors.Is(err, kafkasink.ErrSpooled) {
		d.p.metrics.produced(d.msg.topic, d.start, err)
	}
	d.mu.Lock()
	if !d.abandoned {
		d.answer <- err
		d.mu.Unlock()
		return
	}
	d.mu.Unlock()
	if err != nil && !errors.Is(err, kafkasink.ErrSpooled) {
		d.p.fail(d.msg, err)
	}
}

// produceAndWait hands msg to the sink and waits for the broker's answer
// within ctx. It reports waited false when ctx ended first: the message may
// still be delivered, and a later failure is reported.
func (p *Processor) produceAndWait(ctx context.Context, msg kafkasink.Message, d *ackDelivery) (err error, waited bool) {
	d.answer = make(chan error, 1)
	p.produceEvent(ctx, msg, d.done)
	select {
	case err = <-d.answer:
		return err, true
	case <-ctx.Done():
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	select {
	case err = <-d.answer: // it arrived meanwhile
		return err, true
	default:
		d.abandoned = true
		return nil, false
	}
}
