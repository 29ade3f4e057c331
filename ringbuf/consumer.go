package ringbuf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"time"

	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/internal/spin"
)

// Consumer is the reading side of a Ring. It is not safe for concurrent
// use: one goroutine reads at a time.
type Consumer struct {
	r      *Ring
	token  live.Token
	pos    uint64 // our published position
	next   uint64 // position after the message last handed out, not yet released
	wait   Wait
	err    error // for Messages
	tally  tally
	pub    spin.Publisher
	linger int  // PAUSEs ReadBatch may wait for a fuller batch (SetLinger)
	held   bool // we hold r's mapping (gate.Hold) until Close
}

// Consumer makes this process the ring's consumer. It fails with ErrBusy
// if another live process is.
func (r *Ring) Consumer() (*Consumer, error) {
	x, err := r.consumerUnnamed()
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = r.named(err)
	}
	return x, err
}

func (r *Ring) consumerUnnamed() (*Consumer, error) {
	if err := r.gate.Enter(); err != nil {
		return nil, err
	}
	defer r.gate.Leave()
	t, prev, err := claim(r.cons, "consumer")
	if err != nil {
		return nil, err
	}
	pos := r.cons.pos.Load()
	if pos%recordAlign != 0 {
		unclaim(r.cons, t, prev)
		return nil, fmt.Errorf("%w: consumer position %d is not %d-byte aligned", ErrCorrupt, pos, recordAlign)
	}
	c := &Consumer{r: r, token: t, pos: pos, next: pos}
	if err = r.gate.Hold(); err != nil {
		unclaim(r.cons, t, prev)
		return nil, err
	}
	c.held = true
	c.pub.Init(&r.consFlag.relaxed, &r.prodFlag.fence)
	spin.SetFence(&r.consFlag.fence, c.wait)
	return c, nil
}

// SetWait sets how reads wait for data.
func (c *Consumer) SetWait(w Wait) { c.wait = w; spin.SetFence(&c.r.consFlag.fence, w) }

// peek returns the message at c.next without waiting, skipping padding. It
// learns that a record is committed from its header alone (an acquire
// load), and validates everything it reads from shared memory, each value
// read once.
func (c *Consumer) peek() ([]byte, error) {
	if msg, ok := c.peekOne(); ok {
		return msg, nil
	}
	r := c.r
	for {
		idx := c.next & r.mask
		kind, length, size, err := r.record(idx, r.hdr[idx/recordAlign].Load())
		switch {
		case err != nil:
			return nil, err
		case kind == kindNone:
			return nil, ErrEmpty
		case c.next+size-c.pos > r.geo.capacity:
			return nil, fmt.Errorf("%w: record of %d bytes at %d, %d unreleased", ErrCorrupt, size, idx, c.next-c.pos)
		case kind == kindPadding:
			c.next += size
			continue
		}
		start := idx + recordHeader
		c.next += size
		return r.data[start : start+length : start+length], nil
	}
}

// committed reports whether a record (or the end of the ring's padding)
// is committed at c.next: what a waiting consumer waits for.
func (c *Consumer) committed() bool {
	return c.r.hdr[(c.next&c.r.mask)/recordAlign].Load() != 0 // anything else is for peek to read (or refuse)
}

// behind reports whether the producer's position is past c.next although
// nothing is committed there: the consumer has lost the records' thread
// (a peer rewrote a length it had not read, and it read a header out of a
// payload), and would wait for a commit that has already happened. The
// position is loaded first: a producer stores it after the header, so a
// header stored by the time the position is seen is seen too.
func (c *Consumer) behind() bool {
	p := c.r.prod.pos.Load()
	return p-c.next-1 < c.r.geo.capacity && c.r.hdr[(c.next&c.r.mask)/recordAlign].Load() == 0
}

// Release frees the space of the messages handed out so far, so that the
// producer can reuse it: their slices must not be used afterwards.
func (c *Consumer) Release() {
	if c.r.gate.Closed() || !c.held {
		return
	}
	c.release()
}

func (c *Consumer) release() {
	if c.next == c.pos {
		return
	}
	failpoint.Inject("ringbuf/release/before")
	// Release: our reads of the records happen-before the producer's
	// load of our position, and so before it overwrites them.
	c.pub.Publish(&c.r.cons.pos, c.next)
	c.pos = c.next
	wakeAt(c.r.prodFlag, c.pos, &c.tally)
}

// count adds n messages of b bytes to our counters.
func (c *Consumer) count(n, b uint64) { c.tally.add(c.r.cons, n, b) }

// TryNext returns the next message in place, without copying and without
// waiting (ErrEmpty). The slice is the ring's memory: it stays valid until
// the next call to TryNext, Next, a read, or Release, which free it. It
// never waits, and so reports a ring whose producer closed, once it is
// drained, as ErrEmpty: Next and Read return io.EOF.
func (c *Consumer) TryNext() ([]byte, error) {
	if msg, ok := c.nextOne(); ok {
		return msg, nil
	}
	x, err := c.tryNextUnnamed()
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = c.r.named(err)
	}
	return x, err
}

