// Package semaphore provides a counting semaphore shared between processes,
// in the shape of golang.org/x/sync/semaphore: Acquire(ctx, n),
// TryAcquire(n), Release(n). It can be bounded, like Python's
// multiprocessing.BoundedSemaphore, so that releasing more than was ever
// acquired is an error rather than a silent overflow.
//
// A Semaphore is a fixed-size, pointer-free struct that lives in shared
// memory: a field of a struct laid over an shm segment, or a named segment
// of its own, a Named, made with Create, Open or OpenOrCreate.
//
//	sem, err := semaphore.Create("db-slots", semaphore.Config{Value: 4, Max: 4}, nil)
//	...
//	if err := sem.Acquire(ctx, 1); err != nil { ... }
//	defer sem.Release(1)
//
// # Memory model
//
// As with a channel of capacity n: the k'th Release synchronizes before the
// Acquire that takes the permit it returned, in whatever process.
//
// # Closing
//
// Named.Close wakes this process's goroutines waiting in Acquire, which
// return os.ErrClosed, and waits until none is inside the mapping before it
// unmaps it.
//
// # Permits of a process that dies
//
// By default permits are anonymous, as in x/sync: one process may release
// what another acquired (a semaphore used as a counter of items), and
// permits held by a process that dies are lost with it.
//
// A semaphore created with Tracked records which process holds how many
// permits. Each process that acquires takes a holder slot, which it keeps
// until it dies (MaxHolders live processes at once). Permits then belong
// to the process that acquired them: Release of more than it holds fails
// with ErrNotHeld, and when a holder dies its permits return to the
// semaphore, reclaimed by the next process that waits for permits or by
// Reclaim. shmtool shows the holders. The bookkeeping runs under a robust
// lock with an undo record, so a process killed at any instruction of
// Acquire or Release neither loses permits nor returns them twice: the
// next process to enter undoes its half-done operation.
//
// # Caveats
//
// Wake-ups are broadcast: every Release wakes all parked acquirers, which
// re-check. That is fair enough for a handful of waiters and costs a
// thundering herd with hundreds.
package semaphore
