// Package ringbuf passes messages between processes through a lock-free
// ring in shared memory: one producer, one consumer, variable-length
// messages, zero-copy on both sides, and no system call on the hot path.
//
//	r, err := ringbuf.Create("orders", 1<<20, 4096, nil) // 1 MiB of data, messages up to 4 KiB
//	p, err := r.Producer()                                // in the writing process
//	p.Write(msg)
//
//	r, err := ringbuf.Open("orders", nil)                 // in the reading process
//	c, err := r.Consumer()
//	for msg := range c.Messages(ctx) { ... }              // in place, no copy
//
// A ring also carries a byte stream, Python's Pipe in one direction
// (CreateStream, OpenStream): StreamWriter (io.Writer, io.ReaderFrom,
// io.Closer) and StreamReader (io.Reader, io.WriterTo), with SetDeadline
// as on a net.Conn, and io.EOF for the reader once the writer closes.
//
// A Queue takes many producers and many consumers, in any processes:
// Python's multiprocessing.Queue. Each message is delivered to exactly one
// consumer, in claim order per slot. Its slots have a fixed size set at
// creation, and each slot has its own sequence number: a producer claims
// the tail with one CAS, writes, and commits by storing the slot's
// sequence; a consumer takes the head with one CAS, copies, and releases
// the slot the same way. Fixed slots keep every message independent of
// the others: no commit waits for an earlier one, and a peer that dies
// holding a slot is settled one slot at a time (see below). The cost is
// space, as every slot is as large as the largest message; for a stream of
// large and small messages between two processes use a Ring.
//
// The producer reserves room in the ring itself (Reserve), fills it and
// publishes it (Commit); the consumer sees each message in place (Next,
// ReadBatch, Messages) and releases it when it moves on. Write and Read
// copy, for convenience; TryWrite and TryRead never wait.
//
// # How it works
//
// Producer and consumer positions are 64-bit byte counts that never wrap
// in practice, each on its own 128-byte line, and each side caches the
// other's, reading the shared line only when its cached view runs out.
// Records are 8-byte aligned: an 8-byte header (int32 length, uint32 kind)
// and the message. A record never wraps: a padding record fills the end of
// the ring instead. The producer claims a record with a negative length,
// stores the real length last, and only then publishes its position, so a
// consumer never sees a half-written message, and a producer that dies
// mid-message leaves nothing for the consumer to wait on.
//
// A side that must wait (for data, or for room) spins for up to 20µs, then
// announces that it is parked and sleeps on a futex; the other side makes
// the wake-up system call only when it sees that announcement. SetWait
// picks another strategy: Spin, Yield or Block.
//
// Everything read from shared memory (positions, record headers) is read
// once and checked against the geometry copied into private memory at
// open: a corrupt or hostile peer yields ErrCorrupt, never a panic, an
// out-of-range slice or an endless loop. The exact layout is in
// docs/FORMAT.md.
//
// # Processes that die
//
// Each side records its process's liveness token. A consumer waiting on a
// producer that died gets ErrPeerDead (which wraps io.ErrUnexpectedEOF)
// within about 50ms, once; the role is then free, and a new producer that
// attaches continues after the last committed message. Producer.Close
// gives the consumer io.EOF once it has read everything.
//
// A queue producer that dies between claiming a slot and committing it
// leaves a slot that waits on a dead claim; a consumer that waits on it
// finds the claimer dead (within 2 to 50ms) and turns the slot into a skip,
// so a half-written message is never delivered. A consumer that dies
// holding a message loses that message only: a producer that needs the
// slot releases it. A live but slow peer is never robbed: only a dead
// process's claims are settled. See docs/FORMAT.md.
//
// # Caveats
//
// One producer and one consumer at a time; Producer and Consumer are not
// safe for concurrent use by several goroutines. The slice from Reserve,
// Next or the iterator is the ring's memory: it is valid until Commit, or
// until the next read or Release, respectively.
//
// Rings and queues over ordinary memory (New, NewQueue) exist so that the race detector can
// check the same code; between goroutines of one process a channel is
// simpler.
package ringbuf
