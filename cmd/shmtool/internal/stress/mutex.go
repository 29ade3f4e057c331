package stress

import (
	"context"
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/shm"
)

var mutexKind = kind{
	create:     func(name string, _ int) error { return createAndClose[sharedMutex](name) },
	work:       mutexWork,
	failpoints: []string{"futex/mutex/acquired", "futex/mutex/release", "stress/mutex/inside"},
	final:      mutexFinal,
}

func createAndClose[T any](name string) error {
	obj, err := shm.CreateObject[T](name, nil, nil)
	if err != nil {
		return err
	}
	return obj.Close()
}

// sharedMutex is the mutex kind's object: a lock and the data it guards,
// two counters that are equal whenever the lock is free and consistent,
// and who is inside.
type sharedMutex struct {
	Mu     futex.Mutex
	A, B   uint64
	Holder uint64
}

// lockMutex locks m's mutex, repairing (and reporting) the state a dead
// holder left.
func lockMutex(ctx context.Context, m *sharedMutex, r *reporter) error {
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

func mutexWork(ctx context.Context, name string, id int, r *reporter) error {
	obj, err := shm.OpenObject[sharedMutex](name, nil)
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

// mutexFinal checks that the counters agree and that no counted
// increment is missing: A counts every increment, the workers' reports
// only those they lived to report.
func mutexFinal(name string, t totals) ([]string, int64) {
	obj, err := shm.OpenObject[sharedMutex](name, nil)
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
