package futex

import "errors"

// Errors of the primitives. Test for them with [errors.Is].
var (
	// ErrOwnerDead is returned by Lock, LockContext and TryLock when the
	// mutex was acquired from an owner process that died holding it. The
	// lock is held. The data it guards may be half-updated: repair it,
	// then call MarkConsistent before Unlock, or the mutex becomes
	// unrecoverable.
	ErrOwnerDead = errors.New("futex: mutex owner died")

	// ErrNotRecoverable is returned by every Lock of a mutex whose
	// owner-dead state was never repaired. The lock is not held. Recreate
	// the mutex (and whatever it guards).
	ErrNotRecoverable = errors.New("futex: mutex not recoverable")

	// ErrNotOwner is returned by Unlock and MarkConsistent when this
	// process does not hold the mutex.
	ErrNotOwner = errors.New("futex: mutex not held by this process")

	// ErrBrokenBarrier is returned by Barrier.Wait when the barrier is
	// broken: a party timed out, was cancelled, aborted or died, or the
	// barrier was reset while this party waited.
	ErrBrokenBarrier = errors.New("futex: barrier broken")
)
