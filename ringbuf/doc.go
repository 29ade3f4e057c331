// Package ringbuf passes messages between processes through a lock-free
// ring in shared memory: one producer, one consumer, variable-length
// messages, zero-copy on both sides, and no system call on the hot path.
//
//	cfg := ringbuf.Config{Capacity: 1 << 20, MaxMessage: 4096} // 1 MiB of data, messages up to 4 KiB
//	r, _, err := ringbuf.OpenOrCreate("orders", cfg, nil)      // in either process, in any order
//	p, err := r.Producer()                                     // in the writing process
//	p.Write(msg)
//
//	c, err := r.Consumer() // in the reading process
//	for msg := range c.Messages(ctx) { ... } // in place, no copy
//
// Like every shmkit kind, a ring is made by Create(name, cfg, opts), found
// by Open(name, opts), or either by OpenOrCreate(name, cfg, opts); New
// makes one in this process's memory.
//
// A Stream carries a byte stream, Python's Pipe in one direction
// (CreateStream, OpenStream, OpenOrCreateStream): its StreamWriter
// (io.Writer, io.ReaderFrom, io.Closer) and StreamReader (io.Reader,
// io.WriterTo), with deadlines on its waits (SetDeadline) as well as context
// forms, and io.EOF for the reader once the writer closes. A reader that
// keeps up with a busy writer can let WriteTo linger (SetLinger), as a
// ring's ReadBatch can, for fuller batches.
//
// For many producers and many consumers, use package queue.
//
// The producer reserves room in the ring itself (Reserve), fills it and
// publishes it (Commit); the consumer sees each message in place (Next,
// ReadBatch, Messages) and releases it when it moves on. Write and Read
// copy, for convenience; TryWrite and TryRead never wait. WriteBatch
// copies many small messages and commits them together, for one commit
// per 4 KiB or so instead of one per message.
//
// # How it works
//
// Producer and consumer positions are 64-bit byte counts that never wrap
// in practice, each on its own 128-byte line. Records are 8-byte aligned:
// an 8-byte header (length and kind, one word) and the message. A record
// never wraps: a padding record fills the end of the ring instead.
//
// Records commit by their header, as Aeron's do: the consumer polls the
// header at its own position, so a message costs it one cache line, the
// record's, and it never reads the producer's position to find it. Before
// a commit the producer zeroes the header after the record, then stores
// the record's header last; the consumer therefore never sees a
// half-written message, nor takes a record of the last lap for a new one,
// and a producer that dies mid-message leaves nothing for the consumer to
// wait on. The producer caches the consumer's position, reading its line
// only when the cached view says the ring is full.
//
// A side that must wait (for data, or for room) spins for up to 20µs, then
// announces that it is parked and sleeps on a futex; the other side makes
// the wake-up system call only when it sees that announcement, and clears
// it, so a sleeper is woken once. A parked producer asks to be woken only
// once half the ring is free (or the room it needs, if more), and
// a StreamWriter wakes a parked reader once per Write (or quarter of the
// ring), not for every chunk: a steady stream costs a few wake-ups per
// ring's worth of data. SetWait picks another strategy: Spin, Yield or
// Block. The protocol, with a producer killed at any step, is checked
// with spin (docs/models/ring.pml).
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
// attaches continues after the last committed message (it walks past
// what its predecessor committed but did not get to publish). Producer.Close
// gives the consumer io.EOF once it has read everything.
//
// # Memory model
//
// A Commit (or WriteBatch) synchronizes before the consumer's read of the
// messages it publishes, in whatever process; the consumer's release of a message
// (its next read, or Release) synchronizes before the producer reuses the
// space. A Producer.Close synchronizes before the io.EOF it causes.
//
// # Closing
//
// Ring.Close and Stream.Close wake the goroutines of this process parked
// in the ring's Producer or Consumer, which return os.ErrClosed; no
// goroutine still inside a call ever faults (see Ring.Close).
//
// # Caveats
//
// One producer and one consumer at a time; Producer and Consumer are not
// safe for concurrent use by several goroutines. The slice from Reserve,
// Next or the iterator is the ring's memory: it is valid until Commit, or
// until the next read or Release, respectively.
//
// Rings over this process's memory (New, NewStream) exist so that the
// race detector can check the same code; between goroutines of one
// process a channel is simpler.
package ringbuf
