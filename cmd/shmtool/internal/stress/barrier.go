package stress

import (
	"context"
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/shm"
)

var barrierKind = kind{
	create:     barrierCreate,
	work:       barrierWork,
	failpoints: []string{"futex/barrier/arrived", "futex/barrier/release", "futex/mutex/acquired"},
}

// sharedBarrier is the barrier kind's object: a barrier of one party per
// worker, and a lock under which a worker that finds it broken resets it.
// A killed worker breaks it; the survivors reset it, and its replacement
// takes its place.
type sharedBarrier struct {
	B   futex.Barrier
	Fix futex.Mutex
}

func barrierCreate(name string, procs int) error {
	if procs > futex.MaxMembers {
		return fmt.Errorf("%w: the barrier kind watches at most %d parties; want at most %d procs", ErrInvalidConfig, futex.MaxMembers, futex.MaxMembers)
	}
	obj, err := shm.CreateObject(name, func(b *sharedBarrier) error { return b.B.Init(procs) }, nil)
	if err != nil {
		return err
	}
	return obj.Close()
}

func barrierWork(ctx context.Context, name string, _ int, r *reporter) error {
	obj, err := shm.OpenObject[sharedBarrier](name, nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	b := obj.Get()
	parties := b.B.Parties()
	for ctx.Err() == nil {
		i, err := b.B.Wait(ctx)
		switch {
		case err == nil:
			if i < 0 || i >= parties {
				r.violation("arrival index %d of %d parties", i, parties)
			}
			r.op()
		case ctx.Err() != nil:
		case errors.Is(err, futex.ErrBrokenBarrier):
			if err := resetBroken(ctx, b, r); err != nil && ctx.Err() == nil {
				return err
			}
		default:
			r.violation("wait: %v", err)
			return err
		}
	}
	return ctx.Err()
}

// resetBroken resets b's barrier if it is still broken: the first of the
// parties that found it broken does, the others find it whole.
func resetBroken(ctx context.Context, b *sharedBarrier, r *reporter) error {
	err := b.Fix.LockContext(ctx)
	if errors.Is(err, futex.ErrOwnerDead) {
		err = b.Fix.MarkConsistent() // nothing to repair: Reset is idempotent
	}
	if err != nil {
		return err
	}
	if b.B.State().Broken {
		b.B.Reset()
		r.recovery()
	}
	return b.Fix.Unlock()
}
