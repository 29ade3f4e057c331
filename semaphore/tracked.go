package semaphore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/live"
)

// A tracked semaphore moves permits between value and a holder's count,
// two words no single atomic instruction changes together. So it changes
// them under mu, a robust mutex, and writes an undo record first: a process
// killed between the two stores leaves the record behind, and the next
// process to take mu (it gets futex.ErrOwnerDead) restores both words and
// the slot's owner. Permits are then never lost and never doubled, wherever
// the process dies.

// undoRecord is what one tracked operation changes, as it was before.
// Only the holder of mu reads or writes it.
type undoRecord struct {
	active uint32 // 1 while an operation is under way
	slot   uint32 // the holder slot it changes
	value  int64
	count  int64
	token  uint64
	// Counters for observers: dead holders whose permits were returned,
	// and operations of processes that died half-way that were undone.
	reclaimed atomic.Uint64
	rollbacks atomic.Uint64
}

// tryLockSpins is how often TryAcquire retries the bookkeeping lock while
// another process is inside it, before it reports no permits.
const tryLockSpins = 1000

// localMu lets one goroutine of this process at a time into any tracked
// semaphore's bookkeeping. mu is owned by a process, so without it a
// goroutine's TryLock would fail whenever a sibling is inside; with it,
// only other processes contend for mu.
var localMu sync.Mutex

// lock takes localMu and mu, rolling back the operation of a holder that
// died in mu. With wait false it does not park on mu: it reports false if
// another process stays inside.
func (s *Semaphore) lock(ctx context.Context, wait bool) (bool, error) {
	localMu.Lock()
	ok, err := s.lockShared(ctx, wait)
	if !ok {
		localMu.Unlock()
	}
	return ok, err
}

func (s *Semaphore) lockShared(ctx context.Context, wait bool) (bool, error) {
	var err error
	if !wait {
		ok := false
		for i := 0; !ok && err == nil && i < tryLockSpins; i++ {
			if ok, err = s.mu.TryLock(); !ok && err == nil {
				runtime.Gosched()
			}
		}
		if !ok {
			return false, err
		}
	} else {
		err = s.mu.LockContext(ctx)
	}
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, futex.ErrOwnerDead):
		s.rollback()
		return true, s.mu.MarkConsistent()
	}
	return false, err
}

func (s *Semaphore) unlock() {
	_ = s.mu.Unlock()
	localMu.Unlock()
}

// begin records slot i and the value as they are, before an operation
// changes them.
func (s *Semaphore) begin(i int) {
	u, h := &s.undo, &s.holders[i]
	u.slot, u.value, u.count, u.token = uint32(i), s.value.Load(), h.count.Load(), h.token.Load()
	u.active = 1
}

func (s *Semaphore) commit() { s.undo.active = 0 }

// rollback undoes the operation of a process that died holding mu.
func (s *Semaphore) rollback() {
	u := &s.undo
	if u.active == 0 {
		return
	}
	if u.slot < MaxHolders { // a peer may have scribbled on it
		h := &s.holders[u.slot]
		s.value.Store(u.value)
		h.count.Store(u.count)
		h.token.Store(u.token)
	}
	u.rollbacks.Add(1)
	u.active = 0
	s.wake() // an acquire undone gives permits back
}

func (s *Semaphore) tryAcquireTracked(ctx context.Context, n int64, wait bool) (bool, error) {
	me, err := live.Self()
	if err != nil {
		return false, err
	}
	if ok, err := s.lock(ctx, wait); !ok {
		return false, err
	}
	defer s.unlock()
	v := s.value.Load()
	if v < n {
		return false, nil
	}
	i := s.find(me, true)
	if i < 0 {
		if _, slots := s.reclaimLocked(me); slots > 0 {
			i = s.find(me, true)
		}
		if i < 0 {
			return false, ErrTooManyHolders
		}
	}
	h := &s.holders[i]
	s.begin(i)
	h.token.Store(uint64(me))
	s.value.Store(v - n)
	failpoint.Inject("semaphore/acquire/taken") // dying here: rolled back, not lost
	h.count.Add(n)
	s.commit()
	return true, nil
}

func (s *Semaphore) releaseTracked(n int64) error {
	me := live.Current() // a process that never acquired has no token
	if me == 0 {
		return ErrNotHeld
	}
	if _, err := s.lock(context.Background(), true); err != nil {
		return err
	}
	v := s.value.Load()
	if err := pastBound(v, n, s.max.Load()); err != nil {
		s.unlock()
		return err
	}
	i := s.find(me, false)
	if i < 0 {
		s.unlock()
		return ErrNotHeld
	}
	h := &s.holders[i]
	if c := h.count.Load(); c < n {
		s.unlock()
		return fmt.Errorf("%w: holds %d, releasing %d", ErrNotHeld, c, n)
	}
	s.begin(i)
	s.value.Store(v + n)
	failpoint.Inject("semaphore/release/given") // dying here: rolled back, not doubled
	h.count.Add(-n)
	s.commit()
	s.unlock()
	s.wake()
	return nil
}

// find returns the index of me's holder slot, or with claim set of a free
// one, or -1. The caller holds mu. A process keeps its slot from its first
// Acquire until it dies.
func (s *Semaphore) find(me live.Token, claim bool) int {
	free := -1
	for i := range s.holders {
		switch s.holders[i].token.Load() {
		case uint64(me):
			return i
		case 0:
			if free < 0 {
				free = i
			}
		}
	}
	if !claim {
		return -1
	}
	return free
}

// Reclaim returns the permits of holders that have died to the semaphore
// and frees their slots. It returns the number of permits returned. Acquire
// calls it while it waits; call it yourself to reclaim sooner. It does
// nothing on an untracked semaphore.
func (s *Semaphore) Reclaim() int64 {
	if s.tracked.Load() == 0 {
		return 0
	}
	me, err := live.Self()
	if err != nil {
		return 0
	}
	if ok, _ := s.lock(context.Background(), true); !ok {
		return 0
	}
	permits, _ := s.reclaimLocked(me)
	s.unlock()
	if permits > 0 {
		s.wake()
	}
	return permits
}

// reclaimLocked empties the slots of dead holders. The caller holds mu.
func (s *Semaphore) reclaimLocked(me live.Token) (permits int64, slots int) {
	bound := s.max.Load()
	for i := range s.holders {
		h := &s.holders[i]
		t := live.Token(h.token.Load())
		if t == 0 || t == me || live.Alive(t) {
			continue
		}
		c := max(h.count.Load(), 0) // a scribbled negative count returns nothing
		s.begin(i)
		v := s.value.Load() + c
		if bound > 0 && v > bound { // only a scribbling peer gets here: keep the bound
			c, v = bound-s.value.Load(), bound
		}
		s.value.Store(v)
		h.count.Store(0)
		h.token.Store(0)
		if c > 0 {
			s.undo.reclaimed.Add(1)
		}
		s.commit()
		permits += c
		slots++
	}
	return permits, slots
}