func (c *Consumer) tryNextUnnamed() ([]byte, error) {
	if c.r.gate.Closed() || !c.held {
		return nil, os.ErrClosed
	}
	return c.tryNext()
}

func (c *Consumer) tryNext() ([]byte, error) {
	c.release()
	msg, err := c.peek()
	if err != nil {
		return nil, err
	}
	c.count(1, uint64(len(msg)))
	return msg, nil
}

// Next is TryNext that waits for a message until ctx ends. After the
// producer has closed and every message was read it returns io.EOF; if the
// producer's process died, ErrPeerDead.
//
// Memory model: the producer's Commit of a message synchronizes before
// the read that returns it, and the consumer's release of a message (the
// next read, or Release) synchronizes before the producer reuses its
// space.
func (c *Consumer) Next(ctx context.Context) ([]byte, error) {
	if msg, ok := c.nextOne(); ok {
		return msg, nil
	}
	x, err := c.nextUnnamed(ctx)
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = c.r.named(err)
	}
	return x, err
}

func (c *Consumer) nextUnnamed(ctx context.Context) ([]byte, error) {
	if c.r.gate.Closed() || !c.held {
		return nil, os.ErrClosed
	}
	return c.nextMsg(ctx)
}

// nextMsg is Next once the gate was looked at (a stream's reads, which look
// once per call).
func (c *Consumer) nextMsg(ctx context.Context) ([]byte, error) {
	for {
		msg, err := c.tryNext()
		if err != ErrEmpty {
			return msg, err
		}
		if err := c.waitData(ctx); err != nil {
			return nil, err
		}
	}
}

// waitData waits until the producer has published more than we have seen.
func (c *Consumer) waitData(ctx context.Context) error {
	c.tally.publish(c.r.cons) // before sleeping: the counters stay current for observers
	closed := func() bool { return c.r.prodFlag.closed.Load() == 1 }
	if closed() && c.r.prod.pos.Load() == c.next {
		return io.EOF
	}
	if c.behind() {
		return fmt.Errorf("%w: nothing committed at %d, behind the producer's position %d", ErrCorrupt, c.next, c.r.prod.pos.Load())
	}
	// Closed counts only with the producer's position where ours is: a
	// position a hostile peer moved (or a new producer's, seen early) must
	// not make every wait return at once, which would spin past ctx.
	ready := func() bool { return c.committed() || closed() && c.r.prod.pos.Load() == c.next }
	err := waitFor(ctx, c.wait, &c.r.gate, c.r.seg, c.r.cons, c.r.prod, c.r.consFlag, c.r.prodFlag, 0, ready, ready)
	if err == nil {
		err = c.r.gate.Err()
	}
	if err == nil && closed() && c.r.prod.pos.Load() == c.next {
		return io.EOF
	}
	return err
}

// TryRead copies the next message into buf and returns its length, or
// fails with ErrEmpty (also at the end of the stream, as TryNext). A
// message longer than buf is left in the ring and io.ErrShortBuffer
// returned.
func (c *Consumer) TryRead(buf []byte) (int, error) {
	x, err := c.tryReadUnnamed(buf)
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = c.r.named(err)
	}
	return x, err
}

func (c *Consumer) tryReadUnnamed(buf []byte) (int, error) {
	if c.r.gate.Closed() || !c.held {
		return 0, os.ErrClosed
	}
	return c.tryRead(buf)
}

func (c *Consumer) tryRead(buf []byte) (int, error) {
	c.release()
	msg, err := c.peek()
	if err != nil {
		return 0, err
	}
	if len(msg) > len(buf) {
		c.next -= recordSize(len(msg)) // not consumed (padding before it stays skipped)
		return 0, fmt.Errorf("%w: message of %d bytes", io.ErrShortBuffer, len(msg))
	}
	n := copy(buf, msg)
	c.count(1, uint64(n))
	c.release()
	return n, nil
}

// Read copies the next message into buf, waiting for one.
func (c *Consumer) Read(buf []byte) (int, error) { return c.ReadContext(context.Background(), buf) }

// ReadContext is Read that gives up when ctx ends.
func (c *Consumer) ReadContext(ctx context.Context, buf []byte) (int, error) {
	x, err := c.readContextUnnamed(ctx, buf)
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = c.r.named(err)
	}
	return x, err
}

func (c *Consumer) readContextUnnamed(ctx context.Context, buf []byte) (int, error) {
	if c.r.gate.Closed() || !c.held {
		return 0, os.ErrClosed
	}
	for {
		n, err := c.tryRead(buf)
		if err != ErrEmpty {
			return n, err
		}
		if err := c.waitData(ctx); err != nil {
			return 0, err
		}
	}
}

// SetLinger lets ReadBatch, once a message is there, wait up to d for
// more before it hands them over, while fewer than lingerBytes are
// waiting. A consumer as fast as its producer otherwise takes each
// message as it is committed, and every message costs a cache-line
// transfer of the producer's position and of the record; a little
// lingering lets one transfer carry many messages, which can multiply
// throughput, at the price of up to d of latency. Zero (the default)
// turns it off.
func (c *Consumer) SetLinger(d time.Duration) {
	c.linger = int(d.Nanoseconds() / spin.PauseNanos())
	if d > 0 {
		c.linger = max(c.linger, 1)
	}
}

