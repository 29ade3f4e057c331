package spin

import "sync/atomic"

// Case is one consumer in a Select over rings and queues: how to tell
// that a read would not block, and how to park on its futex word the way
// its own waits do, so that its producers wake it.
type Case interface {
	// Ready reports whether a read would return at once: a message, the
	// end of the stream, or a closed handle.
	Ready() bool
	// Park announces the consumer parked and returns the word to sleep
	// on and the value to expect, and whether wake-ups may be missed (the
	// caller then sleeps only briefly).
	Park() (word *atomic.Uint32, val uint32, unsure bool)
	// Unpark withdraws the announcement, passing on a wake-up it owes.
	Unpark()
	// Recheck, after a sleep that timed out, looks for what no wake-up
	// announces (a dead producer) and reports whether a read would now
	// return.
	Recheck() bool
}
