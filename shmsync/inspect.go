package shmsync

import (
	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/named"
	"github.com/shmkit/shmkit/shm"
)

// Inspectors returns the shm.Inspector of each kind this package makes:
// "mutex" and "cond" (a futex.MutexState), "event" (a futex.EventState)
// and "barrier" (a futex.BarrierState). They read segments made with
// shm.CreateObject of the futex types too.
func Inspectors() []shm.Inspector {
	return []shm.Inspector{
		inspector[futex.Mutex, futex.MutexState]{(*futex.Mutex).State},
		inspector[futex.Event, futex.EventState]{(*futex.Event).State},
		inspector[futex.Barrier, futex.BarrierState]{(*futex.Barrier).State},
		inspector[condPair, futex.MutexState]{func(p *condPair) futex.MutexState { return p.Mu.State() }},
	}
}

type inspector[T, S any] struct{ state func(*T) S }

func (i inspector[T, S]) Kind() string {
	if k, ok := any((*T)(nil)).(shm.Kinder); ok {
		return k.ShmKind()
	}
	return "object"
}

func (i inspector[T, S]) Inspect(seg *shm.Segment) (any, error) { return named.Inspect(seg, i.state) }
