package ringbuf

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/internal/spin"
)

// Producer is the writing side of a Ring. It is not safe for concurrent
// use: one goroutine writes at a time.
//
// Records commit by their header: the consumer learns that a record is
// there from the record itself, not from the producer's position, so a
// message costs it one cache line, not two. The producer writes records
// in runs (one, for Write; many, for WriteBatch): every header of a run
// but the first is stored as it is written; then the header after the
// run is zeroed, and the first header stored last, which commits the
// whole run at once. pos is published after that, for observers and for
// a producer that takes over.
type Producer struct {
	r         *Ring
	token     live.Token
	pos       uint64 // end of what we wrote: the run's end (or the claim's start)
	pubPos    uint64 // start of the run: everything before it is committed and published
	runHead   uint64 // the header the run's first record gets when the run commits
	runMsgs   uint64 // messages in the run, and their bytes, for the tally
	runBytes  uint64
	consCache uint64 // the consumer's position as last read
	claiming  bool   // a reservation is open
	claimLen  int
	claimAt   uint64 // position of the reservation's header
	unwoken   bool   // something was committed without waking a parked consumer
	wait      Wait
	tally     tally
	pub       spin.Publisher
	held      bool // we hold r's mapping (gate.Hold) until Close
}

// Producer makes this process the ring's producer. It fails with ErrBusy
// if another live process is; a dead producer's role is taken over, and
// anything it reserved but never committed is simply overwritten.
func (r *Ring) Producer() (*Producer, error) {
	x, err := r.producerUnnamed()
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = r.named(err)
	}
	return x, err
}

func (r *Ring) producerUnnamed() (*Producer, error) {
	if err := r.gate.Enter(); err != nil {
		return nil, err
	}
	defer r.gate.Leave()
	t, prev, err := claim(r.prod, "producer")
	if err != nil {
		return nil, err
	}
	p := &Producer{r: r, token: t}
	if err = p.findEnd(); err != nil {
		unclaim(r.prod, t, prev)
		return nil, err
	}
	if err = r.gate.Hold(); err != nil {
		unclaim(r.prod, t, prev)
		return nil, err
	}
	p.held = true
	p.pub.Init(&r.prodFlag.relaxed, &r.consFlag.fence)
	spin.SetFence(&r.prodFlag.fence, p.wait)
	r.prodFlag.closed.Store(0)
	wake(r.consFlag, &p.tally) // a dead producer may have died owing the consumer a wake-up
	return p, nil
}

// findEnd sets our position to the end of what is committed: the
// published position, or past it if a producer died between committing
// a run and publishing its position. It walks the committed headers from
// there (normally none) and validates everything it reads.
func (p *Producer) findEnd() error {
	r := p.r
	start := r.prod.pos.Load()
	if start%recordAlign != 0 {
		return fmt.Errorf("%w: producer position %d is not %d-byte aligned", ErrCorrupt, start, recordAlign)
	}
	pos := start
	for {
		idx := pos & r.mask
		kind, _, size, err := r.record(idx, r.hdr[idx/recordAlign].Load())
		if err != nil {
			return err
		}
		if kind == kindNone {
			p.pos, p.pubPos = pos, pos
			if pos != start {
				spin.Release(&r.prod.pos, pos)
			}
			c := r.cons.pos.Load()
			p.consCache = c
			return p.checkCons(c)
		}
		if pos += size; pos-start > r.geo.capacity {
			return fmt.Errorf("%w: committed records from %d run past a lap", ErrCorrupt, start)
		}
	}
}

// SetWait sets how Write and Reserve wait for room.
func (p *Producer) SetWait(w Wait) { p.wait = w; spin.SetFence(&p.r.prodFlag.fence, w) }

// checkCons validates a consumer position read from shared memory.
func (p *Producer) checkCons(c uint64) error {
	if c > p.pos || p.pos-c > p.r.geo.capacity-recordHeader || c%recordAlign != 0 {
		return fmt.Errorf("%w: consumer at %d, producer at %d, capacity %d", ErrCorrupt, c, p.pos, p.r.geo.capacity)
	}
	return nil
}

