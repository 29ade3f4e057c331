package queue

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/spin"
)

// A batch read takes a span of slots at the head with one CAS, and
// releases them with plain stores and one fence: what a message costs a
// consumer is then one cache line that it reads and writes, and no locked
// instruction of its own.

// span is a range of positions, [from, to).
type span struct{ from, to uint64 }

// maxSpan bounds the slots a batch read takes, and so what a consumer's
// entry can claim: a larger span is corrupt.
const maxSpan = 256

// batchShare bounds a batch's span to this fraction of the slots (as a
// ring's batch stops at an eighth of the ring), so that a producer waiting
// for room gets some while the batch is read.
const batchShare = 8

// ReadBatch waits for at least one message, then takes up to max of the
// messages at the head at once (at most 256, and an eighth of the slots
// or one), calls fn on each, in place, and releases each slot as fn
// returns. It returns how many messages fn saw. The slice fn gets is
// valid only until fn returns; max < 1 reads nothing. A Close of the Queue
// in this process while fn runs turns that slice to zeros, as it does a
// ring's (see Queue.Close), and the batch ends with os.ErrClosed.
//
// An error from fn stops the batch (a panic too, which goes on once the
// batch has ended): the message fn failed on is released, and the batch's
// other messages stay with c, for its next read (ReadBatch, Read or
// TryRead) to hand over first, in order; Close drops them. (They cannot go
// back to the head: a message taken is never untaken, which is what lets
// peers tell a dead consumer's slots from a live one's.) A consumer that
// dies mid-batch loses the messages its fn had not returned from; a peer
// releases their slots (as it does for a Read that died holding one) and
// counts them in State's Counters.Dropped.
//
// What a batch saves is the consumer's per-message cost of taking and
// releasing a slot: one CAS of the head for the whole batch instead of one
// each, and no fence per release.
func (c *Consumer) ReadBatch(ctx context.Context, max int, fn func(msg []byte) error) (int, error) {
	n, err := c.readBatchUnnamed(ctx, max, fn)
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = c.q.named(err)
	}
	return n, err
}

func (c *Consumer) readBatchUnnamed(ctx context.Context, max int, fn func(msg []byte) error) (int, error) {
	if c.closed() {
		return 0, os.ErrClosed
	}
	if max <= 0 {
		return 0, nil
	}
	recheck := spin.RecheckMin
	for {
		if c.held.from == c.held.to {
			if c.linger > 0 && c.ready() {
				c.lingerFor(ctx, c.batchLimit(max))
			}
			err := c.take(max)
			if err == ErrEmpty {
				if recheck, err = c.q.await(ctx, &c.attached, c.q.consWait, c.ready, true, recheck); err != nil { // io.EOF at the end
					return 0, err
				}
				if err := c.q.gate.Err(); err != nil {
					return 0, err
				}
				continue
			}
			if err != nil {
				return 0, err
			}
		}
		n, err := c.deliver(max, fn)
		if n > 0 || err != nil {
			return n, err
		}
		// The whole span was skips (slots of producers that died): take more.
	}
}

// take claims the committed slots at the head, up to max of them, with
// one CAS, and holds them in c.held. It fails with ErrEmpty (or
// ErrCorrupt) as tryRead does.
func (c *Consumer) take(max int) error {
	q := c.q
	limit := c.batchLimit(max)
	for range maxSpins {
		h := q.head.Load()
		s := q.seqAt(h).Load()
		if s&^skipBit != h+1 {
			if err := c.notReady(h, s); err != errMoved {
				return err
			}
			continue
		}
		if n := uint64(q.lenAt(h).Load()); s&skipBit == 0 && n > q.geo.maxMsg {
			if q.head.Load() != h {
				continue
			}
			c.unclaim()
			return badLength(h, n, q.geo.maxMsg)
		}
		n := uint64(1)
		for n < limit && q.takeable(h+n) {
			n++
		}
		spin.Release(&c.me.span, n)    // span first: a claim is never seen with an older span
		spin.Release(&c.me.claim, h+1) // plain: the CAS publishes both first
		if q.head.CompareAndSwap(h, h+n) {
			c.held = span{h, h + n}
			failpoint.Inject("queue/batch-taken") // dying here loses the span's messages, not the queue
			return nil
		}
	}
	c.unclaim()
	return fmt.Errorf("%w: the head keeps moving", ErrCorrupt)
}

// takeable reports whether the slot for pos holds a message for pos (or a
// skip) whose length is in bounds, so that a batch may take it.
func (q *Queue) takeable(pos uint64) bool {
	s := q.seqAt(pos).Load()
	return s&^skipBit == pos+1 && (s&skipBit != 0 || uint64(q.lenAt(pos).Load()) <= q.geo.maxMsg)
}

