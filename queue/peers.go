package queue

import (
	"fmt"
	"time"

	"github.com/shmkit/shmkit/internal/spin"

	"github.com/shmkit/shmkit/internal/live"
)

// How a queue survives its peers' deaths.
//
// Each producer and consumer owns an entry in its side's table. Before it
// tries to claim position p (a CAS of the tail, or of the head) it stores
// p+1 in its entry's claim, and it clears claim only after the slot has
// moved on (committed, or released). A consumer's batch read takes the n
// slots from p with one CAS, and stores n in span first. So while a slot
// waits on a claim, the claimer is among the entries whose claim covers
// that slot. If all of
// them belong to dead processes, the claimer is dead and the slot is
// settled for it: a producer's claim becomes a skip, a consumer's is
// released. If one of them is alive, it may be the claimer, and nothing is
// done: a live peer is never robbed, only waited for.

// queueSide is the producers' or the consumers' half of a queue.
type queueSide bool

const (
	producers queueSide = false
	consumers queueSide = true
)

func (s queueSide) String() string {
	if s == producers {
		return "producer"
	}
	return "consumer"
}

func (q *Queue) table(s queueSide) *[MaxPeers]peerLine {
	if s == producers {
		return q.prods
	}
	return q.conss
}

func (q *Queue) waitLine(s queueSide) *waitLine {
	if s == producers {
		return q.prodWait
	}
	return q.consWait
}

// join takes an entry of s's table for this process: a free one, or one
// whose owner died, once its claim is settled. It returns the entry and
// its index.
func (q *Queue) join(s queueSide) (*peer, int, error) {
	if err := q.gate.Enter(); err != nil {
		return nil, 0, err
	}
	defer q.gate.Leave()
	me, err := live.Self()
	if err != nil {
		return nil, 0, err
	}
	// Cached looks first: a table full of live peers costs no lock probes.
	// The cache may still call a process alive that died a moment ago, so
	// before ErrBusy every entry is looked at again, uncached.
	alive, fresh := live.Alive, false
	for round := 0; ; round++ {
		undecided := false
		for i := range q.table(s) {
			e := &q.table(s)[i].peer
			tok := e.token.Load()
			if tok == 0 {
				if e.token.CompareAndSwap(0, uint64(me)) {
					return e, i, nil
				}
				continue
			}
			if alive(live.Token(tok&^reclaimBit)) || !e.token.CompareAndSwap(tok, uint64(me)|reclaimBit) {
				continue
			}
			ok, err := q.settle(s, e, i)
			if err != nil || !ok {
				e.token.Store(tok) // leave it to a later attach
				if err != nil {
					return nil, 0, err
				}
				undecided = true
				continue
			}
			e.token.Store(uint64(me))
			return e, i, nil
		}
		if !undecided && !fresh {
			alive, fresh = live.AliveNow, true
			continue
		}
		if !undecided || round == 100 {
			return nil, 0, fmt.Errorf("%w: all %d %s entries are held by live processes", ErrBusy, MaxPeers, s)
		}
		time.Sleep(time.Millisecond) // a live claimant is mid-claim; it moves on in microseconds
	}
}

// detach gives e back. Its owner holds no claim.
func detach(e *peer) {
	e.claim.Store(0)
	e.span.Store(0)
	e.token.Store(0)
}

// settle settles the claim of a dead owner's entry e (index i), which the
// caller has marked with reclaimBit, and clears its parked bit. It reports
// false if a live peer may hold the same claim: try later.
func (q *Queue) settle(s queueSide, e *peer, i int) (bool, error) {
	q.waitLine(s).unpark(i)
	q.uncount(s, e)
	from, n := e.claimed()
	if n > maxSpan {
		return false, fmt.Errorf("%w: %s entry %d claims %d slots, a batch takes at most %d", ErrCorrupt, s, i, n, maxSpan)
	}
	for pos := from; pos < from+n; pos++ { // a batch's span: each slot is settled on its own
		var ok bool
		var err error
		if s == producers {
			ok, _, err = q.skipDeadWrite(pos)
		} else {
			ok, _, err = q.releaseDeadRead(pos)
		}
		if !ok || err != nil {
			return ok, err
		}
	}
	e.claim.Store(0)
	e.span.Store(0)
	return true, nil
}

