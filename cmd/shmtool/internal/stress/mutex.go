package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

func init() {
	stressKinds["mutex"] = stressKind{
		create:     func(name string, _ int) error { return createAndClose[stressMutex](name) },
		work:       stressMutexWork,
		failpoints: []string{"futex/mutex/acquired", "futex/mutex/release", "stress/mutex/inside"},
		final:      stressMutexFinal,
	}
	stressKinds["value"] = stressKind{
		create: func(name string, _ int) error {
			v, err := value.Create(name, stressWide{}, nil)
			if err == nil {
				v.Close()
			}
			return err
		},
		work:       stressValueWork,
		failpoints: []string{"value/store/half", "futex/mutex/acquired", "futex/mutex/release"},
		final:      stressValueFinal,
	}
}

func createAndClose[T any](name string) error {
	obj, err := shm.CreateObject[T](name, nil, nil)
	if err != nil {
		return err
	}
	return obj.Close()
}

// stressMutex is the mutex kind's object: a lock and the data it guards,
// two counters that are equal whenever the lock is free and consistent,
// and who is inside.
type stressMutex struct {
	Mu     futex.Mutex
	A, B   uint64
	Holder uint64
}

// lockMutex locks m's mutex, repairing (and reporting) the state a dead
// holder left.
func lockMutex(ctx context.Context, m *stressMutex, r *stressReporter) error {
	err := m.Mu.LockContext(ctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, futex.ErrOwnerDead):
		if r != nil {
			r.recovery()
		}
		m.B, m.Holder = m.A, 0 // the dead holder may have counted A and not B
		return m.Mu.MarkConsistent()
	}
	return err
}

func stressMutexWork(ctx context.Context, name string, id int, r *stressReporter) error {
	obj, err := shm.OpenObject[stressMutex](name, nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	m := obj.Get()
	for ctx.Err() == nil {
		if err := lockMutex(ctx, m, r); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.violation("lock: %v", err)
			return err
		}
		if m.Holder != 0 || m.A != m.B {
			r.violation("entered the lock with holder %d inside, A=%d B=%d", m.Holder, m.A, m.B)
			m.B, m.Holder = m.A, 0
		}
		m.Holder = uint64(id + 1)
		m.A++
		failpoint.Inject("stress/mutex/inside") // dying here leaves A ahead of B
		m.B++
		m.Holder = 0
		if err := m.Mu.Unlock(); err != nil {
			r.violation("unlock: %v", err)
			return err
		}
		r.op()
	}
	return ctx.Err()
}

// stressMutexFinal checks that the counters agree and that no counted
// increment is missing: A counts every increment, the workers' reports
// only those they lived to report.
func stressMutexFinal(name string, t stressTotals) ([]string, int64) {
	obj, err := shm.OpenObject[stressMutex](name, nil)
	if err != nil {
		return []string{err.Error()}, 0
	}
	defer obj.Close()
	m := obj.Get()
	if err := lockMutex(context.Background(), m, nil); err != nil {
		return []string{"final lock: " + err.Error()}, 0
	}
	defer m.Mu.Unlock()
	var v []string
	if m.A != m.B || m.Holder != 0 {
		v = append(v, fmt.Sprintf("final state A=%d B=%d holder %d", m.A, m.B, m.Holder))
	}
	if m.A < uint64(t.ops) || (t.kills == 0 && m.A != uint64(t.ops)) {
		v = append(v, fmt.Sprintf("counter %d, but the workers reported %d increments (%d kills)", m.A, t.ops, t.kills))
	}
	return v, 0
}

// stressWide is the value kind's value: eight words a writer keeps equal,
// so that a torn read shows.
type stressWide struct{ W [8]uint64 }

func (w stressWide) torn() bool {
	for _, x := range w.W {
		if x != w.W[0] {
			return true
		}
	}
	return false
}

func stressValueWork(ctx context.Context, name string, id int, r *stressReporter) error {
	v, err := value.Open[stressWide](name, nil)
	if err != nil {
		return err
	}
	defer v.Close()
	rng := rand.New(rand.NewPCG(uint64(id), 7))
	for n := uint64(1); ctx.Err() == nil; n++ {
		if rng.IntN(4) == 0 {
			var w stressWide
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
			if err := v.Store(stressWide{}); err != nil {
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

func stressValueFinal(name string, _ stressTotals) ([]string, int64) {
	v, err := value.Open[stressWide](name, nil)
	if err != nil {
		return []string{err.Error()}, 0
	}
	defer v.Close()
	w, err := v.Load()
	if errors.Is(err, value.ErrCorrupt) { // the last writer died mid-write: a store repairs it
		if err = v.Store(stressWide{}); err == nil {
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
