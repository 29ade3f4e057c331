package ringbuf

import (
	"math"

	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/spin"
)

// The per-message fast paths: the common case of Write, Reserve, Commit,
// Next and a batch's peek, each in one call with no error values built,
// instead of the layers of the general path (which handles everything:
// padding, runs, waits, errors, hostile bytes). A fast path that sees
// anything unusual returns false and the general path runs from the
// start, so that nothing is decided twice. On one core the layers cost
// more than the message (BenchmarkOneThread).

// recordOf is recordSize for a length already known to fit.
func recordOf(n uint64) uint64 { return (recordHeader + n + recordAlign - 1) &^ (recordAlign - 1) }

// commitRun commits the run from pubPos to end, whose first header is
// h, holding msgs messages of bytes bytes: it zeroes the header at end
// (where the consumer looks next), stores h, which commits the whole run
// at once, and publishes end for observers and an heir. Then it counts
// the run and wakes a parked consumer if wakeNow (otherwise the consumer
// is owed a wake-up, which unwoken remembers). flush and the fast paths
// share it, so that the order of the stores (the one docs/models/ring.pml
// checks) is written once.
func (p *Producer) commitRun(end, h, msgs, bytes uint64, wakeNow bool) {
	r := p.r
	spin.Release(&r.hdr[(end&r.mask)/recordAlign], 0)
	failpoint.Inject("ringbuf/commit/before")
	// The commit: a release store (fenced when the consumer asked; see
	// spin's fence.go), as the consumer loads the header with acquire.
	p.pub.Publish(&r.hdr[(p.pubPos&r.mask)/recordAlign], h)
	failpoint.Inject("ringbuf/publish/before")
	spin.Release(&r.prod.pos, end)
	p.pos, p.pubPos = end, end
	p.tally.msgs += msgs
	p.tally.bytes += bytes
	if p.tally.msgs >= countEvery {
		p.tally.publish(r.prod)
	}
	p.unwoken = !wakeNow
	if wakeNow && r.consFlag.parked.Load() == 1 {
		wake(r.consFlag, &p.tally)
	}
}

// writeOne is Write's common case: no reservation or run open, no
// padding needed, and room by the cached consumer position (with the
// header after the record, which a commit zeroes).
func (p *Producer) writeOne(msg []byte) bool {
	r := p.r
	n := uint64(len(msg))
	idx := p.pos & r.mask
	size := recordOf(n)
	if p.claiming || !p.held || p.pos != p.pubPos || n > r.geo.maxMsg || r.gate.Closed() ||
		idx+size > r.geo.capacity || p.pos+size+recordHeader-p.consCache > r.geo.capacity {
		return false
	}
	if (idx^(idx+size))&^(prefetchEvery-1) != 0 { // once per block, not per message
		spin.PrefetchWrite(&r.data[(idx+prefetchAhead)&r.mask])
	}
	copy(r.data[idx+recordHeader:idx+recordHeader+n], msg)
	p.commitRun(p.pos+size, makeHeader(n, kindMessage), 1, n, true)
	return true
}

// reserveOne is Reserve's common case, as writeOne's.
func (p *Producer) reserveOne(n int) ([]byte, bool) {
	r := p.r
	idx := p.pos & r.mask
	size := recordOf(uint64(n))
	if p.claiming || !p.held || p.pos != p.pubPos || uint64(n) > r.geo.maxMsg || r.gate.Closed() ||
		idx+size > r.geo.capacity || p.pos+size+recordHeader-p.consCache > r.geo.capacity {
		return nil, false
	}
	if (idx^(idx+size))&^(prefetchEvery-1) != 0 {
		spin.PrefetchWrite(&r.data[(idx+prefetchAhead)&r.mask])
	}
	p.claiming, p.claimLen, p.claimAt = true, n, p.pos
	start := idx + recordHeader
	return r.data[start : start+uint64(n) : start+uint64(n)], true
}

// stageOne is WriteBatch's common case for one message: it copies msg
// into the run, without padding and within the room the cached consumer
// position shows, as tryReserve, copy and stageClaim would.
func (p *Producer) stageOne(msg []byte) bool {
	r := p.r
	n := uint64(len(msg))
	idx := p.pos & r.mask
	size := recordOf(n)
	if p.claiming || n > r.geo.maxMsg || idx+size > r.geo.capacity || p.pos+size+recordHeader-p.consCache > r.geo.capacity {
		return false
	}
	if (idx^(idx+size))&^(prefetchEvery-1) != 0 {
		spin.PrefetchWrite(&r.data[(idx+prefetchAhead)&r.mask])
	}
	copy(r.data[idx+recordHeader:idx+recordHeader+n], msg)
	p.stage(idx, makeHeader(n, kindMessage))
	p.pos += size
	p.runMsgs++
	p.runBytes += n
	return true
}

// commitClaim is Commit's common case: the reservation reserveOne made
// (no padding staged before it, no run open).
func (p *Producer) commitClaim() bool {
	if !p.claiming || p.claimAt != p.pubPos || p.r.gate.Closed() {
		return false
	}
	p.claiming = false
	n := uint64(p.claimLen)
	p.commitRun(p.pos+recordOf(n), makeHeader(n, kindMessage), 1, n, true)
	return true
}

// peekOne is peek's common case: a committed message record within the
// geometry and within a lap of our position. Anything else (nothing
// committed, padding, hostile bytes) is for peek's general path.
func (c *Consumer) peekOne() ([]byte, bool) {
	r := c.r
	idx := c.next & r.mask
	h := r.hdr[idx/recordAlign].Load()
	n := h & math.MaxUint32
	size := recordOf(n)
	if h>>32 != kindMessage || n > r.geo.maxMsg || idx+size > r.geo.capacity || c.next+size-c.pos > r.geo.capacity {
		return nil, false
	}
	c.next += size
	start := idx + recordHeader
	return r.data[start : start+n : start+n], true
}

// nextOne is Next's common case: it frees the message handed out last
// and hands out the next one, if it is there.
func (c *Consumer) nextOne() ([]byte, bool) {
	if c.r.gate.Closed() || !c.held {
		return nil, false
	}
	if c.next != c.pos {
		c.release()
	}
	msg, ok := c.peekOne()
	if ok {
		c.tally.msgs++
		c.tally.bytes += uint64(len(msg))
		if c.tally.msgs >= countEvery {
			c.tally.publish(c.r.cons)
		}
	}
	return msg, ok
}
