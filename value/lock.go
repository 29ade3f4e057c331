package value

import (
	"context"
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/futex"
)

// Lock takes the Value's writers' lock, the one Store and Update take, as
// Python's get_lock() does: for updates that must be combined with other
// shared state. While it is held, no Store or Update of any process
// lands; the holder writes the value with StoreLocked or UpdateLocked,
// and reads it with Load. Add, CompareAndSwap and Swap never wait for the
// lock, so they still land: see UpdateLocked.
//
// The lock is a futex.Mutex, owned by the process (any goroutine of it may
// Unlock it through this Value), with the same results: nil, or futex.ErrOwnerDead with the lock
// held when the previous holder died holding it, or
// futex.ErrNotRecoverable without it. After ErrOwnerDead, repair what the
// lock guards (StoreLocked repairs a value torn mid-write), then call
// MarkConsistent before Unlock; unlocking without it makes the lock
// unrecoverable, and every later Lock, Store and Update fails with
// futex.ErrNotRecoverable. Until a torn value is repaired, Load waits for
// its holder as for any live writer mid-write, and gives up after its
// budget with os.ErrDeadlineExceeded rather than ErrCorrupt.
//
// A Store or Update that takes the lock from a dead holder recovers it
// itself: it marks the lock consistent, knowing only the value (which
// Store repairs if torn, and Update reports as ErrCorrupt), so that a Lock
// after it returns nil. If the lock guards more than the value, write the
// value only while holding the lock, never with Store or Update.
//
// The holder must not call Store or Update: they would wait for the lock
// it holds.
func (v *Value[T]) Lock() error { return v.LockContext(context.Background()) }

// LockContext is Lock that gives up when ctx ends, with ctx.Err(), or when
// the Value is closed, with os.ErrClosed, without the lock.
func (v *Value[T]) LockContext(ctx context.Context) error {
	if err := v.gate.Enter(); err != nil {
		return err
	}
	defer v.gate.Leave()
	err := v.acquire(ctx)
	if err == nil || errors.Is(err, futex.ErrOwnerDead) {
		v.held.Store(true)
	}
	return err
}

// Unlock releases the writers' lock taken by Lock. It fails with
// futex.ErrNotOwner if this Value's Lock does not hold it. Close does not
// unlock: a lock still held when the process exits is recovered by the
// next locker, as from a dead holder.
func (v *Value[T]) Unlock() error {
	if err := v.gate.Enter(); err != nil {
		return err
	}
	defer v.gate.Leave()
	if !v.held.CompareAndSwap(true, false) {
		return fmt.Errorf("value: unlock %s: %w", v.seg.Name(), futex.ErrNotOwner)
	}
	return v.ctl.mu.Unlock()
}

// MarkConsistent declares what the lock guards repaired after Lock
// returned futex.ErrOwnerDead; the caller holds the lock.
func (v *Value[T]) MarkConsistent() error {
	if err := v.gate.Enter(); err != nil {
		return err
	}
	defer v.gate.Leave()
	if !v.held.Load() {
		return fmt.Errorf("value: mark consistent %s: %w", v.seg.Name(), futex.ErrNotOwner)
	}
	return v.ctl.mu.MarkConsistent()
}

// StoreLocked is Store for the holder of the lock (after Lock), which it
// does not take. It also repairs a torn value. It fails with
// futex.ErrNotOwner if this Value's Lock does not hold the lock.
//
// An Add, CompareAndSwap or Swap that lands between a Load and a
// StoreLocked of a value computed from it is overwritten, as it would be
// between any read and a blind store: read-modify-write with UpdateLocked,
// or with the atomics themselves.
func (v *Value[T]) StoreLocked(x T) error {
	if err := v.gate.Enter(); err != nil {
		return err
	}
	defer v.gate.Leave()
	if !v.held.Load() {
		return fmt.Errorf("value: store %s: %w", v.seg.Name(), futex.ErrNotOwner)
	}
	v.write(x)
	return nil
}

// UpdateLocked is Update for the holder of the lock (after Lock), which it
// does not take. As Update, it fails with ErrCorrupt on a torn value
// without calling f, and for a T of 1, 2, 4 or 8 bytes it may run f more
// than once, so that an Add, CompareAndSwap or Swap that lands meanwhile
// is not lost. It fails with futex.ErrNotOwner if this Value's Lock does
// not hold the lock.
func (v *Value[T]) UpdateLocked(f func(*T)) error {
	if err := v.gate.Enter(); err != nil {
		return err
	}
	defer v.gate.Leave()
	if !v.held.Load() {
		return fmt.Errorf("value: update %s: %w", v.seg.Name(), futex.ErrNotOwner)
	}
	if v.ctl.seq.Load()&1 == 1 {
		return ErrCorrupt
	}
	v.update(f)
	return nil
}
