package queue

import (
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/spin"
)

// wakeOne wakes one process parked at ws, if any announced itself, and
// counts the wake-up in t (if not nil). Called after the change it waits
// for was stored.
//
// A woken peer may wait a while for a CPU, its parked bit still set.
// Waking again for every message meanwhile would cost a system call each
// that finds nobody asleep, so a wake sets wokenBit in the futex word and
// later ones leave it at that. Whoever clears the bit (clearWoken) owes
// the wakes skipped meanwhile. docs/models/queuewake.pml checks this.
func (q *Queue) wakeOne(ws *waitLine, t *tally) {
	if !ws.anyParked() {
		return
	}
	v := ws.wakes.Load()
	if v&wokenBit != 0 || !ws.wakes.CompareAndSwap(v, v+1) {
		return // a peer woken before is on its way (or another waker just set the bit)
	}
	// The word changed, so a peer about to sleep on v does not.
	_, _ = futex.Wake(&ws.wakes, 1)
	if t != nil {
		t.wakeups++
	}
}

// wokenBit, in a waitLine's wakes, is set from a wake until a peer clears it:
// the woken one when it runs, or the next to park. Wakes add 1 to an even
// word, and clearing adds 1 more.
const wokenBit = 1

// clearWoken clears wokenBit in ws's word if it is set, and reports whether
// this call did. Then wakes were skipped while it was set, and the caller
// passes one on if the change it waited for is there: it may be more than
// the caller takes.
func clearWoken(ws *waitLine) bool {
	v := ws.wakes.Load()
	return v&wokenBit != 0 && ws.wakes.CompareAndSwap(v, v+1)
}

// firstLook is the spin at which a wait first looks up from isReady: most
// waits in a stream end sooner, and so read no clock, publish no counts
// and do not look for the end of the queue.
const firstLook = 15

// await waits until ready reports true or ctx ends, as a's Wait says, or
// for at most recheck, so that the caller tries again (and looks for dead
// claims). It returns the next recheck. A consumer's wait (ends) also
// returns io.EOF once the queue is at its end. Before a wait that lasts
// a has its counts published.
//
// A Close of q in this process ends the wait with os.ErrClosed.
func (q *Queue) await(ctx context.Context, a *attached, ws *waitLine, isReady func() bool, ends bool, recheck time.Duration) (time.Duration, error) {
	ready := func() bool { return isReady() || q.gate.Closed() }
	next := min(2*recheck, spin.RecheckMax)
	if w := a.wait; w != Block {
		var start time.Time
		backoff := 1
		for i := 0; ; i++ {
			if isReady() { // Close is looked for now and then only: the spin stays tight
				return recheck, nil
			}
			if w == Yield {
				runtime.Gosched()
			} else {
				spin.Pause(backoff)
				backoff = min(2*backoff, spin.MaxPause)
			}
			if i%256 != firstLook {
				continue
			}
			if ends && q.ended() { // before ctx: an ended queue says so first, as a parked wait does
				return recheck, io.EOF
			}
			if err := ctx.Err(); err != nil {
				return recheck, err
			}
			if q.gate.Closed() {
				return recheck, nil
			}
			if start.IsZero() { // a long wait: from here on it is timed
				a.tally.publish(a.ctr)
				start = time.Now()
				continue
			}
			elapsed := time.Since(start)
			if w == Adaptive && elapsed > spin.AdaptiveSpin {
				break
			}
			if w != Adaptive && elapsed > recheck {
				return next, nil
			}
		}
	}
	a.tally.publish(a.ctr)
	// Load the futex word, announce, then look again: a peer that makes
	// us ready stores its change and then loads the parked bits, so
	// either we see the change here or it sees us and bumps the word we
	// sleep on. (Or is a locked instruction, a full fence on amd64 and
	// sequentially consistent in Go's model. A relaxed producer's plain
	// commit is ordered before its load by the barrier fenceParked runs.)
	// Never sleep on a word with wokenBit set: the wake that set it may
	// have found nobody asleep, and nobody else would clear it.
	seq := ws.wakes.Load()
	owed := false
	for seq&wokenBit != 0 {
		owed = clearWoken(ws) || owed
		seq = ws.wakes.Load()
	}
	// The end is looked for after the word is loaded: the last producer's
	// detach bumps it after its entry is cleared, so an end that comes
	// later ends the sleep at once.
	if ends && q.ended() {
		if owed {
			q.wakeOne(ws, nil)
		}
		return recheck, io.EOF
	}
	a.ctr.waits.Add(1)
	ws.park(a.idx)
	failpoint.Inject("queue/parked") // dying here leaves our bit set until the entry is reused
	sleep := recheck
	if ws == q.consWait && q.fenceParked() {
		sleep = spin.RecheckMin // a wake-up may be missed: look again soon
	}
	if ready() {
		ws.unpark(a.idx)
		if owed {
			q.wakeOne(ws, nil)
		}
		return recheck, nil
	}
	err := futex.WaitContextUntil(ctx, &ws.wakes, seq, time.Now().Add(sleep))
	if err != nil && ctx.Err() == nil {
		// Before the mapping is touched again: a truncated file would
		// raise SIGBUS.
		if cerr := q.seg.Check(); cerr != nil {
			return recheck, cerr
		}
	}
	ws.unpark(a.idx) // first, so that a wake passed on is not for us
	if clearWoken(ws) {
		q.passOn(ws, ready)
	}
	switch {
	case err == nil:
		return recheck, nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		if ready() {
			lateWakeups.Add(1) // what it waited for came, its wake-up did not (or just too late)
		}
		return next, nil
	}
	return recheck, err
}

// lateWakeups counts, for tests, the parks that timed out although what
// they waited for was there: a lost wake-up, or one that came too late.
var lateWakeups atomic.Int64
