package stress

import (
	"context"
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/failpoint"
)

var arrayKind = kind{
	create: func(name string, _ int) error {
		a, err := array.Create[uint64](name, arrayLen, nil)
		if err == nil {
			err = a.Close()
		}
		return err
	},
	work:       arrayWork,
	failpoints: []string{"futex/mutex/acquired", "futex/mutex/release", "stress/array/inside"},
	final:      arrayFinal,
}

// The array kind: a compound update under the array's lock. Every worker
// locks it, checks that all elements are equal, and sets them all to a new
// number; a worker killed half-way leaves them unequal, which the next
// locker must be told of (ErrOwnerDead) and repairs.
const arrayLen = 64

func lockArray(ctx context.Context, a *array.Array[uint64], r *reporter) error {
	err := a.Mutex().LockContext(ctx)
	if errors.Is(err, futex.ErrOwnerDead) {
		if r != nil {
			r.recovery()
		}
		s := a.Slice()
		for i := range s {
			s[i] = s[0]
		}
		return a.Mutex().MarkConsistent()
	}
	return err
}

func unequal(s []uint64) bool {
	for _, x := range s {
		if x != s[0] {
			return true
		}
	}
	return false
}

func arrayWork(ctx context.Context, name string, id int, r *reporter) error {
	a, err := array.Open[uint64](name, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	s := a.Slice()
	for n := uint64(1); ctx.Err() == nil; n++ {
		if err := lockArray(ctx, a, r); err != nil {
			if ctx.Err() != nil {
				break
			}
			r.violation("lock: %v", err)
			return err
		}
		if unequal(s) {
			r.violation("the lock was handed over with unequal elements %d and %d", s[0], s[len(s)-1])
		}
		v := uint64(id)<<40 | n
		for i := range s {
			s[i] = v
			if i == len(s)/2 {
				failpoint.Inject("stress/array/inside") // dying here leaves half the elements new
			}
		}
		if err := a.Mutex().Unlock(); err != nil {
			r.violation("unlock: %v", err)
			return err
		}
		r.op()
	}
	return ctx.Err()
}

func arrayFinal(name string, _ totals) ([]string, int64) {
	a, err := array.Open[uint64](name, nil)
	if err != nil {
		return []string{err.Error()}, 0
	}
	defer a.Close()
	if err := lockArray(context.Background(), a, nil); err != nil {
		return []string{"final lock: " + err.Error()}, 0
	}
	defer a.Mutex().Unlock()
	if s := a.Slice(); unequal(s) {
		return []string{fmt.Sprintf("final elements unequal: %d and %d", s[0], s[len(s)-1])}, 0
	}
	return nil, 0
}
