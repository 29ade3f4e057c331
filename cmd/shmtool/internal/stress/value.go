package stress

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/value"
)

var valueKind = kind{
	create: func(name string, _ int) error {
		v, err := value.Create(name, wide{}, nil)
		if err == nil {
			v.Close()
		}
		return err
	},
	work:       valueWork,
	failpoints: []string{"value/store/half", "futex/mutex/acquired", "futex/mutex/release"},
	final:      valueFinal,
}

// wide is the value kind's value: eight words a writer keeps equal,
// so that a torn read shows.
type wide struct{ W [8]uint64 }

func (w wide) torn() bool {
	for _, x := range w.W {
		if x != w.W[0] {
			return true
		}
	}
	return false
}

func valueWork(ctx context.Context, name string, id int, r *reporter) error {
	v, err := value.Open[wide](name, nil)
	if err != nil {
		return err
	}
	defer v.Close()
	rng := rand.New(rand.NewPCG(uint64(id), 7))
	for n := uint64(1); ctx.Err() == nil; n++ {
		if rng.IntN(4) == 0 {
			var w wide
			for i := range w.W {
				w.W[i] = uint64(id)<<40 | n
			}
			if err := v.Store(w); err != nil && !errors.Is(err, futex.ErrOwnerDead) {
				r.violation("store: %v", err)
				return err
			}
			r.op()
			continue
		}
		w, err := v.Load()
		switch {
		case errors.Is(err, value.ErrCorrupt): // a writer died mid-write: reported, then repaired
			r.recovery()
			if err := v.Store(wide{}); err != nil {
				r.violation("repairing store: %v", err)
				return err
			}
		case err != nil:
			r.violation("load: %v", err)
			return err
		case w.torn():
			r.violation("torn value %v", w.W)
		}
		r.op()
	}
	return ctx.Err()
}

func valueFinal(name string, _ totals) ([]string, int64) {
	v, err := value.Open[wide](name, nil)
	if err != nil {
		return []string{err.Error()}, 0
	}
	defer v.Close()
	w, err := v.Load()
	if errors.Is(err, value.ErrCorrupt) { // the last writer died mid-write: a store repairs it
		if err = v.Store(wide{}); err == nil {
			w, err = v.Load()
		}
	}
	switch {
	case err != nil:
		return []string{"final load: " + err.Error()}, 0
	case w.torn():
		return []string{fmt.Sprintf("final value torn: %v", w.W)}, 0
	}
	return nil, 0
}