// room reports whether need bytes fit after pos, reading the consumer's
// position only when the cached one says they do not. need counts the
// header after them too, which a commit zeroes.
func (p *Producer) room(need uint64) (bool, error) {
	if p.pos+need-p.consCache <= p.r.geo.capacity {
		return true, nil
	}
	c := p.r.cons.pos.Load()
	if err := p.checkCons(c); err != nil {
		return false, err
	}
	p.consCache = c
	return p.pos+need-c <= p.r.geo.capacity, nil
}

// TryReserve reserves room for a message of n bytes and returns it: the
// ring's own memory, to be filled and then published with Commit. It fails
// with ErrFull if there is no room now.
func (p *Producer) TryReserve(n int) ([]byte, error) {
	if b, ok := p.reserveOne(n); ok {
		return b, nil
	}
	x, err := p.tryReserveUnnamed(n)
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = p.r.named(err)
	}
	return x, err
}

func (p *Producer) tryReserveUnnamed(n int) ([]byte, error) {
	if p.r.gate.Closed() || !p.held {
		return nil, os.ErrClosed
	}
	return p.tryReserve(n)
}

func (p *Producer) tryReserve(n int) ([]byte, error) {
	if p.claiming {
		return nil, fmt.Errorf("ringbuf: reserve before committing the previous reservation")
	}
	if n < 0 {
		return nil, fmt.Errorf("ringbuf: %s: reserve of %d bytes", p.r.seg.Name(), n)
	}
	if uint64(n) > p.r.geo.maxMsg {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, n, p.r.geo.maxMsg)
	}
	size := recordSize(n)
	idx := p.pos & p.r.mask
	if (idx^(idx+size))&^(prefetchEvery-1) != 0 { // once per block, not per message
		spin.PrefetchWrite(&p.r.data[(idx+prefetchAhead)&p.r.mask])
	}
	pad := uint64(0)
	if idx+size > p.r.geo.capacity { // the record would cross the end: pad to it
		pad = p.r.geo.capacity - idx
	}
	ok, err := p.room(pad + size + recordHeader)
	if err != nil || !ok {
		if err == nil {
			err = ErrFull
		}
		return nil, err
	}
	if pad != 0 {
		p.stage(idx, makeHeader(pad, kindPadding)) // commits with the record
		p.pos += pad
		idx = 0
	}
	p.claiming, p.claimLen, p.claimAt = true, n, p.pos
	return p.r.data[idx+recordHeader : idx+recordHeader+uint64(n) : idx+recordHeader+uint64(n)], nil
}

// stage adds the record whose header is h, at idx, to the run: the
// first one's header waits for the run's commit, the others' are stored
// now, where the consumer cannot look before the first is.
func (p *Producer) stage(idx, h uint64) {
	if p.pos == p.pubPos {
		p.runHead = h
		return
	}
	spin.Release(&p.r.hdr[idx/recordAlign], h)
}

// flush commits the run: it zeroes the header after it (where the
// consumer will look next), stores the run's first header, which
// commits it, publishes pos, and wakes the consumer if it is parked and
// wakeNow is true (otherwise it is owed a wake-up, which unwoken remembers).
func (p *Producer) flush(wakeNow bool) {
	if p.pos == p.pubPos {
		return
	}
	p.commitRun(p.pos, p.runHead, p.runMsgs, p.runBytes, wakeNow)
	p.runMsgs, p.runBytes = 0, 0
}

// wakeOwed wakes a parked consumer that commits without a wake-up left
// sleeping.
func (p *Producer) wakeOwed() {
	if p.unwoken {
		wake(p.r.consFlag, &p.tally)
		p.unwoken = false
	}
}

// Reserve is TryReserve that waits for room, until ctx ends (ctx.Err())
// or the ring is closed in this process (os.ErrClosed).
func (p *Producer) Reserve(ctx context.Context, n int) ([]byte, error) {
	if b, ok := p.reserveOne(n); ok {
		return b, nil
	}
	x, err := p.reserveUnnamed(ctx, n)
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = p.r.named(err)
	}
	return x, err
}

