package futex

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"time"
)

// Cond is a condition variable shared between processes, used with a
// Mutex, like Python's multiprocessing.Condition. The zero value is ready.
//
// As with sync.Cond, a waiter re-checks its condition in a loop: Wait can
// return without a Signal (spuriously, or because it was cancelled).
//
//	mu.Lock()
//	for !ready() {
//		if err := c.Wait(ctx, &mu); err != nil { ... }
//	}
//
// A waiter that is killed while it waits does not consume a Signal meant
// for another: the kernel wakes a waiter that is still there.
//
// A Signal or Broadcast synchronizes before the return of each Wait it
// wakes; since Wait relocks the Mutex, what the signaller wrote under the
// lock before it is visible to the woken waiter, as with sync.Cond.
//
// A Cond must not be copied after first use.
type Cond struct {
	_       noCopy
	seq     atomic.Uint32 // bumped by every Signal and Broadcast; the futex word
	waiters atomic.Uint32 // parked waiters, so that Signal can skip the system call
}

// Wait unlocks m, waits for a Signal or Broadcast (or for ctx to be done),
// and locks m again before it returns, whatever happened. It returns
// ctx.Err() on cancellation, and the relock's error if that fails:
// ErrOwnerDead (m held: another process died holding it meanwhile) or
// ErrNotRecoverable (m not held).
func (c *Cond) Wait(ctx context.Context, m *Mutex) error {
	return c.WaitRelock(ctx, m, context.Background())
}

// WaitRelock is Wait whose final relock of m gives up when relock ends,
// returning relock's error without m: for a caller that must be able to
// abandon the wait altogether, such as a handle being closed (see
// shmsync.Cond), while a cancelled ctx alone still relocks m.
func (c *Cond) WaitRelock(ctx context.Context, m *Mutex, relock context.Context) error {
	seq := c.seq.Load() // before Unlock: a Signal after it changes seq
	c.waiters.Add(1)
	if err := m.Unlock(); err != nil {
		c.waiters.Add(^uint32(0))
		return err
	}
	// Look again now and then: a signaller killed between its increment
	// and its wake-up leaves us parked.
	var err error
	for recheck := recheckMin; ; recheck = min(2*recheck, recheckMax) {
		err = waitContext(ctx, &c.seq, seq, time.Now().Add(recheck))
		if !errors.Is(err, os.ErrDeadlineExceeded) || c.seq.Load() != seq {
			break
		}
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = nil // seq moved: signalled
	}
	c.waiters.Add(^uint32(0))
	if err != nil {
		// Cancelled: a Signal may have picked us; pass it on.
		_, _ = Wake(&c.seq, 1)
	}
	if lerr := m.LockContext(relock); lerr != nil {
		return lerr
	}
	return err
}

// Signal wakes one waiter, if there is one.
func (c *Cond) Signal() {
	c.seq.Add(1)
	if c.waiters.Load() != 0 {
		_, _ = Wake(&c.seq, 1)
	}
}

// Broadcast wakes all waiters.
func (c *Cond) Broadcast() {
	c.seq.Add(1)
	if c.waiters.Load() != 0 {
		_, _ = Wake(&c.seq, All)
	}
}
