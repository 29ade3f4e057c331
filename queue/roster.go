package queue

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/shmkit/shmkit/internal/live"
)

// The producers' roster: who is attached, as the end of the queue needs to
// know it. ended looks at the producer entries one at a time, so a
// producer that joins an entry already looked at, while the last other
// one leaves an entry not yet looked at, would go unseen, and a queue
// with a producer attached at every moment (one handing over to the
// next) would seem to end. So a producer joins under the roster lock,
// which counts every join in rosterGen before it lets go, and ended
// trusts only a look during which the lock stayed free and rosterGen
// still: a producer attached at the end of such a look either joined
// before it (and its entry showed it throughout) or held the lock, or
// bumped rosterGen, during it. Leaving needs no lock: a look that misses
// a producer that left is right. The lock holds its owner's liveness
// token, so a holder that died is passed over (counted as a join).

// rosterWait bounds how long a producer waits for the roster lock while
// it does not move: a join holds it for microseconds, or up to some 100ms
// while it settles a dead entry's claim, so a live holder that keeps it
// this long is stopped, or scribbled in by a hostile peer.
const rosterWait = time.Second

// lockRoster takes the roster lock for this process, whose token it
// returns for unlockRoster.
func (q *Queue) lockRoster() (live.Token, error) {
	me, err := live.Self()
	if err != nil {
		return 0, err
	}
	r := q.recov
	start := time.Now()
	var seen, seenGen uint64 // the holder waited for, and the count then
	for i := 0; ; i++ {
		o := r.rosterOwner.Load()
		switch {
		case q.gate.Closed():
			return 0, os.ErrClosed
		case o == 0:
			if r.rosterOwner.CompareAndSwap(0, uint64(me)) {
				return me, nil
			}
			continue
		case !live.Alive(live.Token(o)):
			q.passDeadRoster(o)
			continue
		case o != seen || r.rosterGen.Load() != seenGen: // the lock moved: wait afresh
			seen, seenGen, start = o, r.rosterGen.Load(), time.Now()
		case time.Since(start) > rosterWait:
			return 0, fmt.Errorf("%w: the producers' roster lock has been held by %#x for over %v", ErrBusy, o, rosterWait)
		}
		if i < 100 {
			runtime.Gosched()
		} else {
			time.Sleep(50 * time.Microsecond)
		}
	}
}

// unlockRoster counts the join, then lets go, unless another took the
// lock meanwhile, taking holder me for dead.
func (q *Queue) unlockRoster(me live.Token) {
	q.recov.rosterGen.Add(1)
	q.recov.rosterOwner.CompareAndSwap(uint64(me), 0)
}

// passDeadRoster frees the roster lock of dead holder o, counting its
// join, which may have happened.
func (q *Queue) passDeadRoster(o uint64) {
	q.recov.rosterGen.Add(1)
	q.recov.rosterOwner.CompareAndSwap(o, 0)
}

// rosterBefore is what ended calls before it looks at the producers: it
// returns the join count, and whether no join is under way (one whose
// holder died is passed over, and counts as under way).
func (q *Queue) rosterBefore() (uint64, bool) {
	g := q.recov.rosterGen.Load()
	return g, q.rosterFree()
}

// rosterAfter reports whether, after the look, no join is under way and
// none was done since rosterBefore returned gen. The lock is loaded
// before the count: a join that took an entry during the look and let go
// before this load counted itself first, so the count then shows it; one
// that has not let go shows in the lock.
func (q *Queue) rosterAfter(gen uint64) bool {
	return q.rosterFree() && q.recov.rosterGen.Load() == gen
}

// rosterFree reports whether nobody holds the roster lock, passing over a
// dead holder (which counts as held this time).
func (q *Queue) rosterFree() bool {
	o := q.recov.rosterOwner.Load()
	if o != 0 && !live.Alive(live.Token(o)) {
		q.passDeadRoster(o)
	}
	return o == 0
}
