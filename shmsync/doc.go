// Package shmsync gives each of futex's placeable primitives a segment of
// its own, found by name: a robust Mutex, an Event, a Cond with its mutex,
// and a Barrier, Python's multiprocessing.Lock, Event, Condition and
// Barrier.
//
//	mu, _, err := shmsync.OpenOrCreateMutex("orders-lock", nil) // in every process
//	switch err := mu.Lock(); {
//	case errors.Is(err, futex.ErrOwnerDead):
//		// the last holder died mid-update: repair, then
//		mu.MarkConsistent()
//	case err != nil:
//		return err
//	}
//	defer mu.Unlock()
//
// Each kind has CreateX(name, [cfg,] opts), OpenX(name, opts) and
// OpenOrCreateX(name, [cfg,] opts), like every shmkit kind; only the
// Barrier has parameters (BarrierConfig). The semantics, robustness to a
// process that dies included, are futex's: see futex.Mutex, futex.Event,
// futex.Cond and futex.Barrier.
//
// To put primitives beside the data they guard, in a struct of your own,
// use the futex types directly in a shm.Object instead.
//
// # Memory model
//
// As in package sync: the n'th Unlock of a Mutex synchronizes before the
// n+1'th Lock returns; a Set of an Event synchronizes before every Wait
// that it ends; Signal and Broadcast synchronize before the Waits they
// wake; at a Barrier, every party's arrival synchronizes before every
// party's return from that generation's Wait. This holds across
// processes.
//
// # Closing
//
// Every handle's Close wakes this process's goroutines waiting on it (in
// Lock, Wait), which return os.ErrClosed, and waits until none is inside
// the mapping before it unmaps. Other processes are not disturbed. After
// Close every method returns os.ErrClosed.
//
// # Caveats
//
// A Mutex is owned by a process, not a goroutine: a second Lock from the
// same process waits like any other's.
package shmsync
