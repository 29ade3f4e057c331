package ringbuf

import "github.com/shmkit/shmkit/internal/spin"

// LateWakeups returns how many parks in this process timed out although
// what they waited for had come.
func LateWakeups() int64 { return lateWakeups.Load() }

// RelaxedStores reports whether this process publishes positions with
// plain release stores.
func RelaxedStores() bool { return spin.CanRelax() }

// RaceEnabled reports whether the race detector is on.
const RaceEnabled = spin.RaceEnabled

// ScribblePos stores v in the producer's (or the consumer's) position, as
// a hostile peer would.
func ScribblePos(r *Ring, producer bool, v uint64) {
	if producer {
		r.prod.pos.Store(v)
	} else {
		r.cons.pos.Store(v)
	}
}
