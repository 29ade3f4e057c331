// Package queue is a queue for many producers and many consumers in
// shared memory, in any processes: Python's multiprocessing.Queue. Each
// message is delivered to exactly one consumer.
//
//	cfg := queue.Config{Slots: 1024, MaxMessage: 256}
//	q, _, err := queue.OpenOrCreate("jobs", cfg, nil) // in every process
//	p, err := q.Producer()                            // as many as you like
//	p.Write([]byte("resize a.png"))
//
//	c, err := q.Consumer()
//	n, err := c.ReadContext(ctx, buf)
//
// Like every shmkit kind, a queue is made by Create(name, cfg, opts),
// found by Open(name, opts), or either by OpenOrCreate(name, cfg, opts);
// New makes one in this process's memory.
//
// # How it works
//
// Its slots have a fixed size set at creation, and each slot has its own
// sequence number: a producer claims the tail with one CAS, writes, and
// commits by storing the slot's sequence; a consumer takes the head with
// one CAS, copies, and releases the slot the same way. Fixed slots keep
// every message independent of the others: no commit waits for an earlier
// one, and a peer that dies holding a slot is settled one slot at a time.
// The cost is space, as every slot is as large as the largest message;
// for a stream of large and small messages between two processes use a
// ringbuf.Ring.
//
// Waiting peers spin briefly, then park on one futex word per side; a
// waker makes a system call only when a peer announced itself parked (see
// docs/models/queuewake.pml for the protocol, checked with spin).
// Producers commit with plain stores where membarrier(2) lets a parking
// consumer fence them instead, as a ring's sides publish; a consumer that
// waits with Block, and so parks on every wait, asks them for fenced
// commits (State shows both counts).
//
// Batches cut the per-message cost. A consumer reads with ReadBatch: one
// CAS takes a span of up to 256 committed slots at the head, which it
// hands to a function in place and releases with plain stores and one
// fence; its entry names the span (first slot and count), which is what
// lets a dead consumer's span be settled slot by slot. A producer with
// several messages at hand writes them with WriteBatch: each still takes a
// slot of its own, claimed with its own CAS (producers do not claim
// spans), but the commits in a row need no full fence each, and consumers
// are looked for and woken once per batch. A consumer that keeps up with
// its producers takes each message as it is committed, and polls the
// slot a producer is writing; SetLinger lets its ReadBatch wait a few
// microseconds, looking at the tail instead, until a full batch is
// claimed, which doubled the bench's throughput of lone 8 and 64-byte
// Writes.
//
//	n, err := c.ReadBatch(ctx, 64, func(msg []byte) error {
//		return handle(msg) // msg is the slot itself, valid until handle returns
//	})
//
// # End of stream and tasks
//
// Once every producer has closed (a producer whose process died counts as
// closed once it is found dead) and nothing is left to take, a consumer's
// Read returns io.EOF, as a ring's does; a producer that attaches later
// opens the queue again. A queue that no producer has attached to yet is
// empty, not ended.
//
// Python's JoinableQueue is here too: each message put is a task, TaskDone
// marks one done, Join(ctx) waits until every task put is done, and
// Unfinished counts the rest, across processes. Len, Cap, Empty and Full
// are snapshots of the fill.
//
// # Memory model
//
// A producer's write of a message synchronizes before the consumer's read
// that returns it (or hands it to ReadBatch's function); a consumer's
// release of a slot synchronizes before the write that reuses it.
//
// # Processes that die
//
// A producer that dies between claiming a slot and committing it leaves a
// slot that waits on a dead claim; a consumer that waits on it finds the
// claimer dead (within 2 to 50ms) and turns the slot into a skip, so a
// half-written message is never delivered. A consumer that dies holding a
// message loses that message only (a batch read's: the messages of its
// span not yet handed over): a producer that needs the slot releases it,
// and counts the message in State's Counters.Dropped. A live but slow peer is never robbed: only a dead
// process's claims are settled. See docs/FORMAT.md.
//
// # Closing
//
// Queue.Close wakes the goroutines of this process parked in its
// producers' and consumers' calls, which return os.ErrClosed; no goroutine
// still inside a call ever faults (see Queue.Close).
//
// # Caveats
//
// A Producer and a Consumer each belong to one goroutine at a time; attach
// one per goroutine. At most MaxPeers of each are attached at once.
// Messages are copied in; Read copies them out, and ReadBatch hands them
// over in place, each valid until its function returns: a slot must be
// released for its producer to reuse it.
package queue
