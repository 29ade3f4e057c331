package spin

import (
	"fmt"
	"time"
)

// Wait is how a side of a ring or queue waits for the other: for data (a
// consumer) or for room (a producer). ringbuf and queue re-export it.
type Wait int

const (
	// Adaptive spins for up to AdaptiveSpin, then parks on a futex. The
	// default.
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

// MaxPause is the most PAUSE instructions a spinning side executes
// between looks at the other side: it starts at one and doubles. One
// PAUSE is 10 to 40ns on current x86 (about 20ns on this project's test
// machine). A larger cap pulls the other side's line less often, but
// every look that comes late is latency, and a consumer that looks late
// lets the producer's lines go cold: on the test machine 2 gave 2-3x the
// ring's spin throughput of 8 and a third off its round trip.
const MaxPause = 2

const (
	// AdaptiveSpin is how long Adaptive spins before it parks.
	AdaptiveSpin = 20 * time.Microsecond
	// RecheckMin and RecheckMax bound how long a parked side sleeps
	// before it looks again for itself (a dead peer, a missed wake-up):
	// the first recheck comes after RecheckMin, each later one twice as
	// late, up to RecheckMax.
	RecheckMin = 2 * time.Millisecond
	RecheckMax = 50 * time.Millisecond
)
