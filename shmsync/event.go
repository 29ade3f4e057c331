package shmsync

import (
	"context"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/named"
	"github.com/shmkit/shmkit/shm"
)

// Event is a futex.Event in a segment of its own, Python's
// multiprocessing.Event. Its methods are safe for concurrent use.
type Event struct{ o *named.Object[futex.Event] }

// CreateEvent makes a segment called name holding a clear event.
func CreateEvent(name string, opts *shm.Options) (*Event, error) {
	o, err := named.Create[futex.Event](name, nil, opts)
	return wrap(o, err, func(o *named.Object[futex.Event]) *Event { return &Event{o} })
}

// OpenEvent opens the event segment called name.
func OpenEvent(name string, opts *shm.Options) (*Event, error) {
	o, err := named.Open[futex.Event](name, opts)
	return wrap(o, err, func(o *named.Object[futex.Event]) *Event { return &Event{o} })
}

// OpenOrCreateEvent opens the event segment called name, or creates it if
// it does not exist; created reports which.
func OpenOrCreateEvent(name string, opts *shm.Options) (e *Event, created bool, err error) {
	o, created, err := named.OpenOrCreate[futex.Event](name, nil, opts)
	e, err = wrap(o, err, func(o *named.Object[futex.Event]) *Event { return &Event{o} })
	return e, created, err
}

// Set sets the event and wakes every waiter, in every process.
func (e *Event) Set() error { return e.o.Do(func(ev *futex.Event) error { ev.Set(); return nil }) }

// Clear clears the event.
func (e *Event) Clear() error { return e.o.Do(func(ev *futex.Event) error { ev.Clear(); return nil }) }

// IsSet reports whether the event is set (false after Close).
func (e *Event) IsSet() bool { return state(e.o, (*futex.Event).IsSet) }

// Wait waits until the event is set, ctx is done (ctx.Err()) or the Event
// is closed (os.ErrClosed).
func (e *Event) Wait(ctx context.Context) error {
	return e.o.Wait(ctx, func(ctx context.Context, ev *futex.Event) error { return ev.Wait(ctx) })
}

// State returns a snapshot of the event, or the zero state after Close.
func (e *Event) State() futex.EventState { return state(e.o, (*futex.Event).State) }

// Segment returns the segment that holds the event.
func (e *Event) Segment() *shm.Segment { return e.o.Segment() }

// Close wakes this process's goroutines in Wait (they return
// os.ErrClosed), waits for the ones inside, and unmaps the event. It is
// idempotent.
func (e *Event) Close() error { return e.o.Close() }
