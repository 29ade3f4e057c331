package semaphore

import (
	"context"

	"github.com/shmkit/shmkit/internal/named"
	"github.com/shmkit/shmkit/shm"
)

// Config describes a new semaphore.
type Config struct {
	Value   int64 // initial permits
	Max     int64 // bound; 0 for none
	Tracked bool  // record holders, so that a dead holder's permits return
}

func (c Config) init(s *Semaphore) error { return s.Init(c.Value, c.Max, c.Tracked) }

// Named is a Semaphore in a segment of its own, found by name: what
// Create, Open and OpenOrCreate return. Its methods are those of
// Semaphore, and are safe for concurrent use.
//
// Close wakes this process's goroutines waiting in Acquire (they return
// os.ErrClosed), waits until none is inside the mapping, and unmaps it.
// Every method returns os.ErrClosed (TryAcquire false) after Close.
type Named struct{ o *named.Object[Semaphore] }

// Create makes a segment called name holding one Semaphore configured by
// cfg. The semaphore lives on after Close, until the segment is removed
// (shm.Remove).
func Create(name string, cfg Config, opts *shm.Options) (*Named, error) {
	o, err := named.Create(name, cfg.init, opts)
	if err != nil {
		return nil, err
	}
	return &Named{o}, nil
}

// Open opens the semaphore segment called name.
func Open(name string, opts *shm.Options) (*Named, error) {
	o, err := named.Open[Semaphore](name, opts)
	if err != nil {
		return nil, err
	}
	return &Named{o}, nil
}

// OpenOrCreate opens the semaphore segment called name, or creates it
// configured by cfg if it does not exist; created reports which. An
// existing semaphore keeps its own configuration.
func OpenOrCreate(name string, cfg Config, opts *shm.Options) (s *Named, created bool, err error) {
	o, created, err := named.OpenOrCreate(name, cfg.init, opts)
	if err != nil {
		return nil, false, err
	}
	return &Named{o}, created, nil
}

// Acquire takes n permits, waiting until they are available, ctx is done
// (ctx.Err()) or s is closed (os.ErrClosed). On failure it takes none.
func (s *Named) Acquire(ctx context.Context, n int64) error {
	return s.o.Wait(ctx, func(ctx context.Context, sem *Semaphore) error { return sem.Acquire(ctx, n) })
}

// TryAcquire takes n permits if they are available now; see
// Semaphore.TryAcquire.
func (s *Named) TryAcquire(n int64) bool {
	ok := false
	_ = s.o.Do(func(sem *Semaphore) error { ok = sem.TryAcquire(n); return nil })
	return ok
}

// Release returns n permits; see Semaphore.Release.
func (s *Named) Release(n int64) error {
	return s.o.Do(func(sem *Semaphore) error { return sem.Release(n) })
}

// Reclaim returns dead holders' permits; see Semaphore.Reclaim.
func (s *Named) Reclaim() int64 {
	var n int64
	_ = s.o.Do(func(sem *Semaphore) error { n = sem.Reclaim(); return nil })
	return n
}

// State returns a snapshot of the semaphore, or the zero State after
// Close.
func (s *Named) State() State {
	var st State
	_ = s.o.Do(func(sem *Semaphore) error { st = sem.State(); return nil })
	return st
}

// Segment returns the segment that holds the semaphore.
func (s *Named) Segment() *shm.Segment { return s.o.Segment() }

// Close wakes this process's waiters, waits for the goroutines inside and
// unmaps the semaphore. It does not remove the segment. It is idempotent.
func (s *Named) Close() error { return s.o.Close() }

// Inspect returns the state of the semaphore in seg, a semaphore segment
// opened by shm.Open, read-only or not: for observers such as shmtool.
func Inspect(seg *shm.Segment) (State, error) {
	return named.Inspect(seg, (*Semaphore).State)
}

// Inspector returns the semaphore kind's shm.Inspector, whose Inspect
// returns a State.
func Inspector() shm.Inspector { return inspector{} }

type inspector struct{}

func (inspector) Kind() string                          { return (*Semaphore).ShmKind(nil) }
func (inspector) Inspect(seg *shm.Segment) (any, error) { return Inspect(seg) }
