package exporter

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// maxNamedEvents is how many undelivered events Shutdown's error names.
const maxNamedEvents = 5

// undelivered counts the messages that failed while Shutdown ran: Shutdown
// returns them in its error instead of handing each to the error handler,
// since its caller can receive them.
type undelivered struct {
	mu     sync.Mutex
	events int
	logs   int
	ids    []uuid.UUID // the first events, by ID
	last   error
	// unwritten are the error lines of spans that ended while Shutdown ran,
	// after their request's log was written: no message takes them.
	unwritten int
}

// skip counts n error lines that no message will take.
func (u *undelivered) skip(n int) {
	u.mu.Lock()
	u.unwritten += n
	u.mu.Unlock()
}

func (u *undelivered) add(event bool, id uuid.UUID, err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if event {
		u.events++
		if len(u.ids) < maxNamedEvents {
			u.ids = append(u.ids, id)
		}
	} else {
		u.logs++
	}
	u.last = err
}

// err is Shutdown's error, given the sink's Close error.
func (u *undelivered) err(closeErr error) error {
	err := u.sent(closeErr)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.unwritten == 0 {
		return err
	}
	return errors.Join(fmt.Errorf("%w: %d error lines of spans that ended while Shutdown ran, after their request's log was written, were not written", bridge.ErrShutdown, u.unwritten), err)
}

// sent is Shutdown's error about the messages handed to the sink.
func (u *undelivered) sent(closeErr error) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.events+u.logs == 0 {
		if closeErr != nil {
			return fmt.Errorf("exporter: closing the sink: %w", closeErr)
		}
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "exporter: %d events", u.events)
	if len(u.ids) > 0 {
		b.WriteString(" (")
		for i, id := range u.ids {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(id.String())
		}
		if more := u.events - len(u.ids); more > 0 {
			fmt.Fprintf(&b, " and %d more", more)
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, " and %d request logs not delivered at shutdown", u.logs)
	if errors.Is(closeErr, kafkasink.ErrUndelivered) {
		return fmt.Errorf("%s: %w", b.String(), closeErr) // counts and names the cause
	}
	err := fmt.Errorf("%s: %w; last failure: %w", b.String(), kafkasink.ErrUndelivered, u.last)
	if closeErr != nil {
		err = fmt.Errorf("%w; closing the sink: %w", err, closeErr)
	}
	return err
}
