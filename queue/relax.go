package queue

import (
	"sync/atomic"

	"github.com/shmkit/shmkit/internal/spin"
)

// Committing without a full fence: the ring's way (internal/spin's
// fence.go), for many producers.
//
// A producer commits by storing its slot's seq and then loads the
// consumers' parked bits to see whether to wake one: Dekker's pattern,
// where the store must be visible before the load. A full fence there
// (XCHG) stalls the producer on every message. So a producer whose
// process a barrier can reach (spin.CanRelax) commits with a plain
// release store, and counts itself in the producers' waitLine.count
// (relaxed); a consumer about to park, once its parked bit is set, calls
// spin.GlobalBarrier if that count is not 0. After the barrier, either
// the commit is visible to the consumer's look, or the producer's load
// of the parked bits comes later and sees the bit.
//
// A consumer that waits with Block parks on every wait, and a barrier
// costs tens of microseconds where IPIs are slow (in VMs). So it counts
// itself in the consumers' waitLine.count (fence): while that is not 0,
// producers commit with fenced stores and leave the relaxed count, by a
// locked decrement after which their plain stores are visible. A parker
// that reads relaxed = 0 needs no barrier.
//
// A peer's entry flag says that it is counted, so that whoever settles a
// dead peer's entry takes its count away. The steps are ordered so that
// a peer killed between two of them leaves a count one too high, never
// too low: too high costs barriers (relaxed) or fences (fence); too low
// would lose wake-ups.

// setCounted counts the peer in, or out of, its side's waitLine.count.
func (a *attached) setCounted(on bool) {
	if on == a.counted {
		return
	}
	a.counted = on
	ws := a.q.waitLine(a.side)
	if on {
		ws.count.Add(1) // first: dying before the flag leaves the count too high
		a.me.counted.Store(1)
		return
	}
	a.me.counted.Store(0)    // first, likewise
	ws.count.Add(^uint32(0)) // locked: every plain commit before it is visible first
}

// uncount takes a dead owner's entry e out of s's count, for settle.
func (q *Queue) uncount(s queueSide, e *peer) {
	if e.counted.Load() != 0 {
		e.counted.Store(0)
		q.waitLine(s).count.Add(^uint32(0))
	}
}

// relaxed reports whether the producer may commit plainly now: its
// process can be fenced by a barrier, and no consumer asks for fences.
// It counts the producer in or out as that changes.
func (p *Producer) relaxed() bool {
	p.setCounted(p.canRelax && p.q.consWait.count.Load() == 0)
	return p.counted
}

// store stores v at word, a store that a parked consumer may wait for:
// plainly if relaxed, else with a full fence before the caller loads the
// parked bits.
func (p *Producer) store(word *atomic.Uint64, v uint64) {
	if p.relaxed() {
		spin.Release(word, v)
		return
	}
	word.Store(v)
}

// passOn is what a waiter back from its sleep does once it has cleared
// woken, and so owes the wake-ups skipped while it was set: it wakes one
// more peer of ws's side if what the side waits for is there. A commit
// whose wake-up was skipped may be a relaxed producer's, not yet visible
// here, so a consumer first fences the producers, as a parker does; only
// when another consumer is parked, for otherwise none is owed (one that
// parks later fences them itself). If the barrier fails, a commit may be
// there unseen, and the parked consumer, whose own barrier may have
// worked, would sleep up to RecheckMax: it is woken unconditionally, one
// wake-up call that may find nothing.
func (q *Queue) passOn(ws *waitLine, ready func() bool) {
	if !ws.anyParked() {
		return
	}
	if unsure := ws == q.consWait && q.fenceParked(); unsure || ready() {
		q.wakeOne(ws, nil)
	}
}

// fenceParked is what a consumer does once its parked bit is set and
// before it looks again: a barrier if any producer commits plainly. It
// reports whether a wake-up may be missed (the barrier failed), so that
// the caller looks again soon.
func (q *Queue) fenceParked() (unsure bool) {
	return q.prodWait.count.Load() != 0 && spin.GlobalBarrier() != nil
}
