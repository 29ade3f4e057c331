// Package value shares one typed value between processes, like Python's
// multiprocessing.Value: Value[T] lives in a named segment, readers take
// consistent snapshots without blocking writers, and writers are
// serialized by a robust lock.
//
//	v, err := value.Create("price", Quote{Bid: 100, Ask: 101}, nil)
//	...
//	v.Store(Quote{Bid: 102, Ask: 103}) // in one process
//	q, err := v.Load()                 // in another: never half old, half new
//
// T is any fixed-size type with no pointers inside (no pointer, slice, map,
// string, interface, channel or function): an address means nothing in
// another process. A T that breaks this is refused with an error naming
// the offending field; opening with a different T than the creator's fails
// with shm.ErrTypeMismatch naming both types.
//
// Load is a seqlock read: it copies the value while a sequence counter
// stays even and unchanged, retrying otherwise, and never blocks a writer.
// For integer types, Add, CompareAndSwap and Swap are single atomic
// instructions on the shared value.
//
// # Mixing writers
//
// Every write is linearizable with every other, in any mix and from any
// number of processes: Store, Update, their Locked forms, Add,
// CompareAndSwap and Swap. Unlike Python's v.value += 1, an increment is
// never lost: Add is exact, and so is Update(func(x *T) { *x++ }), even
// while other processes Add.
//
// How: a T of 1, 2, 4 or 8 bytes (every integer, and the only T the
// atomics apply to) is a word, and every write of a word is one atomic
// instruction on the value itself. Store is an atomic store, and Update a
// compare-and-swap of f's result against the value f was given, so an
// Add that lands while f runs makes the swap fail and f run again on the
// new value: f may run more than once, and only its last run's result is
// stored. Store and Update also take the writers' lock, to exclude each
// other and Lock; Add, CompareAndSwap and Swap never wait for it, and
// cost one atomic instruction. A wider T is written under the lock with
// the seqlock (the sequence odd, the bytes, the sequence even); no atomic
// operation applies to it, so the lock alone orders its writers, and f
// runs once.
//
// # The lock
//
// Lock, LockContext and Unlock take the writers' lock explicitly, as
// Python's get_lock() does, for updates combined with other shared state:
//
//	if err := v.Lock(); errors.Is(err, futex.ErrOwnerDead) {
//		... // the previous holder died: repair what the lock guards
//		v.MarkConsistent()
//	} else if err != nil {
//		return err
//	}
//	x, _ := v.Load()
//	ledger.Append(x) // other shared state, guarded by the same lock
//	v.UpdateLocked(func(x *int64) { *x++ })
//	v.Unlock()
//
// The lock is a robust futex.Mutex with its semantics: futex.ErrOwnerDead
// with the lock held when the previous holder died holding it, repaired by
// MarkConsistent, futex.ErrNotRecoverable forever after an Unlock that
// did not. While one process holds it, no Store or Update lands, in any
// process (they wait for it; the holder itself writes with StoreLocked and
// UpdateLocked, never Store or Update, which would wait for itself). Add,
// CompareAndSwap and Swap still land: read-modify-write under the lock
// with UpdateLocked, which retries as Update does, not with a Load and a
// StoreLocked, which would overwrite them. A Store or Update that takes
// the lock from a dead holder marks it consistent itself, knowing only
// the value: if the lock guards more, write the value only under Lock.
//
// # Layout
//
// The payload holds T itself at the header's payload offset (4096), so a
// foreign program reads it like an array of one element (see
// docs/FORMAT.md), followed at the next 64-byte boundary by the control
// block: the sequence counter and the writers' futex.Mutex. Writes of a
// word leave the sequence even.
//
// # Caveats
//
// A writer killed in the middle of a Store of a wider T leaves the value
// torn (a word cannot tear): Load and Update then fail with ErrCorrupt
// until the next Store replaces it. Load never spins forever: it gives up
// with ErrCorrupt when the writer that left the value mid-write is dead,
// and with os.ErrDeadlineExceeded when the sequence stays on one odd
// value for over a second while that writer lives (a stopped process).
// It never gives up while writes progress, so writers that never pause
// can keep a reader retrying as long as they write.
//
// A seqlock suits values that are read often and written now and then.
// Readers retry while writes are in flight, so a wide value written in a
// tight loop by several processes is better served by a Mutex, or, for
// counters, by Add.
package value
