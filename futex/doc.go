// Package futex waits and wakes on 32-bit words in shared memory, and
// builds on them the synchronization primitives of Python's
// multiprocessing for processes that share memory: Mutex (robust to the
// death of its owner), Event, Cond and Barrier.
//
// Each primitive is a fixed-size, pointer-free struct whose zero value is
// ready (Barrier needs Init), so it can sit inside a struct laid over a
// shared segment, next to the data it guards:
//
//	type Shared struct {
//		Mu   futex.Mutex
//		Hits uint64
//	}
//	obj, err := shm.CreateObject[Shared]("stats", nil, nil) // or shm.OpenObject
//
// or alone in a named segment: shm.CreateObject[futex.Mutex]("lock", nil,
// nil), which shmtool inspect then shows. Uncontended operations are a
// compare-and-swap or two, with no system call; waiters spin briefly, then
// park on a futex, and a waker makes the wake-up system call only when
// someone is parked.
//
// Processes that die are handled: a Mutex owner's death is reported to the
// next locker as ErrOwnerDead; a Barrier party's death breaks the barrier;
// an Event or Cond waiter's death holds nobody up. Death is detected with
// per-process liveness tokens that pid reuse cannot fool.
//
// The raw calls underneath:
//
// Wait blocks the calling goroutine while *addr still holds a given value,
// until another goroutine or process calls Wake on the same word. The word
// may live in any shared mapping (a shm.Segment, a file mapped by another
// program) or in ordinary memory. Futexes here are always process-shared:
// FUTEX_PRIVATE_FLAG is never used, so waiters and wakers may sit in
// different processes.
//
// Every waiter must loop on its own predicate:
//
//	for word.Load() == busy {
//		if err := futex.Wait(word, busy); err != nil {
//			return err
//		}
//	}
//
// because Wait may return spuriously: when the value has already changed,
// on a signal, or because a cancelled context nudged every waiter on the
// word. Returning is a hint to look again, never a guarantee.
//
// Deadlines are absolute and measured on CLOCK_MONOTONIC
// (FUTEX_WAIT_BITSET), so a wait that is interrupted and retried does not
// stretch its timeout, and a change of the wall clock does not shorten or
// lengthen it.
//
// # Memory model
//
// Each primitive states what it synchronizes before, in the style of
// package sync; the guarantee holds between processes as between
// goroutines, since every shared word is accessed with sequentially
// consistent atomics. Data that a primitive guards but that lives in a
// plain field of a shared struct is covered by it as in Go: write it under
// the Mutex, read it under the Mutex.
//
// # Caveats
//
// The primitives are for processes on one host that map the same memory,
// and share /dev/shm (where liveness tokens live). A process registers its
// token on first use, which creates /dev/shm/shmkit-live-TOKEN; dead
// processes' tokens are swept by later ones.
//
// A blocked Wait occupies an operating-system thread for its duration, as
// any blocking system call does in Go. Prefer channels and sync for
// goroutines of one process: they are cheaper and the race detector sees
// them. Use this package for words shared with other processes.
//
// A waiter that returns because its context was cancelled or its deadline
// passed may have consumed a Wake aimed at it. Primitives that wake one
// waiter at a time must pass such a wake-up on.
//
// On platforms other than Linux every call fails with ErrNotSupported.
package futex
