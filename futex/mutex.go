package futex

import (
	"context"
	"errors"
	"os"
	"time"

	"sync/atomic"

	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/live"
)

// Mutex is a mutual-exclusion lock shared between processes, robust to the
// death of its owner. The zero value is an unlocked, consistent mutex.
//
// A Mutex is owned by a process, not a goroutine: any goroutine of the
// owning process may unlock it, and a second Lock from the owning process
// waits like any other. Place it in shared memory (a field of a struct laid
// over an shm segment, or a segment of its own with shm.CreateObject) and
// lock it from any process that maps it.
//
// Uncontended, Lock and Unlock are one compare-and-swap each, with no
// system call. A contended locker spins briefly, then parks on a futex;
// Unlock makes the wake-up system call only when someone is parked.
//
// When the owner process dies holding the lock (SIGKILL, a crash), the next
// locker acquires it and gets ErrOwnerDead. The guarded data may be
// half-updated: the new owner repairs it and calls MarkConsistent. If it
// unlocks without doing so, the mutex becomes unrecoverable and every later
// Lock fails with ErrNotRecoverable, as with pthread robust mutexes: state
// that nobody vouched for is never silently handed on. Death is detected by
// the owner's liveness token (see internal/live), which pid reuse and pid
// namespaces cannot fool; waiters re-check a parked-on owner every few
// milliseconds and so notice its death without a wake-up from it. An owner
// that is alive but slow or stopped is never robbed: waiters wait, or time
// out with LockContext.
//
// In the terminology of the Go memory model, the n'th call to Unlock
// synchronizes before the m'th Lock returns, for any n < m, in whatever
// processes they run; a Lock that returns ErrOwnerDead synchronizes after
// whatever the dead owner wrote before it died.
//
// A Mutex must not be copied after first use.
type Mutex struct {
	_ noCopy
	// word holds the owner's token (bits 0-29 and 32-63) and waitersBit;
	// 0 when unlocked. Its low half is the futex word. Ownership and
	// identity change in one CAS, so a holder is never anonymous.
	word    atomic.Uint64
	status  atomic.Uint32 // statusConsistent, statusOwnerDead or statusUnrecoverable
	waiters atomic.Uint32 // parked lockers, a hint for shmtool
}

const (
	waitersBit = 1 << 31
	tokenLow   = 1<<30 - 1

	statusConsistent    = 0
	statusOwnerDead     = 1 // acquired from a dead owner; not yet marked consistent
	statusUnrecoverable = 2

	spinIters  = 100
	recheckMin = 2 * time.Millisecond
	recheckMax = 50 * time.Millisecond
)

func encode(t live.Token) uint64 { return uint64(t)>>30<<32 | uint64(t)&tokenLow }
func owner(w uint64) live.Token  { return live.Token(w>>32<<30 | w&tokenLow) }

// ShmKind names the kind of a segment that holds one Mutex.
func (*Mutex) ShmKind() string { return "mutex" }

// Lock locks m, waiting as long as it takes. It returns nil, or
// ErrOwnerDead with the lock held, or ErrNotRecoverable (or a liveness
// registration error) without it.
func (m *Mutex) Lock() error { return m.LockContext(context.Background()) }

// LockContext is Lock that gives up when ctx is done, returning ctx.Err()
// without the lock.
func (m *Mutex) LockContext(ctx context.Context) error {
	me := live.Current()
	if me == 0 {
		var err error
		if me, err = live.Self(); err != nil {
			return err
		}
	}
	enc := encode(me)
	if m.word.CompareAndSwap(0, enc) {
		return m.acquired(enc, false)
	}
	return m.lockSlow(ctx, me, enc)
}

// TryLock locks m if it is free, or if its owner has died, without
// waiting. It reports whether it acquired the lock; the error is
// ErrOwnerDead (acquired) or ErrNotRecoverable (not acquired) as for Lock.
func (m *Mutex) TryLock() (bool, error) {
	me, err := live.Self()
	if err != nil {
		return false, err
	}
	enc := encode(me)
	for {
		w := m.word.Load()
		switch {
		case w == 0:
			if m.word.CompareAndSwap(0, enc) {
				err := m.acquired(enc, false)
				return !errors.Is(err, ErrNotRecoverable), err
			}
		case owner(w) != me && !live.Alive(owner(w)):
			if m.word.CompareAndSwap(w, enc|w&waitersBit) {
				err := m.acquired(enc, true)
				return !errors.Is(err, ErrNotRecoverable), err
			}
		default:
			return false, nil
		}
	}
}