func (p *Producer) reserveUnnamed(ctx context.Context, n int) ([]byte, error) {
	if p.r.gate.Closed() || !p.held {
		return nil, os.ErrClosed
	}
	return p.reserve(ctx, n)
}

func (p *Producer) reserve(ctx context.Context, n int) ([]byte, error) {
	for {
		b, err := p.tryReserve(n)
		if err != ErrFull {
			return b, err
		}
		if err := p.waitRoom(ctx, n); err != nil {
			return nil, err
		}
		if err := p.r.gate.Err(); err != nil {
			return nil, err
		}
	}
}

// waitRoom waits until the consumer has freed room for a message of n
// bytes. Parked, it asks to be woken only once half the ring is free, if
// the message needs less: a consumer that releases as it reads would
// otherwise wake it for every message. Half, not a quarter: at 64 KiB
// messages in a 4 MiB ring that halved the wake-ups (0.025 to 0.013 a
// message) and lost no throughput, as the consumer still has half a ring
// to read while the producer wakes.
func (p *Producer) waitRoom(ctx context.Context, n int) error {
	p.flush(true) // a run must be committed before we sleep on its reader
	p.wakeOwed()
	p.tally.publish(p.r.prod) // before sleeping: the counters stay current for observers
	r := p.r
	size, idx := recordSize(n), p.pos&r.mask
	need := p.pos + size + recordHeader // the end of the room we need, padding included
	if idx+size > r.geo.capacity {
		need += r.geo.capacity - idx
	}
	want := max(need, p.pos+r.geo.capacity/2) - r.geo.capacity // need > capacity: the ring is full
	spinReady := func() bool { return r.cons.pos.Load() != p.consCache }
	parkReady := func() bool { return r.cons.pos.Load() >= want }
	return waitFor(ctx, p.wait, &r.gate, r.seg, r.prod, r.cons, r.prodFlag, r.consFlag, want, spinReady, parkReady)
}

// Commit publishes the reserved message to the consumer, all the bytes
// reserved (none, for a reservation of 0: an empty message, which the
// consumer receives as such). The reserved bytes must not be touched
// afterwards.
func (p *Producer) Commit() error {
	if p.commitClaim() {
		return nil
	}
	if err := p.commitUnnamed(); err != nil {
		return p.r.named(err)
	}
	return nil
}

func (p *Producer) commitUnnamed() error {
	if p.r.gate.Closed() || !p.held {
		return os.ErrClosed
	}
	return p.commitN(p.claimLen)
}

// Memory model: a Commit synchronizes before the consumer's read of the
// message it publishes (Next, Read, ReadBatch), in whatever process.

// CommitN publishes the first n bytes of the reservation as the message,
// for a producer that learns the length only as it fills it. n == 0
// cancels the reservation: nothing is published (Commit publishes an
// empty message for a reservation of 0).
func (p *Producer) CommitN(n int) error {
	if err := p.commitNUnnamed(n); err != nil {
		return p.r.named(err)
	}
	return nil
}

func (p *Producer) commitNUnnamed(n int) error {
	if p.r.gate.Closed() || !p.held {
		return os.ErrClosed
	}
	if n == 0 && p.claiming {
		p.claiming = false
		p.flush(true) // padding before the reservation, if any
		return nil
	}
	return p.commitN(n)
}

func (p *Producer) commitN(n int) error {
	if err := p.stageClaim(n); err != nil {
		return err
	}
	p.flush(true)
	return nil
}

// stageClaim adds the first n bytes of the reservation to the run as a
// message, without committing it.
func (p *Producer) stageClaim(n int) error {
	if !p.claiming {
		return ErrNoReservation
	}
	if n < 0 || n > p.claimLen {
		return fmt.Errorf("ringbuf: commit of %d bytes of a %d-byte reservation", n, p.claimLen)
	}
	p.claiming = false
	p.stage(p.claimAt&p.r.mask, makeHeader(uint64(n), kindMessage))
	p.pos = p.claimAt + recordSize(n)
	p.runMsgs++
	p.runBytes += uint64(n)
	return nil
}

