// Package failpoint lets tests make a process die or stall at a named point
// inside a protocol, so that crash recovery can be tested at every step.
//
// Points are armed by the SHMKIT_FAILPOINT environment variable, read once
// at start-up: a comma-separated list of NAME=ACTION, where ACTION is
//
//	kill    the process sends itself SIGKILL
//	stop    the process sends itself SIGSTOP
//	hang    the calling goroutine blocks forever
//
// optionally followed by @N to act on the N-th hit only (counting from 1).
// For example SHMKIT_FAILPOINT=shm/create/sized=kill.
//
// When the variable is unset, [Inject] costs one load of a package-level
// bool and a predictable branch.
//
// # Points
//
// Every point in the module, by protocol step (a test keeps this list
// true):
//
//	shm/create/sized        segment creation: the anonymous file is sized
//	shm/create/init         ... the kind's own initialization has run
//	shm/create/built        ... header and payload are written, not linked
//	shm/create/linked       ... linked under its name, not yet ready
//	shm/create/ready        ... ready
//	shm/recover/locked      recovering a dead creator's leftover, under its lock
//	futex/mutex/acquired    a Mutex was just taken (a death leaves it owner-dead)
//	futex/mutex/release     a Mutex is about to be released
//	futex/event/set         an Event is set, its waiters not yet woken
//	futex/barrier/arrived   a party is counted in at a Barrier, not yet waiting
//	futex/barrier/release   the last party released a generation, nobody woken
//	semaphore/acquire/taken a tracked Acquire took the permits, not yet recorded
//	semaphore/release/given a tracked Release gave the permits back, not yet unrecorded
//	value/store/half        a Value's seqlock write, half the bytes written
//	ringbuf/commit/before   a ring record (or batch) written, not yet committed
//	ringbuf/publish/before  a ring record committed, its position not yet published
//	ringbuf/release/before  a ring record read, not yet released
//	queue/claimed     a queue slot claimed, half written
//	queue/taken       a queue slot taken by a reader, not yet released
//	queue/batch-taken a span of queue slots taken by a batch read, none released
//	queue/parked      a queue peer announced itself parked, not yet asleep
//	dict/set/fill       a new dict entry's key written, not its value (the entry is dropped)
//	dict/undo/saved     a dict overwrite's old value saved, nothing changed yet
//	dict/set/overwrite  a dict entry being overwritten in place (undone by the repair)
//	dict/incr/before    a dict Incr's sum computed, not yet stored
//	dict/delete/before  a dict Delete under way, the entry still linked
//	dict/evict/before   a dict eviction chosen, the victim still linked
//	pool/worker/start   a pool worker opened its rings, not yet said it is ready
//	pool/task/running   a pool worker marked a task running, its function not yet called
//	pool/result/written a pool worker wrote a result into its ring, not yet committed
//	stress/mutex/inside     shmtool stress: inside the mutex kind's update
//	stress/array/inside     shmtool stress: inside the array kind's update
//
// # Caveats
//
// This is a testing hook. A program that sets SHMKIT_FAILPOINT in
// production gets what it asked for.
package failpoint
