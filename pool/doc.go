// Package pool runs Go functions in other processes: Process and Pool, as
// Python's multiprocessing has them, over shmkit's rings.
//
// A program registers its functions by name, at package level, and calls
// Main first thing in main. A worker is the same binary, re-executed: Main
// runs the function it was started for and exits, and returns at once in
// any other process.
//
//	var square = pool.Register("square", func(ctx context.Context, x int) (int, error) {
//		return x * x, nil
//	})
//
//	func main() {
//		pool.Main() // in a worker: run tasks, then exit
//		p, err := pool.New(ctx, pool.Config{Workers: 2})
//		...
//		defer p.Close()
//		out, err := pool.Map(ctx, p, square, []int{1, 2, 3, 4, 5}) // [1 4 9 16 25]
//	}
//
// A test binary calls Main in TestMain, before m.Run.
//
// # Pool
//
// New starts Config.Workers processes. Map (Python's map) returns the
// outputs in input order; Imap and ImapUnordered yield them as they come,
// as iter.Seq2 of output and error; Submit (apply_async) returns a
// Result to Wait on. Close finishes the queued work and stops the
// workers; Terminate kills them now.
//
// Pool's methods are the byte API: functions registered with
// RegisterBytes, called by name, with []byte in and out; a name that is
// not registered fails at once with ErrUnknownFunc. The generic functions
// are the typed layer over it: Register carries []byte, string and any
// fixed-size pointer-free type (ints, floats, structs and arrays of them)
// as its memory, with no encoding; RegisterCodec carries any type through
// a Codec the caller picks (JSON, Gob, or one of its own).
//
// # Process
//
// Start runs one function in a process of its own (Python's Process):
// Pid, Alive, Kill, Wait (how it exited) and Result (what it returned).
// Named shmkit objects pass by name: the function opens them.
//
// # How tasks travel
//
// Each worker has two rings in shared memory (package ringbuf), one for
// its tasks and one for its results; no byte goes through a pipe or a
// socket. The parent writes an input into the ring once, and the worker's
// function reads it in place (a []byte input is the ring's memory); a
// large input (up to Config.MaxMessage, 1 MiB by default) takes the same
// path. Map sends its inputs in chunks (ChunkSize, four chunks per
// worker as in Python) so that tiny tasks cost a few nanoseconds each.
//
// The parent dispatches: it keeps, for each worker, about 2ms of work in
// its ring (deeper for tiny tasks, one at a time for long ones), so that
// a worker never waits and no worker hoards tasks another could run. A
// worker answers its tasks in order, which is what lets the parent know
// exactly what a dead worker held.
//
// # Faults
//
// Delivery is at least once, and every call's outputs are returned
// exactly once:
//
//   - A worker that dies (SIGKILL, a crash in C code, os.Exit) is
//     replaced. The task it was running runs again on another worker,
//     up to Config.Retries times, then fails with a *TaskError that
//     matches ErrWorkerDied and names the task and the signal. The
//     tasks it held but had not started run again without counting.
//     A function may therefore run more than once for one input: make
//     it idempotent, or set Retries to 0.
//   - A function that panics fails its task with a *TaskError that
//     matches ErrPanic and carries the message and the worker's stack;
//     the worker goes on.
//   - A task that runs past Config.TaskTimeout gets its worker killed,
//     and the rule for a dead worker applies (ErrTimeout at the end).
//   - A parent that dies takes its workers with it: each gets SIGKILL
//     (PR_SET_PDEATHSIG), and exits by itself once its pipe to the
//     parent closes, whichever comes first, mid-task or not.
//   - A worker that writes a malformed result is killed and treated as
//     dead.
//
// # Observing
//
// A pool has a segment of kind "pool" (Config.Name, "pool-PID-N" by
// default) that shmtool ls and inspect show: each worker's pid and
// whether it is busy, and the tasks queued, in flight, done, failed and
// retried. The rings have no names once their worker has them open, so
// nothing but that segment is in /dev/shm, and it goes at Close. A parent
// that is killed leaves its segment (and, if a worker was starting, that
// worker's two rings, NAME.w*.t and .r) to shmtool gc: no live process
// maps them.
//
// # Caveats
//
// Errors cross a process as text: a *TaskError's Err matches this
// package's sentinels, not the function's own errors.
//
// A worker's stdout is forwarded to the parent's line by line; its
// stderr goes to the parent's stderr as it comes.
//
// Linux only: elsewhere New and Start fail.
package pool
