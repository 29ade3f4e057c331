package queue

import "errors"

// attached is what a Producer and a Consumer share: the queue, this
// process's entry in its side's table, how it waits, and the counts it
// has not yet published. The handle holds the queue's mapping (gate.Hold)
// from attach to detach.
type attached struct {
	q     *Queue
	me    *peer
	idx   int       // me's index in its table, and its parked bit
	ctr   *counters // its side's
	side  queueSide
	wait  Wait
	tally tally
	stuck stuckWatch
	// counted: in side's waitLine.count (relax.go), a producer that
	// commits plainly or a consumer that asks for fences.
	counted bool
}

// attach takes an entry of side s's table for a new handle.
func (q *Queue) attach(s queueSide) (attached, error) {
	if err := q.gate.Hold(); err != nil {
		return attached{}, err
	}
	if s == consumers {
		e, i, err := q.join(s)
		if err != nil {
			q.gate.Unhold()
			return attached{}, err
		}
		return attached{q: q, me: e, idx: i, ctr: q.consumed, side: s}, nil
	}
	e, i, err := q.joinProducer()
	if err != nil {
		q.gate.Unhold()
		return attached{}, err
	}
	return attached{q: q, me: e, idx: i, ctr: q.produced, side: s}, nil
}

// joinProducer joins the producer table under the roster lock (see
// roster.go). It is inside the gate throughout, so that a Close of q
// waits for it rather than retiring the mapping under it, which would
// leave the shared lock held by this live process.
func (q *Queue) joinProducer() (*peer, int, error) {
	if err := q.gate.Enter(); err != nil {
		return nil, 0, err
	}
	defer q.gate.Leave()
	me, err := q.lockRoster()
	if err != nil {
		return nil, 0, err
	}
	defer q.unlockRoster(me)
	e, i, err := q.join(producers)
	if err == nil {
		q.recov.opened.Add(1) // before this producer can write: an end seen later is a new end
	}
	return e, i, err
}

// closed reports whether the handle's own Close, or its Queue's, has
// begun: every call then fails with os.ErrClosed.
func (a *attached) closed() bool { return a.me == nil || a.q.gate.Closed() }

// unclaim clears the entry's claim, if it has one: claim, then span (see
// peer.claimed).
func (a *attached) unclaim() {
	if a.me.claim.Load() != 0 {
		a.me.claim.Store(0)
	}
	if a.me.span.Load() != 0 {
		a.me.span.Store(0)
	}
}

// detach gives the entry back and lets go of the mapping. It is
// idempotent. After the Queue's own Close the entry is retired memory
// (shm.Segment.Retire), so only letting go has an effect.
func (a *attached) detach() error {
	if a.me == nil {
		return nil
	}
	me := a.me
	if err := a.q.seg.Check(); err != nil {
		a.me = nil
		return errors.Join(err, a.q.gate.Unhold()) // truncated: the entry goes with the file
	}
	a.tally.publish(a.ctr)
	a.setCounted(false) // before the entry is free: its flag is ours
	a.me = nil
	detach(me)
	if a.ctr == a.q.produced {
		a.q.consWait.rouse() // consumers parked on an empty queue look for its end
	}
	return a.q.gate.Unhold()
}
