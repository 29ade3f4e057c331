package stress

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/shm"
)

var eventKind = kind{
	create:     func(name string, _ int) error { return createAndClose[sharedEvent](name) },
	work:       eventWork,
	failpoints: []string{"futex/event/set", "futex/mutex/acquired", "futex/mutex/release"},
}

// sharedEvent is the event kind's object. One worker at a time, holding
// Role, is the setter: it counts a generation, sets the event, clears it,
// and again. The others wait. A waiter must wake for a Set: one that waits
// 2s while the setter counts more than eventLostAfter generations has lost
// its wake-up.
type sharedEvent struct {
	Ev   futex.Event
	Role futex.Mutex
	Gen  atomic.Uint64
}

const (
	eventCycles    = 200 // sets a setter makes before it lets another take over
	eventLostAfter = 100
)

func eventWork(ctx context.Context, name string, _ int, r *reporter) error {
	obj, err := shm.OpenObject[sharedEvent](name, nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	e := obj.Get()
	for ctx.Err() == nil {
		ok, err := e.Role.TryLock()
		if errors.Is(err, futex.ErrOwnerDead) { // the setter died: the event may be left set, which is fine
			r.recovery()
			err = e.Role.MarkConsistent()
		}
		if err != nil {
			r.violation("role: %v", err)
			return err
		}
		if ok {
			for i := 0; i < eventCycles && ctx.Err() == nil; i++ {
				e.Gen.Add(1)
				e.Ev.Set()
				time.Sleep(50 * time.Microsecond)
				e.Ev.Clear()
				time.Sleep(50 * time.Microsecond)
				r.op()
			}
			if err := e.Role.Unlock(); err != nil {
				r.violation("unlock: %v", err)
				return err
			}
			time.Sleep(time.Millisecond) // let a waiter take over
			continue
		}
		g := e.Gen.Load()
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = e.Ev.Wait(wctx)
		cancel()
		switch {
		case err == nil:
			r.op()
		case ctx.Err() != nil:
		case e.Gen.Load()-g > eventLostAfter:
			r.violation("waited 2s through %d sets: a lost wake-up", e.Gen.Load()-g)
		default:
			r.standby() // no setter for 2s
		}
	}
	return ctx.Err()
}
