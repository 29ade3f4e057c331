package futex

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/internal/failpoint"
)

// Event is a flag that processes wait for, like Python's
// multiprocessing.Event. The zero value is a clear event.
//
// Set wakes every waiter in every process and never blocks; a waiter that
// was killed while waiting does not hold anyone up, and a setter killed
// before its wake-up delays waiters by at most 50ms. Wait spins for up to
// 20µs before it parks, so a peer that sets the event within that time
// costs neither side a system call: Set makes the wake-up system call only
// when someone is parked.
//
// A Set synchronizes before every Wait that it ends and every IsSet that
// reports it, in whatever process.
//
// An Event must not be copied after first use.
type Event struct {
	_ noCopy
	// word: bit 0 set; bits 1-31 count the sets (clear to set changes),
	// so that a waiter notices a Set even if a Clear followed at once.
	word    atomic.Uint32
	waiters atomic.Uint32 // parked waiters; one killed while parked stays counted
}

const eventSet = 1

// eventSpin is how long Wait spins before it parks: long enough to catch a
// peer's answer in a cross-process ping-pong, short enough that a long
// wait wastes little.
const eventSpin = 20 * time.Microsecond

// ShmKind names the kind of a segment that holds one Event.
func (*Event) ShmKind() string { return "event" }

// Set sets the event and wakes all waiters.
func (e *Event) Set() {
	for {
		w := e.word.Load()
		if w&eventSet != 0 {
			return
		}
		if e.word.CompareAndSwap(w, (w+2)|eventSet) {
			break
		}
	}
	failpoint.Inject("futex/event/set") // dying here: waiters find the set on their next look
	// CAS, then load waiters; a waiter adds itself to waiters, then loads
	// word. Both are sequentially consistent, so either the waiter sees
	// the Set or Set sees the waiter and wakes it.
	if e.waiters.Load() != 0 {
		_, _ = Wake(&e.word, All)
	}
}

// Clear clears the event.
func (e *Event) Clear() { e.word.And(^uint32(eventSet)) }

// IsSet reports whether the event is set.
func (e *Event) IsSet() bool { return e.word.Load()&eventSet != 0 }

// Wait returns once the event is set, or has been set since Wait began
// (even if it was cleared again at once), or with ctx.Err() when ctx is
// done.
func (e *Event) Wait(ctx context.Context) error {
	w := e.word.Load()
	if w&eventSet != 0 {
		return nil
	}
	// Spin for a while before parking: a peer process that answers within
	// microseconds then costs neither side a system call.
	for start, i := time.Now(), 0; ; i++ {
		if e.word.Load() != w {
			return nil
		}
		if i%256 == 255 && time.Since(start) > eventSpin {
			break
		}
	}
	// Park, looking again now and then: a setter killed between its CAS
	// and its wake-up leaves the event set with nobody woken.
	for recheck := recheckMin; ; recheck = min(2*recheck, recheckMax) {
		e.waiters.Add(1)
		if e.word.Load() != w {
			e.waiters.Add(^uint32(0))
			return nil
		}
		err := waitContext(ctx, &e.word, w, time.Now().Add(recheck))
		e.waiters.Add(^uint32(0))
		if e.word.Load() != w { // only a Set changes a clear word
			return nil
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
	}
}

// EventState is a snapshot of an Event, for observers such as shmtool.
type EventState struct {
	Set     bool `json:"set"`
	Waiters int  `json:"waiters"`
}

// State returns a snapshot of e; it only reads e.
func (e *Event) State() EventState {
	return EventState{Set: e.IsSet(), Waiters: int(e.waiters.Load())}
}
