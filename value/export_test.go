package value

import (
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/futex"
)

// SetLoadBudget makes readers give up on a writer after d instead of
// loadBudget, until the function it returns restores the default. Call it
// while no reader runs.
func SetLoadBudget(d time.Duration) (restore func()) {
	old := loadBudget
	loadBudget = d
	return func() { loadBudget = old }
}

// Control returns v's sequence counter and writers' lock, for tests that
// play a writer by hand.
func Control[T any](v *Value[T]) (*atomic.Uint32, *futex.Mutex) { return &v.ctl.seq, &v.ctl.mu }
