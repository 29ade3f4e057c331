package spin

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
// MEMBARRIER_CMD_GLOBAL_EXPEDITED (GlobalBarrier), which runs a full barrier on every
// thread of the peer. After it, either the peer's position store is
// visible to the parking side's look, or the peer's later load of parked
// sees 1 and wakes it. If the barrier fails the parking side does not
// trust the wake-up and looks again every RecheckMin.

// CanRelax reports, once per process, whether this process may publish
// with plain release stores: it has them (amd64, arm64), the race
// detector is off, and a barrier can reach it.
var CanRelax = sync.OnceValue(func() bool { return !RaceEnabled && plainStores && registerBarrier() })

// A peer that parks on every wait (Wait Block) would pay for a barrier on
// every message, which costs tens of microseconds where IPIs are slow (in
// VMs). So it sets its fence word, and a side that sees it publishes with
// fenced stores instead, and says so by clearing its relaxed word: with a
// sequentially consistent store, after which every earlier plain store is
// visible. A side going back to plain stores sets relaxed first. Either
// way a parking side that reads relaxed = 0 needs no barrier.

// Publisher is one side's choice of stores. Its words live in shared
// memory: Relaxed is the side's own (1 while it publishes with plain
// stores), PeerFence the other side's (1 while it asks for fenced ones).
type Publisher struct {
	can       bool // this process may use plain stores (CanRelax)
	relaxed   bool // the stores are plain: *Relaxed is 1
	Relaxed   *atomic.Uint32
	PeerFence *atomic.Uint32
}

// Init sets the side's relaxed word for this process's ability.
func (p *Publisher) Init(relaxed, peerFence *atomic.Uint32) {
	p.Relaxed, p.PeerFence = relaxed, peerFence
	p.can = CanRelax()
	p.relaxed = p.can
	if p.relaxed {
		relaxed.Store(1)
	} else {
		relaxed.Store(0)
	}
}

// Publish stores v in pos, plainly if this process can and the other side
// does not ask for fences.
func (p *Publisher) Publish(pos *atomic.Uint64, v uint64) {
	if want := p.can && p.PeerFence.Load() == 0; want != p.relaxed {
		p.relaxed = want
		if want {
			p.Relaxed.Store(1)
		} else {
			p.Relaxed.Store(0)
		}
	}
	if p.relaxed {
		StoreRelease(pos, v)
		return
	}
	pos.Store(v)
}

// PauseNanos is how long one PAUSE takes here, measured once.
var PauseNanos = sync.OnceValue(func() int64 {
	const n = 1 << 14
	start := time.Now()
	Pause(n)
	return max(1, time.Since(start).Nanoseconds()/n)
})

// SetFence sets a side's fence word for wait strategy w.
func SetFence(fence *atomic.Uint32, w Wait) {
	if w == Block {
		fence.Store(1)
	} else {
		fence.Store(0)
	}
}

// Release stores v at addr with release ordering and no fence, for a word
// whose readers need its order, not Dekker's: StoreRelease, or an atomic
// store under the race detector, which sees only atomics as
// synchronization.
func Release(addr *atomic.Uint64, v uint64) {
	if RaceEnabled {
		addr.Store(v)
		return
	}
	StoreRelease(addr, v)
}
