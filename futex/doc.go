// Package futex waits and wakes on 32-bit words in shared memory, the
// building block of every blocking primitive in shmkit.
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
// # Caveats
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
