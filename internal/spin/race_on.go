//go:build race

package spin

// RaceEnabled: the race detector sees only atomic operations as
// synchronization, so positions are published with atomic stores.
const RaceEnabled = true
