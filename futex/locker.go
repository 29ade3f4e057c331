package futex

import (
	"errors"
	"sync"
)

// Locker returns a sync.Locker over m, for code that wants one (a
// sync.Cond, a library's Mutex parameter), that does not swallow
// ErrOwnerDead: when a Lock finds that the previous owner died holding m,
// repair runs (with m held) to make the guarded data whole again, and m is
// marked consistent.
//
// sync.Locker has no error to return, so the adapter panics where a plain
// Lock would fail: if repair returns an error (m is then left to become
// unrecoverable, so that no one else trusts the data either), or if m is
// unrecoverable, or if this process cannot register its liveness. A nil
// repair means the data needs none. Unlock panics if m is not locked.
func (m *Mutex) Locker(repair func() error) sync.Locker { return NewLocker(m, repair) }

// RobustLocker is a robust mutex: a Mutex, or a handle of one such as
// shmsync.Mutex or a Value's lock.
type RobustLocker interface {
	Lock() error
	Unlock() error
	MarkConsistent() error
}

// NewLocker is Mutex.Locker for any RobustLocker.
func NewLocker(m RobustLocker, repair func() error) sync.Locker {
	return &locker{m: m, repair: repair}
}

type locker struct {
	m      RobustLocker
	repair func() error
}

func (l *locker) Lock() {
	err := l.m.Lock()
	if errors.Is(err, ErrOwnerDead) {
		if l.repair != nil {
			if rerr := l.repair(); rerr != nil {
				l.m.Unlock() // not marked consistent: the mutex becomes unrecoverable
				panic("futex: Locker: repair after the owner died failed: " + rerr.Error())
			}
		}
		err = l.m.MarkConsistent()
	}
	if err != nil {
		panic("futex: Locker: " + err.Error())
	}
}

func (l *locker) Unlock() {
	if err := l.m.Unlock(); err != nil {
		panic("futex: Locker: " + err.Error())
	}
}