// claimants looks for the entries of s whose claim covers pos. It reports
// whether any belongs to a live process, and whether there was any; if
// none is alive, end is where the spans of those it found end, so that the
// caller can settle the rest of a dead peer's span at once.
func (q *Queue) claimants(s queueSide, pos uint64) (alive, found bool, end uint64) {
	end = pos + 1
	for i := range q.table(s) {
		e := &q.table(s)[i].peer
		from, n := e.claimed()
		if pos < from || pos-from >= n || n > maxSpan { // a larger span is corrupt: it covers nothing
			continue
		}
		found = true
		tok := e.token.Load()
		if tok != 0 && tok&reclaimBit == 0 && live.Alive(live.Token(tok)) {
			return true, true, pos + 1
		}
		end = max(end, from+n)
	}
	return false, found, end
}

// skipDeadWrite turns the slot for pos into a skip if the producer that
// claimed it died before committing. It reports false if a live producer
// may still commit it, and returns where the dead claimer's span ends
// (pos+1 if it has none).
func (q *Queue) skipDeadWrite(pos uint64) (bool, uint64, error) {
	seq := q.seqAt(pos)
	if seq.Load() != pos || q.tail.Load() <= pos {
		return true, pos + 1, nil // committed, or never claimed
	}
	alive, found, end := q.claimants(producers, pos)
	switch {
	case alive:
		return false, pos + 1, nil
	case !found:
		if seq.Load() != pos {
			return true, pos + 1, nil // committed while we looked
		}
		return false, pos + 1, fmt.Errorf("%w: slot for position %d is claimed by no producer", ErrCorrupt, pos)
	}
	if seq.CompareAndSwap(pos, (pos+1)|skipBit) {
		q.recov.skipped.Add(1)
		q.wakeOne(q.consWait, nil)
	}
	return true, end, nil
}

// releaseDeadRead releases the slot for pos if the consumer that took it
// died before releasing it; its message is lost with it. It reports false
// if a live consumer may still release it, and returns where the dead
// taker's span ends (pos+1 if it has none).
func (q *Queue) releaseDeadRead(pos uint64) (bool, uint64, error) {
	seq := q.seqAt(pos)
	s := seq.Load()
	if s&^skipBit != pos+1 || q.head.Load() <= pos {
		return true, pos + 1, nil // released, or never taken
	}
	alive, found, end := q.claimants(consumers, pos)
	switch {
	case alive:
		return false, pos + 1, nil
	case !found:
		if seq.Load() != s {
			return true, pos + 1, nil
		}
		return false, pos + 1, fmt.Errorf("%w: slot for position %d is held by no consumer", ErrCorrupt, pos)
	}
	if seq.CompareAndSwap(s, pos+q.geo.slots) {
		if s&skipBit == 0 {
			q.recov.dropped.Add(1)
		}
		q.wakeOne(q.prodWait, nil)
	}
	return true, end, nil
}

// settleAt settles a dead peer's claim that keeps the slot for position
// x (the tail, or the head) from moving: a dead producer's claim on x
// itself, or a dead producer's or consumer's claim on the previous lap's
// use of the slot.
//
// A dead peer's span is settled whole, not a slot per stuck wait: the
// waiting peers would otherwise stall for 2ms on each of its slots.
func (q *Queue) settleAt(x uint64) error {
	s := q.seqAt(x).Load()
	var err error
	var pos uint64
	settle := q.skipDeadWrite
	switch {
	case s == x:
		pos = x
	case x >= q.geo.slots && s == x-q.geo.slots:
		pos = x - q.geo.slots
	case x >= q.geo.slots && s&^skipBit == x-q.geo.slots+1:
		pos, settle = x-q.geo.slots, q.releaseDeadRead
	default:
		return nil
	}
	_, end, err := settle(pos)
	for p := pos + 1; err == nil && p < end; p++ {
		_, _, err = settle(p)
	}
	return err
}

// stuckWatch notices a position that does not move, so that a peer looks
// for a dead claim holding it up once it has been stuck for a while (2ms,
// then doubling to 50ms), however its waits end: wake-ups for later slots
// must not keep it from looking.
type stuckWatch struct {
	pos   uint64
	since time.Time
	every time.Duration
}

// due reports whether pos has been stuck long enough to look again. The
// first call at a new pos reads no clock, as most positions move on
// before the next: the time stuck is counted from the second.
func (w *stuckWatch) due(pos uint64) bool {
	if pos != w.pos {
		w.pos, w.since = pos, time.Time{}
		return false
	}
	now := time.Now()
	if w.since.IsZero() {
		w.since, w.every = now, spin.RecheckMin
		return false
	}
	if now.Sub(w.since) < w.every {
		return false
	}
	w.since, w.every = now, min(2*w.every, spin.RecheckMax)
	return true
}
