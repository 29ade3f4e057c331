package ringbuf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/gate"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/internal/spin"
	"github.com/shmkit/shmkit/shm"
)

// Wait is how a side waits for the other: for data (consumer) or for room
// (producer). It is the same type as queue.Wait.
type Wait = spin.Wait

const (
	// Adaptive spins for up to 20µs, then parks on a futex. The default.
	Adaptive = spin.Adaptive
	// Spin busy-waits: the lowest latency, a whole core while waiting.
	Spin = spin.Spin
	// Yield calls runtime.Gosched between checks.
	Yield = spin.Yield
	// Block parks on a futex at once.
	Block = spin.Block
)

// ErrPeerDead is returned when the other side's process died while this one
// waited for it. It wraps io.ErrUnexpectedEOF.
var ErrPeerDead = fmt.Errorf("peer process died: %w", io.ErrUnexpectedEOF)

// lateWakeups counts, for tests, the parks that timed out although the
// change they waited for had come: a lost wake-up would show here.
var lateWakeups atomic.Int64

// waitFor waits until ready reports true (spinReady while it spins,
// parkReady once it has parked), ctx ends, or the peer's process is found
// dead. me is the waiting side: it announces itself parked there, with
// want (the consumer position a parked producer waits for), so that the
// other side knows to wake it.
//
// When a park times out or fails, seg (nil for a heap ring) is checked
// before the mapping is touched again: a truncated file returns
// shm.ErrTruncated instead of SIGBUS.
//
// A Close of the ring in this process ends the wait: it returns nil, and
// the caller sees the gate closed.
func waitFor(ctx context.Context, w Wait, g *gate.Gate, seg *shm.Segment, me, other *side, myFlags, otherFlags *flags, want uint64, spinReady, parkReady func() bool) error {
	stop := spinReady
	if w != Block {
		var start time.Time
		b := 1
		for i := 0; ; i++ {
			if stop() {
				return nil
			}
			if i%256 != 255 {
				if w == Yield {
					runtime.Gosched()
				} else {
					spin.Pause(b)
					b = min(2*b, spin.MaxPause)
				}
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if g.Closed() { // looked for now and then only: the spin stays as tight as before
				return nil
			}
			if start.IsZero() {
				start = time.Now() // not earlier: a wait that ends at once costs no clock read
			}
			if w == Adaptive && time.Since(start) > spin.AdaptiveSpin {
				break
			}
			if w != Adaptive {
				if t := deadOwner(other); t != 0 && !stop() && other.owner.CompareAndSwap(uint64(t), 0) {
					return ErrPeerDead
				}
			}
		}
	}
	stop = parkReady
	myFlags.want.Store(want)
	me.waits.Store(me.waits.Load() + 1) // only the owner writes its counters
	recheck := spin.RecheckMin
	for {
		// Read the wake counter, announce, then look again. The other side
		// stores what we wait for (a record header, its position, or
		// closed), then loads our parked flag (and want), and
		// bumps the counter before waking us. Our store is sequentially
		// consistent, and the other side's store is too, or else it is
		// fenced by the barrier (fence.go), so either we see its change
		// here, or it sees us parked and changes the counter, and the
		// futex wait below returns at once if that happened before it
		// began.
		seq := myFlags.wakes.Load()
		myFlags.parked.Store(1)
		wait := recheck
		if otherFlags.relaxed.Load() == 1 && spin.GlobalBarrier() != nil {
			wait = spin.RecheckMin // a wake-up may be missed: look again soon
		}
		if stop() || g.Closed() {
			myFlags.parked.Store(0)
			return nil
		}
		err := futex.WaitContextUntil(ctx, &myFlags.wakes, seq, time.Now().Add(wait))
		if err != nil && ctx.Err() == nil {
			if cerr := seg.Check(); cerr != nil {
				return cerr
			}
		}
		myFlags.parked.Store(0)
		switch {
		case err == nil:
			if stop() {
				return nil
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
			if stop() && deadOwner(other) == 0 {
				lateWakeups.Add(1) // the change came, its wake-up did not (or came just too late)
				return nil
			}
			if t := deadOwner(other); t != 0 {
				// Data or a Close that came just before the death is
				// delivered first; the death is reported at the next wait.
				if stop() {
					return nil
				}
				if other.owner.CompareAndSwap(uint64(t), 0) {
					return ErrPeerDead
				}
			}
			recheck = min(2*recheck, spin.RecheckMax)
		default:
			return err
		}
	}
}

// deadOwner returns the token of s's owner if its process has died, or 0.
// A side with no owner is not dead: its process may not have attached yet.
func deadOwner(s *side) live.Token {
	t := live.Token(s.owner.Load())
	if t == 0 || live.Alive(t) {
		return 0
	}
	return t
}

// wake wakes the other side if it announced itself parked, and counts the
// wake-up in t. Called after what the other side waits for was stored: a
// record header, closed, or (wakeAt) a consumer position. The waker
// clears the flag, so that what it stores next, before the sleeper is up
// again, does not wake it once more: a thread takes microseconds to wake.
func wake(otherFlags *flags, t *tally) {
	if otherFlags.parked.Load() == 1 && otherFlags.parked.CompareAndSwap(1, 0) {
		otherFlags.wakes.Add(1) // changes the word the other side sleeps on
		_, _ = futex.Wake(&otherFlags.wakes, 1)
		t.wakeups++
	}
}

// wakeAt wakes a parked producer if the consumer position pos is where
// it asked to be woken: the consumer's wake after a release.
func wakeAt(prodFlags *flags, pos uint64, t *tally) {
	if prodFlags.parked.Load() == 1 && pos >= prodFlags.want.Load() {
		wake(prodFlags, t)
	}
}
