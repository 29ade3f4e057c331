package ringbuf

import (
	"sync"
	"sync/atomic"
	"time"
)

// Publishing a position without a full fence.
//
// A side publishes its position after every message (the producer) or
// batch (the consumer), and then loads the other side's parked flag to
// see whether to wake it. That is Dekker's pattern: the store and the
// load must not be reordered, or a side that is just parking misses the
// new position and sleeps through it. atomic.Store gives that order with a
// full fence (XCHG on amd64), which stalls until this core owns the cache
// line, while the other side, spinning, keeps pulling that line back: on a
// busy ring the fence is most of the cost of a message.
//
// So the fence moves to the side that parks, which is rare and about to
// make a system call anyway. A process that can (membarrier(2) with
// MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) publishes with a plain release
// store and says so in its flags' relaxed word; a side about to park on
// such a peer stores its parked flag and then calls
// MEMBARRIER_CMD_GLOBAL_EXPEDITED, which runs a full barrier on every
// thread of the peer. After it, either the peer's position store is
// visible to the parking side's look, or the peer's later load of parked
// sees 1 and wakes it. If the barrier fails the parking side does not
// trust the wake-up and looks again every recheckMin.

// canRelax reports, once per process, whether this process may publish
// with plain release stores.
var canRelax = sync.OnceValue(func() bool { return !raceEnabled && registerBarrier() })

// A peer that parks on every wait (Wait Block) would pay for a barrier on
// every message, which costs tens of microseconds where IPIs are slow (in
// VMs). So it sets its flags' fence word, and a side that sees it publishes
// with fenced stores instead, and says so by clearing its relaxed word:
// with a sequentially consistent store, after which every earlier plain
// store is visible. A side going back to plain stores sets relaxed first.
// Either way a parking side that reads relaxed = 0 needs no barrier.

// publisher is one side's choice of stores.
type publisher struct {
	can     bool // this process may use plain stores (canRelax)
	relaxed bool // the stores are plain: mine.relaxed is 1
}

// init sets the side's relaxed word for this process's ability.
func (p *publisher) init(mine *flags) {
	p.can = canRelax()
	p.relaxed = p.can
	if p.relaxed {
		mine.relaxed.Store(1)
	} else {
		mine.relaxed.Store(0)
	}
}

// publish stores v in pos, plainly if this process can and the other side
// does not ask for fences.
func (p *publisher) publish(pos *atomic.Uint64, v uint64, mine, other *flags) {
	if want := p.can && other.fence.Load() == 0; want != p.relaxed {
		p.relaxed = want
		if want {
			mine.relaxed.Store(1)
		} else {
			mine.relaxed.Store(0)
		}
	}
	if p.relaxed {
		storeRelease(pos, v)
		return
	}
	pos.Store(v)
}

// pauseNanos is how long one PAUSE takes here, measured once.
var pauseNanos = sync.OnceValue(func() int64 {
	const n = 1 << 14
	start := time.Now()
	pause(n)
	return max(1, time.Since(start).Nanoseconds()/n)
})

// setFence sets the side's fence word for wait strategy w.
func setFence(mine *flags, w Wait) {
	if w == Block {
		mine.fence.Store(1)
	} else {
		mine.fence.Store(0)
	}
}
