package queue

import (
	"cmp"
	"context"
	"fmt"
	"os"

	"github.com/shmkit/shmkit/internal/spin"

	"github.com/shmkit/shmkit/internal/failpoint"
)

// Producer puts messages into a Queue. It is not safe for concurrent
// use; each goroutine that writes attaches its own.
type Producer struct {
	attached
	canRelax bool // this process may commit plainly (relax.go)
}

// Producer attaches a producer to q. It fails with ErrBusy if
// MaxPeers live producers are attached, or if another live process keeps
// the producers' table locked for over a second (it is stopped, or
// hostile: a join holds the lock for microseconds).
func (q *Queue) Producer() (*Producer, error) {
	x, err := q.producerUnnamed()
	if err != nil { // named only on the way out of a failure: nothing on the hot path
		err = q.named(err)
	}
	return x, err
}

func (q *Queue) producerUnnamed() (*Producer, error) {
	a, err := q.attach(producers)
	if err != nil {
		return nil, err
	}
	return &Producer{attached: a, canRelax: spin.CanRelax()}, nil
}

// SetWait sets how Write waits for room.
func (p *Producer) SetWait(w Wait) { p.wait = w }

// maxSpins bounds the claim loops: every failed try means another peer
// made progress, so this many in a row means a peer is scribbling.
const maxSpins = 1 << 20

// claim claims the slot at the tail, or fails with ErrFull. It records
// its claim with a plain release store, which the CAS that takes the
// slot publishes before the tail moves.
func (p *Producer) claim() (uint64, error) {
	q := p.q
	for range maxSpins {
		t := q.tail.Load()
		s := q.seqAt(t).Load()
		switch {
		case s == t: // free for position t
			spin.Release(&p.me.claim, t+1) // plain: the CAS, a locked instruction, publishes it first
			if q.tail.CompareAndSwap(t, t+1) {
				return t, nil
			}
			continue
		case t >= q.geo.slots && (s == t-q.geo.slots || s&^skipBit == t-q.geo.slots+1):
			// The previous lap's message is not yet written, or not yet
			// read and released: full.
			if q.tail.Load() == t {
				p.unclaim()
				return 0, ErrFull
			}
			continue
		}
		if q.tail.Load() == t { // s is no value the slot for t can hold
			p.unclaim()
			return 0, fmt.Errorf("%w: slot for position %d has sequence %#x", ErrCorrupt, t, s)
		}
	}
	p.unclaim()
	return 0, fmt.Errorf("%w: the tail keeps moving", ErrCorrupt)
}

// TryWrite copies msg into the queue if there is room now, or fails with
// ErrFull.
func (p *Producer) TryWrite(msg []byte) error {
	if err := p.tryWriteUnnamed(msg); err != nil {
		return p.q.named(err)
	}
	return nil
}

func (p *Producer) tryWriteUnnamed(msg []byte) error {
	if p.closed() {
		return os.ErrClosed
	}
	return p.tryWrite(msg)
}

func (p *Producer) tryWrite(msg []byte) error {
	t, err := p.put(msg)
	if err != nil {
		return err
	}
	p.store(p.q.seqAt(t), t+1) // commit: fenced before wakeOne loads the parked bits, or relaxed (relax.go)
	// Plain: a claim of a committed position is ignored by whoever reads
	// it (settleAt looks at the sequence first), so it may clear late.
	spin.Release(&p.me.claim, 0)
	p.q.wakeOne(p.q.consWait, &p.tally)
	p.tally.add(p.q.produced, uint64(len(msg)))
	return nil
}

// put claims the slot at the tail and writes msg into it, or fails with
// ErrFull (or ErrTooLarge, ErrCorrupt). It returns the position, which
// the caller commits by storing t+1 in its sequence: the message
// happens-before a consumer's load of it.
func (p *Producer) put(msg []byte) (uint64, error) {
	if uint64(len(msg)) > p.q.geo.maxMsg {
		return 0, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(msg), p.q.geo.maxMsg)
	}
	t, err := p.claim()
	if err == ErrFull && p.stuck.due(p.q.tail.Load()) {
		err = cmp.Or(p.q.settleAt(p.q.tail.Load()), err)
	}
	if err != nil {
		return 0, err
	}
	slot := p.q.slotAt(t)
	if failpoint.Enabled() { // in two halves only for a test: the second copy call cost the 8-byte bench row a sixth
		half := len(msg) / 2
		copy(slot, msg[:half])
		failpoint.Inject("queue/claimed") // dying here leaves a claimed, half-written slot
		copy(slot[half:], msg[half:])
	} else {
		copy(slot, msg)
	}
	// Atomic, as a consumer that loses the race for this slot may read it,
	// and plain: the commit's store orders it.
	spin.Release(p.q.lenWordAt(t), lenWord(len(msg)))
	return t, nil
}

// Write copies msg into the queue, waiting for room.
func (p *Producer) Write(msg []byte) error {
	return p.WriteContext(context.Background(), msg)
}

// WriteContext is Write that gives up when ctx ends. While it waits it
// releases slots that consumers which died took and never released.
//
// It returns os.ErrClosed if q is closed meanwhile by this process.
func (p *Producer) WriteContext(ctx context.Context, msg []byte) error {
	if err := p.writeContextUnnamed(ctx, msg); err != nil {
		return p.q.named(err)
	}
	return nil
}

func (p *Producer) writeContextUnnamed(ctx context.Context, msg []byte) error {
	if p.closed() {
		return os.ErrClosed
	}
	recheck := spin.RecheckMin
	for {
		err := p.tryWrite(msg)
		if err != ErrFull {
			return err
		}
		if recheck, err = p.q.await(ctx, &p.attached, p.q.prodWait, p.room, false, recheck); err != nil {
			return err
		}
		if err := p.q.gate.Err(); err != nil {
			return err
		}
	}
}

// room reports whether the slot at the tail is free, or the tail moved.
func (p *Producer) room() bool {
	t := p.q.tail.Load()
	return p.q.seqAt(t).Load() == t
}

// Close detaches the producer, giving its entry back; later calls on it
// fail with os.ErrClosed. After the Queue's own Close it only lets go of
// the address range it held (see Queue.Close). It is idempotent.
func (p *Producer) Close() error { return p.detach() }