// deliver hands fn the held messages, up to max of them (skips do not
// count), releasing each slot as fn returns, and then ends the batch
// (endBatch). A slot that a peer scribbled on while it was held is
// released and reported as ErrCorrupt. If fn panics, its message is
// released and the batch ends as for an error before the panic goes on.
// A Close of q meanwhile (this process's) retires the mapping, which then
// reads as zeros: deliver reports os.ErrClosed, not what it reads.
func (c *Consumer) deliver(max int, fn func(msg []byte) error) (n int, err error) {
	q := c.q
	bytes := uint64(0)
	inFn := false // fn runs on the slot before c.held.from
	defer func() {
		if inFn {
			pos := c.held.from - 1
			spin.Release(q.seqAt(pos), pos+q.geo.slots)
			err = errPanicked
		}
		c.endBatch(err, uint64(n), bytes)
	}()
	for c.held.from < c.held.to && n < max {
		pos := c.held.from
		c.held.from++
		seq := q.seqAt(pos)
		s := seq.Load()
		switch ln := uint64(q.lenAt(pos).Load()); {
		case q.gate.Closed():
			return n, os.ErrClosed
		case s&^skipBit != pos+1:
			err = fmt.Errorf("%w: held slot for position %d has sequence %#x", ErrCorrupt, pos, s)
		case s&skipBit != 0:
		case ln > q.geo.maxMsg:
			err = badLength(pos, ln, q.geo.maxMsg)
		default:
			n++
			bytes += ln
			inFn = true
			err = fn(q.slotAt(pos)[:ln:ln])
			inFn = false
		}
		spin.Release(seq, pos+q.geo.slots) // plain: endBatch's fence orders it before the look for parked producers
		if err != nil {
			break
		}
	}
	return n, err
}

// errPanicked stands for a panic in a batch's fn, for endBatch.
var errPanicked = errors.New("queue: ReadBatch's fn panicked")

// endBatch ends a delivery of n messages of bytes bytes: the fence that
// orders the releases before the look for parked producers, and the
// wake-up. What c still holds (a batch cut short by err) stays claimed.
func (c *Consumer) endBatch(err error, n, bytes uint64) {
	q := c.q
	if err == os.ErrClosed {
		return // the mapping is retired: nothing there is ours to touch
	}
	if c.held.from == c.held.to {
		c.me.claim.Store(0) // a full fence: every release is seen before the parked bits are loaded
		spin.Release(&c.me.span, 0)
	} else {
		c.me.claim.Add(0) // the same fence; the claim still covers the rest
	}
	q.wakeOne(q.prodWait, &c.tally)
	c.tally.addN(q.consumed, n, bytes)
}

// readHeld is tryRead for a consumer holding a batch's messages: it
// copies the first into buf (passing over skips), or fails with
// io.ErrShortBuffer and keeps it.
func (c *Consumer) readHeld(buf []byte) (int, error) {
	q := c.q
	for pos := c.held.from; pos < c.held.to; pos++ {
		s := q.seqAt(pos).Load()
		if s == (pos+1)|skipBit {
			continue // deliver passes over it
		}
		if ln := uint64(q.lenAt(pos).Load()); s == pos+1 && ln <= q.geo.maxMsg && ln > uint64(len(buf)) {
			return 0, shortBuffer(ln)
		}
		break
	}
	m := 0
	n, err := c.deliver(1, func(msg []byte) error {
		m = copy(buf, msg)
		return nil
	})
	if n == 0 && err == nil { // only skips were left
		return c.tryRead(buf)
	}
	return m, err
}

// dropHeld releases what c holds, for a Close, and counts the messages
// as dropped, as a dead consumer's would be.
func (c *Consumer) dropHeld() {
	q := c.q
	h := c.held
	c.held = span{}
	if q.gate.Enter() != nil {
		return // q is closed: the mapping is gone
	}
	defer q.gate.Leave()
	if q.seg.Check() != nil {
		return // truncated: touching the slots would raise SIGBUS
	}
	dropped := uint64(0)
	for pos := h.from; pos < h.to; pos++ {
		seq := q.seqAt(pos)
		if s := seq.Load(); s&skipBit == 0 {
			dropped++
		}
		spin.Release(seq, pos+q.geo.slots)
	}
	q.recov.dropped.Add(dropped) // a full fence, as deliver's
	c.unclaim()
	q.wakeOne(q.prodWait, nil)
}
