//go:build race

package ringbuf

// raceEnabled: the race detector sees only atomic operations as
// synchronization, so positions are published with atomic stores.
const raceEnabled = true
