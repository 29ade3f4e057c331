package semaphore

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/shm"
)

// Config describes a new semaphore.
type Config struct {
	Value   int64 // initial permits
	Max     int64 // bound; 0 for none
	Tracked bool  // record holders, so that a dead holder's permits return
}

// Create makes a segment called name holding one Semaphore configured by
// cfg. Close the returned object when done; the semaphore lives on until
// the segment is removed (shm.Remove).
func Create(name string, cfg Config, opts *shm.Options) (*shm.Object[Semaphore], error) {
	return shm.CreateObject(name, func(s *Semaphore) error { return s.Init(cfg.Value, cfg.Max, cfg.Tracked) }, opts)
}

// Open opens the semaphore segment called name.
func Open(name string, opts *shm.Options) (*shm.Object[Semaphore], error) {
	return shm.OpenObject[Semaphore](name, opts)
}

// waitSeq parks on *addr == val until a wake-up, ctx is done (ctx.Err()) or
// until passes (os.ErrDeadlineExceeded; zero means no such deadline).
func waitSeq(ctx context.Context, addr *atomic.Uint32, val uint32, until time.Time) error {
	if until.IsZero() {
		return futex.WaitContext(ctx, addr, val)
	}
	wctx, cancel := context.WithDeadline(ctx, until)
	err := futex.WaitContext(wctx, addr, val)
	cancel()
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return os.ErrDeadlineExceeded
	}
	return err
}
