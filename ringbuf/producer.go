package ringbuf

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/internal/spin"
)

// Producer is the writing side of a Ring. It is not safe for concurrent
// use: one goroutine writes at a time.
type Producer struct {
	r         *Ring
	token     live.Token
	pos       uint64 // our position: only we write r.prod.pos
	consCache uint64 // the consumer's position as last read
	claimed   uint64 // record size of the open reservation, 0 if none
	claimLen  int
	claimAt   uint64 // position of the reservation's header
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
	t, err := claim(r.prod, "producer")
	if err != nil {
		return nil, err
	}
	p := &Producer{r: r, token: t, pos: r.prod.pos.Load(), consCache: r.cons.pos.Load()}
	err = p.checkCons(p.consCache)
	if p.pos%recordAlign != 0 {
		err = fmt.Errorf("%w: producer position %d is not %d-byte aligned", ErrCorrupt, p.pos, recordAlign)
	}
	if err != nil {
		r.prod.owner.CompareAndSwap(uint64(t), 0)
		return nil, err
	}
	if err = r.gate.Hold(); err != nil {
		r.prod.owner.CompareAndSwap(uint64(t), 0)
		return nil, err
	}
	p.held = true
	p.pub.Init(&r.prodFlag.relaxed, &r.consFlag.fence)
	spin.SetFence(&r.prodFlag.fence, p.wait)
	r.prodFlag.closed.Store(0)
	return p, nil
}

// SetWait sets how Write and Reserve wait for room.
func (p *Producer) SetWait(w Wait) { p.wait = w; spin.SetFence(&p.r.prodFlag.fence, w) }

// checkCons validates a consumer position read from shared memory.
func (p *Producer) checkCons(c uint64) error {
	if c > p.pos || p.pos-c > p.r.geo.capacity || c%recordAlign != 0 {
		return fmt.Errorf("%w: consumer at %d, producer at %d, capacity %d", ErrCorrupt, c, p.pos, p.r.geo.capacity)
	}
	return nil
}

// room reports whether need bytes fit, reading the consumer's position
// only when the cached one says they do not.
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
	x, err := p.tryReserveUnnamed(n)
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = p.r.named(err)
	}
	return x, err
}

func (p *Producer) tryReserveUnnamed(n int) ([]byte, error) {
	if p.r.gate.Closed() {
		return nil, os.ErrClosed
	}
	return p.tryReserve(n)
}

func (p *Producer) tryReserve(n int) ([]byte, error) {
	if p.claimed != 0 {
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
	spin.PrefetchWrite(&p.r.data[(idx+prefetchAhead)&p.r.mask])
	pad := uint64(0)
	if idx+size > p.r.geo.capacity { // the record would cross the end: pad to it
		pad = p.r.geo.capacity - idx
	}
	ok, err := p.room(pad + size)
	if err != nil || !ok {
		if err == nil {
			err = ErrFull
		}
		return nil, err
	}
	if pad != 0 {
		p.header(idx, int32(pad), kindPadding) // padding is committed at once, published with the record
		p.pos += pad
		idx = 0
	}
	p.header(idx, -int32(n), kindMessage) // claimed, not committed
	p.claimed, p.claimLen, p.claimAt = size, n, p.pos
	return p.r.data[idx+recordHeader : idx+recordHeader+uint64(n) : idx+recordHeader+uint64(n)], nil
}

// Reserve is TryReserve that waits for room, until ctx ends (ctx.Err())
// or the ring is closed in this process (os.ErrClosed).
func (p *Producer) Reserve(ctx context.Context, n int) ([]byte, error) {
	x, err := p.reserveUnnamed(ctx, n)
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = p.r.named(err)
	}
	return x, err
}

func (p *Producer) reserveUnnamed(ctx context.Context, n int) ([]byte, error) {
	if p.r.gate.Closed() {
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
		p.tally.publish(p.r.prod) // before sleeping: the counters stay current for observers
		if err := waitFor(ctx, p.wait, &p.r.gate, p.r.seg, p.r.prod, p.r.cons, p.r.prodFlag, p.r.consFlag, p.consCache, nil); err != nil {
			return nil, err
		}
		if err := p.r.gate.Err(); err != nil {
			return nil, err
		}
	}
}

// Commit publishes the reserved message to the consumer, all the bytes
// reserved (none, for a reservation of 0: an empty message, which the
// consumer receives as such). The reserved bytes must not be touched
// afterwards.
func (p *Producer) Commit() error {
	if err := p.commitUnnamed(); err != nil {
		return p.r.named(err)
	}
	return nil
}

func (p *Producer) commitUnnamed() error {
	if p.r.gate.Closed() {
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
	if p.r.gate.Closed() {
		return os.ErrClosed
	}
	if n == 0 && p.claimed != 0 {
		p.claimed = 0
		return nil
	}
	return p.commitN(n)
}

func (p *Producer) commitN(n int) error {
	if p.claimed == 0 {
		return ErrNoReservation
	}
	if n < 0 || n > p.claimLen {
		return fmt.Errorf("ringbuf: commit of %d bytes of a %d-byte reservation", n, p.claimLen)
	}
	p.claimed, p.claimLen = recordSize(n), n
	failpoint.Inject("ringbuf/commit/before")
	p.header(p.claimAt&p.r.mask, int32(p.claimLen), kindMessage) // the length, stored last
	p.pos += p.claimed
	// Release: the record happens-before the consumer's load of pos.
	p.pub.Publish(&p.r.prod.pos, p.pos)
	p.claimed = 0
	wake(p.r.consFlag, &p.tally)
	p.tally.add(p.r.prod, 1, uint64(p.claimLen))
	return nil
}

func (p *Producer) header(idx uint64, length int32, kind uint32) {
	binary.LittleEndian.PutUint32(p.r.data[idx:], uint32(length))
	binary.LittleEndian.PutUint32(p.r.data[idx+4:], kind)
}

// TryWrite copies msg into the ring if there is room now, or fails with
// ErrFull.
func (p *Producer) TryWrite(msg []byte) error {
	if err := p.tryWriteUnnamed(msg); err != nil {
		return p.r.named(err)
	}
	return nil
}

func (p *Producer) tryWriteUnnamed(msg []byte) error {
	if p.r.gate.Closed() {
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
func (p *Producer) Write(msg []byte) error { return p.WriteContext(context.Background(), msg) }

// WriteContext is Write that gives up when ctx ends.
func (p *Producer) WriteContext(ctx context.Context, msg []byte) error {
	if err := p.writeContextUnnamed(ctx, msg); err != nil {
		return p.r.named(err)
	}
	return nil
}

func (p *Producer) writeContextUnnamed(ctx context.Context, msg []byte) error {
	if p.r.gate.Closed() {
		return os.ErrClosed
	}
	b, err := p.reserve(ctx, len(msg))
	if err != nil {
		return err
	}
	copy(b, msg)
	return p.commitN(len(msg))
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
	p.claimed = 0
	p.r.prodFlag.closed.Store(1)
	p.r.prod.owner.CompareAndSwap(uint64(p.token), 0)
	wake(p.r.consFlag, &p.tally)
	p.tally.publish(p.r.prod)
	return p.r.gate.Unhold()
}
