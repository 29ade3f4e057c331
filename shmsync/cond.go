package shmsync

import (
	"context"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/named"
	"github.com/shmkit/shmkit/shm"
)

// condPair is what a cond segment holds: the condition and its mutex.
type condPair struct {
	Mu   futex.Mutex
	Cond futex.Cond
}

// ShmKind names the kind of a segment that holds a Cond.
func (*condPair) ShmKind() string { return CondKind }

// CondKind is the segment kind of a Cond.
const CondKind = "cond"

// Cond is a futex.Cond and the futex.Mutex it is used with, in a segment
// of their own: Python's multiprocessing.Condition. Its methods are safe
// for concurrent use.
//
//	c.Lock()
//	for !ready() {
//		if err := c.Wait(ctx); err != nil { ... }
//	}
//	c.Unlock()
type Cond struct{ o *named.Object[condPair] }

// CreateCond makes a segment called name holding a condition and its
// unlocked mutex.
func CreateCond(name string, opts *shm.Options) (*Cond, error) {
	o, err := named.Create[condPair](name, nil, opts)
	return wrap(o, err, func(o *named.Object[condPair]) *Cond { return &Cond{o} })
}

// OpenCond opens the cond segment called name.
func OpenCond(name string, opts *shm.Options) (*Cond, error) {
	o, err := named.Open[condPair](name, opts)
	return wrap(o, err, func(o *named.Object[condPair]) *Cond { return &Cond{o} })
}

// OpenOrCreateCond opens the cond segment called name, or creates it if it
// does not exist; created reports which.
func OpenOrCreateCond(name string, opts *shm.Options) (c *Cond, created bool, err error) {
	o, created, err := named.OpenOrCreate[condPair](name, nil, opts)
	c, err = wrap(o, err, func(o *named.Object[condPair]) *Cond { return &Cond{o} })
	return c, created, err
}

// Lock locks the condition's mutex; see Mutex.Lock.
func (c *Cond) Lock() error { return c.LockContext(context.Background()) }

// LockContext is Lock that gives up when ctx is done or c is closed.
func (c *Cond) LockContext(ctx context.Context) error {
	return c.o.Wait(ctx, func(ctx context.Context, p *condPair) error {
		if ok, err := p.Mu.TryLock(); ok || err != nil {
			return err
		}
		return p.Mu.LockContext(ctx)
	})
}

// Unlock unlocks the condition's mutex.
func (c *Cond) Unlock() error { return c.o.Do(func(p *condPair) error { return p.Mu.Unlock() }) }

// MarkConsistent declares the guarded data repaired after
// futex.ErrOwnerDead.
func (c *Cond) MarkConsistent() error {
	return c.o.Do(func(p *condPair) error { return p.Mu.MarkConsistent() })
}

// Wait unlocks the mutex, which the caller holds, waits for a Signal or
// Broadcast, and locks it again; see futex.Cond.Wait. When ctx is done it
// still relocks and returns ctx.Err(). When c is closed it returns
// os.ErrClosed, without the mutex if it could not be had at once.
func (c *Cond) Wait(ctx context.Context) error {
	closing := c.o.Closing()
	return c.o.Wait(ctx, func(ctx context.Context, p *condPair) error {
		return p.Cond.WaitRelock(ctx, &p.Mu, closing)
	})
}

// Signal wakes one waiter, in any process.
func (c *Cond) Signal() error { return c.o.Do(func(p *condPair) error { p.Cond.Signal(); return nil }) }

// Broadcast wakes every waiter, in every process.
func (c *Cond) Broadcast() error {
	return c.o.Do(func(p *condPair) error { p.Cond.Broadcast(); return nil })
}

// State returns a snapshot of the condition's mutex.
func (c *Cond) State() futex.MutexState {
	return state(c.o, func(p *condPair) futex.MutexState { return p.Mu.State() })
}

// Segment returns the segment that holds the condition.
func (c *Cond) Segment() *shm.Segment { return c.o.Segment() }

// Close wakes this process's goroutines in Lock or Wait (they return
// os.ErrClosed), waits for the ones inside, and unmaps the condition. It
// is idempotent.
func (c *Cond) Close() error { return c.o.Close() }
