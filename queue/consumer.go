package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/shmkit/shmkit/internal/spin"

	"github.com/shmkit/shmkit/internal/failpoint"
)

// Consumer takes messages from a Queue. It is not safe for concurrent
// use; each goroutine that reads attaches its own.
type Consumer struct {
	attached
	held   span // a batch read's slots not yet handed over (ReadBatch)
	linger int  // PAUSEs ReadBatch may wait for a full batch (SetLinger)
}

// Consumer attaches a consumer to q. It fails with ErrBusy if
// MaxPeers live consumers are attached.
func (q *Queue) Consumer() (*Consumer, error) {
	x, err := q.consumerUnnamed()
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = q.named(err)
	}
	return x, err
}

func (q *Queue) consumerUnnamed() (*Consumer, error) {
	a, err := q.attach(consumers)
	if err != nil {
		return nil, err
	}
	return &Consumer{attached: a}, nil
}

// SetWait sets how Read waits for data. A consumer that waits with
// Block, which parks on every wait, asks producers to commit with fenced
// stores, so that it need not fence them each time it parks.
func (c *Consumer) SetWait(w Wait) {
	c.wait = w
	if !c.closed() {
		c.setCounted(w == Block)
	}
}

// TryRead takes the next message, copies it into buf and returns its
// length, or fails with ErrEmpty. A message longer than buf is left in the
// queue and io.ErrShortBuffer returned.
func (c *Consumer) TryRead(buf []byte) (int, error) {
	x, err := c.tryReadUnnamed(buf)
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = c.q.named(err)
	}
	return x, err
}

func (c *Consumer) tryReadUnnamed(buf []byte) (int, error) {
	if c.closed() {
		return 0, os.ErrClosed
	}
	return c.tryRead(buf)
}

func (c *Consumer) tryRead(buf []byte) (int, error) {
	if c.held.from != c.held.to {
		return c.readHeld(buf)
	}
	q := c.q
	for range maxSpins {
		h := q.head.Load()
		seq := q.seqAt(h)
		s := seq.Load()
		if s&^skipBit != h+1 { // not committed (or skipped) for position h
			if err := c.notReady(h, s); err != errMoved {
				return 0, err
			}
			continue
		}
		slot := q.slotAt(h)
		n := uint64(q.lenAt(h).Load()) // read once; stable while the head is h
		skip := s&skipBit != 0
		if !skip && n > q.geo.maxMsg {
			if q.head.Load() != h {
				continue // taken and reused under us
			}
			c.unclaim()
			return 0, badLength(h, n, q.geo.maxMsg)
		}
		if !skip && n > uint64(len(buf)) {
			c.unclaim()
			return 0, shortBuffer(n)
		}
		spin.Release(&c.me.claim, h+1) // plain: the CAS publishes it first
		if !q.head.CompareAndSwap(h, h+1) {
			continue
		}
		switch {
		case skip:
		case failpoint.Enabled(): // in two halves only for a test, as put
			half := n / 2
			copy(buf, slot[:half])
			failpoint.Inject("queue/taken") // dying here loses this message, not the queue
			copy(buf[half:], slot[half:n])
		default:
			copy(buf, slot[:n])
		}
		seq.Store(h + q.geo.slots)   // release: our copy happens-before the producer's load of seq
		spin.Release(&c.me.claim, 0) // plain, as the producer's
		q.wakeOne(q.prodWait, &c.tally)
		if skip {
			continue
		}
		c.tally.add(q.consumed, n)
		return int(n), nil
	}
	c.unclaim()
	return 0, fmt.Errorf("%w: the head keeps moving", ErrCorrupt)
}

// errMoved is notReady's word that the head moved meanwhile: look again.
var errMoved = errors.New("queue: head moved")

// notReady tells why the slot at head h, whose sequence s is not that of
// a message for h, gives nothing to take: ErrEmpty if nothing is
// committed there yet (or the previous lap's reader has not released it,
// so nothing is written), after settling a dead producer's claim that
// keeps it so for long; ErrCorrupt if s is no value the slot for h can
// hold; errMoved if the head moved meanwhile.
func (c *Consumer) notReady(h, s uint64) error {
	q := c.q
	if q.head.Load() != h {
		return errMoved
	}
	c.unclaim()
	if s == h || h >= q.geo.slots && s&^skipBit == h-q.geo.slots+1 {
		if c.stuck.due(h) {
			if t := q.tail.Load(); t < h { // the head never passes the tail: a peer wrote one of them
				return fmt.Errorf("%w: head %d is past tail %d", ErrCorrupt, h, t)
			}
			if err := q.settleAt(h); err != nil {
				return err
			}
		}
		return ErrEmpty
	}
	return fmt.Errorf("%w: slot for position %d has sequence %#x", ErrCorrupt, h, s)
}

// shortBuffer is the error for a message of n bytes that a buffer cannot hold.
func shortBuffer(n uint64) error { return fmt.Errorf("%w: message of %d bytes", io.ErrShortBuffer, n) }

// badLength is the error for a slot whose length word exceeds the limit.
func badLength(pos, n, limit uint64) error {
	return fmt.Errorf("%w: slot for position %d has length %d, limit %d", ErrCorrupt, pos, n, limit)
}

// Read takes the next message into buf, waiting for one. Once every
// producer has closed (a producer whose process died counts as closed once
// it is found dead, within 2 to 50ms) and nothing is left to take, it
// returns io.EOF, as a ring's consumer does; a producer that attaches
// later opens the queue again. A queue that no producer has attached to
// yet is empty, not ended.
func (c *Consumer) Read(buf []byte) (int, error) {
	return c.ReadContext(context.Background(), buf)
}

// ReadContext is Read that gives up when ctx ends. While it waits it skips
// slots that producers which died claimed and never committed. TryRead
// never waits, and so reports an ended queue as ErrEmpty.
func (c *Consumer) ReadContext(ctx context.Context, buf []byte) (int, error) {
	x, err := c.readContextUnnamed(ctx, buf)
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = c.q.named(err)
	}
	return x, err
}

func (c *Consumer) readContextUnnamed(ctx context.Context, buf []byte) (int, error) {
	if c.closed() {
		return 0, os.ErrClosed
	}
	recheck := spin.RecheckMin
	for {
		n, err := c.tryRead(buf)
		if err != ErrEmpty {
			if errors.Is(err, io.ErrShortBuffer) {
				c.q.wakeOne(c.q.consWait, nil) // the message stays: pass on a wake-up we may have taken
			}
			return n, err
		}
		if recheck, err = c.q.await(ctx, &c.attached, c.q.consWait, c.ready, true, recheck); err != nil { // io.EOF at the end
			return 0, err
		}
		if err := c.q.gate.Err(); err != nil {
			return 0, err
		}
	}
}

// ready reports whether the slot at the head holds a message.
func (c *Consumer) ready() bool {
	if c.held.from != c.held.to {
		return true
	}
	h := c.q.head.Load()
	return c.q.seqAt(h).Load()&^skipBit == h+1
}

// Close detaches the consumer, giving its entry back; later calls on it
// fail with os.ErrClosed. After the Queue's own Close it only lets go of
// the address range it held (see Queue.Close). It is idempotent.
//
// Messages that a batch read took and still holds (its fn failed; see
// ReadBatch) are dropped, and counted as a dead consumer's would be
// (State's Counters.Dropped): read them first to keep them. A Queue.Close with such a consumer still open leaves
// them held by this process until it exits: close the consumer first.
func (c *Consumer) Close() error {
	if c.me != nil && c.held.from != c.held.to {
		c.dropHeld()
	}
	return c.detach()
}
