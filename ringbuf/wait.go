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
	"github.com/shmkit/shmkit/internal/live"
)

// Wait is how a side waits for the other: for data (consumer) or for room
// (producer).
type Wait int

const (
	// Adaptive spins for up to 20µs, then parks on a futex. The default.
	Adaptive Wait = iota
	// Spin busy-waits: the lowest latency, a whole core while waiting.
	Spin
	// Yield calls runtime.Gosched between checks.
	Yield
	// Block parks on a futex at once.
	Block
)

func (w Wait) String() string {
	switch w {
	case Adaptive:
		return "adaptive"
	case Spin:
		return "spin"
	case Yield:
		return "yield"
	case Block:
		return "block"
	}
	return fmt.Sprintf("Wait(%d)", int(w))
}

// ErrPeerDead is returned when the other side's process died while this one
// waited for it. It wraps io.ErrUnexpectedEOF.
var ErrPeerDead = fmt.Errorf("ringbuf: peer process died: %w", io.ErrUnexpectedEOF)

const (
	adaptiveSpin = 20 * time.Microsecond
	recheckMin   = 2 * time.Millisecond
	recheckMax   = 50 * time.Millisecond
)

// waitFor waits until other.pos differs from seen, done reports true (nil
// means never), ctx ends, or the peer's process is found dead. me is the
// waiting side: it announces itself parked there, so that the other side
// knows to wake it.
func waitFor(ctx context.Context, w Wait, me, other *side, myFlags *flags, seen uint64, done func() bool) error {
	stop := func() bool { return other.pos.Load() != seen || done != nil && done() }
	if w != Block {
		start := time.Now()
		for i := 0; ; i++ {
			if stop() {
				return nil
			}
			if i%256 != 255 {
				if w == Yield {
					runtime.Gosched()
				}
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if w == Adaptive && time.Since(start) > adaptiveSpin {
				break
			}
			if w != Adaptive && peerDead(other) {
				return ErrPeerDead
			}
		}
	}
	me.waits.Store(me.waits.Load() + 1) // only the owner writes its counters
	recheck := recheckMin
	for {
		// Announce, then look again: the other side stores its position,
		// then loads our flag. Both are sequentially consistent, so either
		// we see its new position or it sees us parked and wakes us.
		myFlags.parked.Store(1)
		p := other.pos.Load()
		if p != seen || done != nil && done() {
			myFlags.parked.Store(0)
			return nil
		}
		err := futex.WaitContextUntil(ctx, lowWord(&other.pos), uint32(p), time.Now().Add(recheck))
		myFlags.parked.Store(0)
		switch {
		case err == nil:
			if stop() {
				return nil
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
			if peerDead(other) {
				return ErrPeerDead
			}
			recheck = min(2*recheck, recheckMax)
		default:
			return err
		}
	}
}

// peerDead reports whether the process that owns s has died, and if so
// frees the role: the death is reported once, and a new process may then
// attach. A side with no owner is not dead: its process may not have
// attached yet.
func peerDead(s *side) bool {
	t := live.Token(s.owner.Load())
	if t == 0 || live.Alive(t) {
		return false
	}
	s.owner.CompareAndSwap(uint64(t), 0)
	return true
}

// wake wakes the other side if it announced itself parked on mine, and
// counts the wake-up in t. Called after my position was stored.
func wake(mine *side, otherFlags *flags, t *tally) {
	if otherFlags.parked.Load() == 1 {
		_, _ = futex.Wake(lowWord(&mine.pos), 1)
		t.wakeups++
	}
}

// lowWord is the futex word of a position: its low 32 bits.
func lowWord(p *atomic.Uint64) *atomic.Uint32 { return lowHalf(p) }
