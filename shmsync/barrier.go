package shmsync

import (
	"context"
	"fmt"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/named"
	"github.com/shmkit/shmkit/shm"
)

// BarrierConfig describes a new barrier.
type BarrierConfig struct {
	Parties int // how many parties each generation waits for, at least 1
}

func (c BarrierConfig) init(b *futex.Barrier) error { return b.Init(c.Parties) }

// Barrier is a futex.Barrier in a segment of its own, Python's
// multiprocessing.Barrier. Its methods are safe for concurrent use.
type Barrier struct{ o *named.Object[futex.Barrier] }

// CreateBarrier makes a segment called name holding a barrier for
// cfg.Parties parties.
func CreateBarrier(name string, cfg BarrierConfig, opts *shm.Options) (*Barrier, error) {
	o, err := named.Create(name, cfg.init, opts)
	return wrap(o, err, func(o *named.Object[futex.Barrier]) *Barrier { return &Barrier{o} })
}

// OpenBarrier opens the barrier segment called name.
func OpenBarrier(name string, opts *shm.Options) (*Barrier, error) {
	o, err := named.Open[futex.Barrier](name, opts)
	return wrap(o, err, func(o *named.Object[futex.Barrier]) *Barrier { return &Barrier{o} })
}

// OpenOrCreateBarrier opens the barrier segment called name, or creates
// it for cfg.Parties parties if it does not exist; created reports which.
// An existing barrier for another number of parties fails with
// shm.ErrIncompatible.
func OpenOrCreateBarrier(name string, cfg BarrierConfig, opts *shm.Options) (b *Barrier, created bool, err error) {
	o, created, err := named.OpenOrCreate(name, cfg.init, opts)
	b, err = wrap(o, err, func(o *named.Object[futex.Barrier]) *Barrier { return &Barrier{o} })
	if err == nil && b.Parties() != cfg.Parties {
		n := b.Parties()
		b.Close()
		return nil, false, fmt.Errorf("shmsync: open %s: %w: a barrier for %d parties, want %d", name, shm.ErrIncompatible, n, cfg.Parties)
	}
	return b, created, err
}

// Wait waits for the generation's other parties; see futex.Barrier.Wait.
// It returns os.ErrClosed if the Barrier is closed meanwhile (which, like
// any waiter leaving, breaks the generation for the others).
func (b *Barrier) Wait(ctx context.Context) (int, error) {
	var i int
	err := b.o.Wait(ctx, func(ctx context.Context, br *futex.Barrier) (err error) { i, err = br.Wait(ctx); return err })
	return i, err
}

// Abort breaks the barrier: every waiter gets futex.ErrBrokenBarrier.
func (b *Barrier) Abort() error {
	return b.o.Do(func(br *futex.Barrier) error { br.Abort(); return nil })
}

// Reset repairs a broken barrier and forgets its members.
func (b *Barrier) Reset() error {
	return b.o.Do(func(br *futex.Barrier) error { br.Reset(); return nil })
}

// Parties returns how many parties a generation waits for (0 after Close).
func (b *Barrier) Parties() int { return state(b.o, (*futex.Barrier).Parties) }

// State returns a snapshot of the barrier, or the zero state after Close.
func (b *Barrier) State() futex.BarrierState { return state(b.o, (*futex.Barrier).State) }

// Segment returns the segment that holds the barrier.
func (b *Barrier) Segment() *shm.Segment { return b.o.Segment() }

// Close wakes this process's goroutines in Wait (they return
// os.ErrClosed), waits for the ones inside, and unmaps the barrier. It is
// idempotent.
func (b *Barrier) Close() error { return b.o.Close() }