func (m *Mutex) lockSlow(ctx context.Context, me live.Token, enc uint64) error {
	if m.status.Load() == statusUnrecoverable {
		return ErrNotRecoverable
	}
	for range spinIters { // the owner may be about to unlock on another core
		if w := m.word.Load(); w == 0 && m.word.CompareAndSwap(0, enc) {
			return m.acquired(enc, false)
		}
	}
	recheck, checkOwner := recheckMin, false
	for {
		w := m.word.Load()
		if w == 0 {
			// Others may be parked: take it with waitersBit so that our
			// Unlock wakes the next one.
			if m.word.CompareAndSwap(0, enc|waitersBit) {
				return m.acquired(enc, false)
			}
			continue
		}
		if checkOwner && owner(w) != me && !live.Alive(owner(w)) {
			if m.word.CompareAndSwap(w, enc|waitersBit) {
				return m.acquired(enc, true)
			}
			continue
		}
		if w&waitersBit == 0 && !m.word.CompareAndSwap(w, w|waitersBit) {
			continue
		}
		m.waiters.Add(1)
		err := waitContext(ctx, lowWord(&m.word), uint32(w|waitersBit), time.Now().Add(recheck))
		m.waiters.Add(^uint32(0))
		switch {
		case err == nil:
			checkOwner = false // woken: the lock changed hands
		case errors.Is(err, os.ErrDeadlineExceeded):
			checkOwner, recheck = true, min(2*recheck, recheckMax)
		default:
			// Cancelled. We may have consumed the wake-up meant for the
			// next locker: pass it on.
			_, _ = Wake(lowWord(&m.word), 1)
			return err
		}
	}
}

// acquired finishes a successful acquisition.
func (m *Mutex) acquired(enc uint64, ownerDied bool) error {
	failpoint.Inject("futex/mutex/acquired") // dying here leaves the lock held by a dead owner
	switch m.status.Load() {
	case statusUnrecoverable:
		m.release(enc)
		return ErrNotRecoverable
	case statusOwnerDead: // a previous heir died before repairing
		ownerDied = true
	}
	if ownerDied {
		m.status.Store(statusOwnerDead)
		return ErrOwnerDead
	}
	return nil
}

// MarkConsistent declares that the data m guards has been repaired after
// ErrOwnerDead. The caller must hold m.
func (m *Mutex) MarkConsistent() error {
	me, _ := live.Self()
	if me == 0 || owner(m.word.Load()) != me {
		return ErrNotOwner
	}
	m.status.CompareAndSwap(statusOwnerDead, statusConsistent)
	return nil
}

// Unlock unlocks m. It fails with ErrNotOwner if this process does not hold
// m. Unlocking after ErrOwnerDead without MarkConsistent makes m
// unrecoverable.
func (m *Mutex) Unlock() error {
	me := live.Current() // a process that never locked has no token
	if me == 0 {
		return ErrNotOwner
	}
	enc := encode(me)
	if m.status.Load() == statusOwnerDead && owner(m.word.Load()) == me {
		m.status.CompareAndSwap(statusOwnerDead, statusUnrecoverable)
	}
	if !m.release(enc) {
		return ErrNotOwner
	}
	return nil
}

// release unlocks a mutex held with encoded token enc, waking one waiter if
// any are parked. It reports false if enc does not hold it.
func (m *Mutex) release(enc uint64) bool {
	failpoint.Inject("futex/mutex/release")
	if m.word.CompareAndSwap(enc, 0) { // nobody parked: no system call
		return true
	}
	for {
		w := m.word.Load()
		if w&^waitersBit != enc {
			return false
		}
		if m.word.CompareAndSwap(w, 0) {
			if w&waitersBit != 0 {
				_, _ = Wake(lowWord(&m.word), 1)
			}
			return true
		}
	}
}

// HeldByLiveOwner reports whether m is locked, consistent, by a process
// that still runs. It only reads m; observers use it to tell a slow holder
// from a dead one.
func (m *Mutex) HeldByLiveOwner() bool {
	w := m.word.Load()
	return w != 0 && m.status.Load() == statusConsistent && live.Alive(owner(w))
}

// MutexState is a snapshot of a Mutex, for observers such as shmtool.
type MutexState struct {
	Locked     bool   `json:"locked"`
	OwnerPID   int    `json:"owner_pid"`   // 0 when unlocked or unknown
	OwnerAlive bool   `json:"owner_alive"` // false when unlocked
	Waiters    int    `json:"waiters"`     // parked lockers; one killed while parked stays counted
	Status     string `json:"status"`      // "consistent", "owner-dead" or "unrecoverable"
}

// State returns a snapshot of m. It only reads m, so it works on a
// read-only mapping.
func (m *Mutex) State() MutexState {
	w := m.word.Load()
	st := MutexState{Locked: w != 0, Waiters: int(m.waiters.Load()), Status: "consistent"}
	if w != 0 {
		st.OwnerPID, st.OwnerAlive = live.PID(owner(w)), live.Alive(owner(w))
		if !st.OwnerAlive {
			st.Status = "owner-dead"
		}
	}
	switch m.status.Load() {
	case statusOwnerDead:
		st.Status = "owner-dead"
	case statusUnrecoverable:
		st.Status = "unrecoverable"
	}
	return st
}