// TryWrite copies msg into the ring if there is room now, or fails with
// ErrFull.
func (p *Producer) TryWrite(msg []byte) error {
	if p.writeOne(msg) {
		return nil
	}
	if err := p.tryWriteUnnamed(msg); err != nil {
		return p.r.named(err)
	}
	return nil
}

func (p *Producer) tryWriteUnnamed(msg []byte) error {
	if p.r.gate.Closed() || !p.held {
		return os.ErrClosed
	}
	b, err := p.tryReserve(len(msg))
	if err != nil {
		return err
	}
	copy(b, msg)
	return p.commitN(len(msg))
}

// Write copies msg into the ring, waiting for room.
func (p *Producer) Write(msg []byte) error {
	if p.writeOne(msg) { // here as well as in WriteContext: a call less per message
		return nil
	}
	return p.WriteContext(context.Background(), msg)
}

// WriteContext is Write that gives up when ctx ends.
func (p *Producer) WriteContext(ctx context.Context, msg []byte) error {
	if p.writeOne(msg) {
		return nil
	}
	if err := p.writeContextUnnamed(ctx, msg); err != nil {
		return p.r.named(err)
	}
	return nil
}

func (p *Producer) writeContextUnnamed(ctx context.Context, msg []byte) error {
	if p.r.gate.Closed() || !p.held {
		return os.ErrClosed
	}
	b, err := p.reserve(ctx, len(msg))
	if err != nil {
		return err
	}
	copy(b, msg)
	return p.commitN(len(msg))
}

// runMax is how many bytes a WriteBatch writes before it commits them,
// so that the consumer reads the start of a long batch while the rest
// is written.
const runMax = 4096

// WriteBatch copies msgs into the ring in order, waiting for room as
// needed, and commits them in runs of about 4 KiB: one commit and one
// wake-up per run, where Write pays one per message. The consumer sees a
// run all at once, and a batch that fits in one run (and in the room
// there is) all at once; a longer batch, or one that waits for room,
// arrives run by run. It returns how many messages it committed, fewer
// than len(msgs) only with an error (ctx's, ErrTooLarge for the first
// message that is too long, os.ErrClosed, or ErrPeerDead if the consumer
// died while it waited for room); those committed stay committed.
func (p *Producer) WriteBatch(ctx context.Context, msgs [][]byte) (int, error) {
	n, err := p.writeBatchUnnamed(ctx, msgs)
	if err != nil {
		err = p.r.named(err)
	}
	return n, err
}

func (p *Producer) writeBatchUnnamed(ctx context.Context, msgs [][]byte) (int, error) {
	if p.r.gate.Closed() || !p.held {
		return 0, os.ErrClosed
	}
	for i, msg := range msgs {
		if p.stageOne(msg) {
			if p.pos-p.pubPos >= runMax {
				p.flush(true)
			}
			continue
		}
		b, err := p.tryReserve(len(msg))
		if err == ErrFull { // what the run holds is waited on: commit it, then wait
			p.flush(true)
			b, err = p.reserve(ctx, len(msg))
		}
		if err != nil {
			p.flush(true)
			return i, err
		}
		copy(b, msg)
		p.stageClaim(len(msg)) // cannot fail: reserved just now for len(msg)
		if p.pos-p.pubPos >= runMax {
			p.flush(true)
		}
	}
	p.flush(true)
	return len(msgs), nil
}

// Close gives up the producer role; the consumer reads what was committed,
// then io.EOF. An open reservation is dropped. After the Ring's own Close
// it only lets go of the address range it held (see Ring.Close). It is
// idempotent.
func (p *Producer) Close() error {
	if !p.held {
		return nil
	}
	p.held = false
	if err := p.r.seg.Check(); err != nil {
		return errors.Join(err, p.r.gate.Unhold()) // truncated: the role goes with the file
	}
	p.claiming = false // an open reservation is dropped, with its padding: nothing was stored for them
	p.r.prodFlag.closed.Store(1)
	p.r.prod.owner.CompareAndSwap(uint64(p.token), 0)
	wake(p.r.consFlag, &p.tally)
	p.tally.publish(p.r.prod)
	return p.r.gate.Unhold()
}
