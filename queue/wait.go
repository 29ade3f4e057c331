package queue

import "github.com/shmkit/shmkit/internal/spin"

// Wait is how a producer waits for room and a consumer for data: the
// same strategies as ringbuf.Wait.
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