// batchShare is the share of the ring a batch reads at most (1/8, as the
// bench's floor does).
const batchShare = 8

// lingerBytes is how much data ends a linger early.
const lingerBytes = 4096

// lingerStep is the PAUSEs between looks while lingering: each look
// takes the producer's position line away and stalls its next store, so
// they come seldom (about 1µs apart; every 8 PAUSEs cost BenchmarkRing
// 15-25% per message, medians of 7 runs).
const lingerStep = 32

// lingerUntil spins up to c.linger PAUSEs until at least least bytes
// wait past c.next by the producer's position (or the producer closed),
// and reports whether they did. A lingering consumer waits on that line,
// not on the record header it would next read: a header it polls is on
// the line the producer is writing, and every look makes the producer's
// next store to it wait for the line to come back.
func (c *Consumer) lingerUntil(least uint64) bool {
	for i := 0; i < c.linger; i += lingerStep {
		if p := c.r.prod.pos.Load(); p > c.next && p-c.next >= least || c.r.prodFlag.closed.Load() == 1 {
			return true
		}
		spin.Pause(lingerStep)
	}
	return false
}

// ReadBatch waits for at least one message, then calls fn on each message
// available, up to max, in place, and releases them all with one update of
// the consumer position. It returns how many fn saw. An error from fn stops
// the batch; the message fn failed on is released with the others.
//
// A batch also stops once it has read an eighth of the ring's capacity
// (after at least one message): a producer waiting for room gets the room
// a batch frees as soon as that batch ends, not after a whole ring's
// worth.
func (c *Consumer) ReadBatch(ctx context.Context, max int, fn func(msg []byte) error) (int, error) {
	x, err := c.readBatchUnnamed(ctx, max, fn)
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = c.r.named(err)
	}
	return x, err
}

func (c *Consumer) readBatchUnnamed(ctx context.Context, max int, fn func(msg []byte) error) (int, error) {
	if c.r.gate.Closed() || !c.held {
		return 0, os.ErrClosed
	}
	c.release()
	n, bytes := 0, uint64(0)
	defer func() {
		c.count(uint64(n), bytes)
		c.release()
	}()
	if c.linger > 0 { // wait for a message, then linger while few bytes wait
		if !c.committed() && (c.wait == Block || !c.lingerUntil(1)) {
			if err := c.waitData(ctx); err != nil {
				return 0, err
			}
		}
		c.lingerUntil(lingerBytes) // then for a fuller batch
	}
	r := c.r
	for n < max && (n == 0 || c.next-c.pos < r.geo.capacity/batchShare) { // padding read past the share does not end a batch with nothing
		// peekOne's common case, inline: one call per message (fn's)
		// instead of three.
		idx := c.next & r.mask
		h := r.hdr[idx/recordAlign].Load()
		if ln := h & math.MaxUint32; h>>32 == kindMessage && ln <= r.geo.maxMsg {
			if size := recordOf(ln); idx+size <= r.geo.capacity && c.next+size-c.pos <= r.geo.capacity {
				c.next += size
				start := idx + recordHeader
				n++
				bytes += ln
				if err := fn(r.data[start : start+ln : start+ln]); err != nil {
					return n, err
				}
				continue
			}
		}
		msg, err := c.peek()
		if err == ErrEmpty {
			if n > 0 {
				return n, nil
			}
			if err := c.waitData(ctx); err != nil {
				return 0, err
			}
			continue
		}
		if err != nil {
			return n, err
		}
		n++
		bytes += uint64(len(msg))
		if err := fn(msg); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Messages returns an iterator over the messages, in place, each valid
// until the loop body returns. It stops when ctx ends, the producer closes
// (after the last message) or an error occurs; Err then tells which.
//
//	for msg := range c.Messages(ctx) { ... }
//	if err := c.Err(); err != nil { ... }
func (c *Consumer) Messages(ctx context.Context) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		c.err = nil
		for {
			msg, err := c.Next(ctx)
			if err != nil {
				if err != io.EOF {
					c.err = err
				}
				return
			}
			if !yield(msg) {
				c.Release()
				return
			}
		}
	}
}

// Err returns the error that ended the last Messages loop, or nil if it
// ended because the producer closed or the loop broke off.
func (c *Consumer) Err() error { return c.err }

// Close releases what was read and gives up the consumer role.
func (c *Consumer) Close() error {
	if !c.held {
		return nil
	}
	c.held = false
	if err := c.r.seg.Check(); err != nil {
		return errors.Join(err, c.r.gate.Unhold()) // truncated: the role goes with the file
	}
	c.release()
	c.tally.publish(c.r.cons)
	c.r.cons.owner.CompareAndSwap(uint64(c.token), 0)
	return c.r.gate.Unhold()
}
