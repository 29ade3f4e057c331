package ringbuf

import (
	"sync"
	"sync/atomic"
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

// publish stores v in pos: a plain release store if relaxed, else a
// sequentially consistent one.
func publish(pos *atomic.Uint64, v uint64, relaxed bool) {
	if relaxed {
		storeRelease(pos, v)
		return
	}
	pos.Store(v)
}

// relaxFlag returns 1 if this process publishes with plain stores, for a
// side's flags.relaxed.
func relaxFlag() uint32 {
	if canRelax() {
		return 1
	}
	return 0
}
