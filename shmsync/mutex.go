package shmsync

import (
	"context"
	"sync"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/named"
	"github.com/shmkit/shmkit/shm"
)

// Mutex is a robust futex.Mutex in a segment of its own. Its methods are
// safe for concurrent use.
type Mutex struct{ o *named.Object[futex.Mutex] }

// CreateMutex makes a segment called name holding an unlocked mutex.
func CreateMutex(name string, opts *shm.Options) (*Mutex, error) {
	o, err := named.Create[futex.Mutex](name, nil, opts)
	return wrap(o, err, func(o *named.Object[futex.Mutex]) *Mutex { return &Mutex{o} })
}

// OpenMutex opens the mutex segment called name.
func OpenMutex(name string, opts *shm.Options) (*Mutex, error) {
	o, err := named.Open[futex.Mutex](name, opts)
	return wrap(o, err, func(o *named.Object[futex.Mutex]) *Mutex { return &Mutex{o} })
}

// OpenOrCreateMutex opens the mutex segment called name, or creates it if
// it does not exist; created reports which.
func OpenOrCreateMutex(name string, opts *shm.Options) (m *Mutex, created bool, err error) {
	o, created, err := named.OpenOrCreate[futex.Mutex](name, nil, opts)
	m, err = wrap(o, err, func(o *named.Object[futex.Mutex]) *Mutex { return &Mutex{o} })
	return m, created, err
}

// Lock locks the mutex; see futex.Mutex.Lock (ErrOwnerDead comes with the
// lock held).
func (m *Mutex) Lock() error { return m.LockContext(context.Background()) }

// LockContext is Lock that gives up when ctx is done (ctx.Err()) or the
// Mutex is closed (os.ErrClosed), without the lock.
func (m *Mutex) LockContext(ctx context.Context) error {
	return m.o.Wait(ctx, func(ctx context.Context, mu *futex.Mutex) error {
		if ok, err := mu.TryLock(); ok || err != nil { // uncontended: no context set-up
			return err
		}
		return mu.LockContext(ctx)
	})
}

// TryLock locks the mutex if it is free or its owner died; see
// futex.Mutex.TryLock.
func (m *Mutex) TryLock() (bool, error) {
	ok := false
	err := m.o.Do(func(mu *futex.Mutex) (err error) { ok, err = mu.TryLock(); return err })
	return ok, err
}

// Unlock unlocks the mutex.
func (m *Mutex) Unlock() error { return m.o.Do((*futex.Mutex).Unlock) }

// Locker returns a sync.Locker over the mutex that runs repair when a
// Lock finds that the previous owner died; see futex.Mutex.Locker. It
// panics where Lock would fail, os.ErrClosed included.
func (m *Mutex) Locker(repair func() error) sync.Locker { return futex.NewLocker(m, repair) }

// MarkConsistent declares the guarded data repaired after ErrOwnerDead.
func (m *Mutex) MarkConsistent() error { return m.o.Do((*futex.Mutex).MarkConsistent) }

// State returns a snapshot of the mutex, or the zero state after Close.
func (m *Mutex) State() futex.MutexState { return state(m.o, (*futex.Mutex).State) }

// Segment returns the segment that holds the mutex.
func (m *Mutex) Segment() *shm.Segment { return m.o.Segment() }

// Close wakes this process's goroutines waiting in Lock (they return
// os.ErrClosed), waits for the ones inside, and unmaps the mutex. It does
// not unlock it, nor remove the segment. It is idempotent.
func (m *Mutex) Close() error { return m.o.Close() }
