package semaphore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/live"
)

// MaxHolders is how many processes a tracked semaphore records at once.
const MaxHolders = 32

// Errors returned by Release and Acquire; test with errors.Is.
var (
	// ErrOverRelease is returned when a Release would raise the count of a
	// bounded semaphore past its bound.
	ErrOverRelease = errors.New("semaphore: released past its bound")

	// ErrNotHeld is returned by Release on a tracked semaphore when this
	// process holds fewer permits than it releases.
	ErrNotHeld = errors.New("semaphore: permits not held by this process")

	// ErrTooManyHolders is returned by Acquire on a tracked semaphore when
	// MaxHolders other processes already hold permits.
	ErrTooManyHolders = errors.New("semaphore: too many holding processes")
)

// Semaphore is a counting semaphore shared between processes. The zero
// value has no permits, no bound and no tracking; Init gives it others.
//
// Uncontended, an untracked Acquire or Release is one compare-and-swap,
// with no system call; Release makes the wake-up system call only when an
// acquirer is parked. A tracked semaphore does its bookkeeping under a
// robust lock (two more compare-and-swaps). A cancelled Acquire takes
// nothing.
//
// A Semaphore must not be copied after first use.
type Semaphore struct {
	value   atomic.Int64  // permits available
	max     atomic.Int64  // bound; 0 means none
	seq     atomic.Uint32 // bumped by every Release; acquirers park on it
	waiters atomic.Uint32 // parked acquirers, so that Release can skip the system call
	tracked atomic.Uint32 // 1 if holders are recorded
	_       uint32
	// The rest is used by tracked semaphores only, and changed only under
	// mu: value, holders and the undo record change together.
	mu      futex.Mutex
	undo    undoRecord
	holders [MaxHolders]holder
}

type holder struct {
	token atomic.Uint64 // live.Token of the process, 0 if free
	count atomic.Int64  // permits it holds
}

// ShmKind names the kind of a segment that holds one Semaphore.
func (*Semaphore) ShmKind() string { return "semaphore" }

// Init sets the initial number of permits, the bound (0 for none) and
// whether holders are tracked. Call it once, before the semaphore is
// shared: shm.CreateObject's init function, or Create, is the place.
func (s *Semaphore) Init(value, max int64, tracked bool) error {
	if value < 0 || max < 0 || (max > 0 && value > max) {
		return fmt.Errorf("semaphore: value %d and bound %d: want 0 <= value <= bound (bound 0 for none)", value, max)
	}
	s.value.Store(value)
	s.max.Store(max)
	if tracked {
		s.tracked.Store(1)
	}
	return nil
}

// Acquire takes n permits, waiting until they are available or ctx is done.
// On failure it takes none and returns ctx.Err().
func (s *Semaphore) Acquire(ctx context.Context, n int64) error {
	if n < 0 {
		return fmt.Errorf("semaphore: acquire of %d permits", n)
	}
	if ok, err := s.tryAcquire(ctx, n, true); ok || err != nil {
		return err
	}
	recheck := 2 * time.Millisecond
	for {
		seq := s.seq.Load()
		if ok, err := s.tryAcquire(ctx, n, true); ok || err != nil {
			return err
		}
		s.waiters.Add(1)
		// Wake now and then: to reclaim a dead holder's permits, and
		// because a releaser killed before its wake-up wakes nobody.
		err := futex.WaitContextUntil(ctx, &s.seq, seq, time.Now().Add(recheck))
		s.waiters.Add(^uint32(0))
		switch {
		case err == nil:
		case errors.Is(err, os.ErrDeadlineExceeded):
			s.Reclaim()
			recheck = min(2*recheck, 50*time.Millisecond)
		default:
			return err
		}
	}
}

// TryAcquire takes n permits if they are available now, and reports
// whether it did. On a tracked semaphore with no free holder slot it takes
// nothing; nor when another process stays inside the semaphore's
// bookkeeping (a few instructions long) while TryAcquire retries.
func (s *Semaphore) TryAcquire(n int64) bool {
	ok, err := s.tryAcquire(context.Background(), n, false)
	return ok && err == nil
}

// tryAcquire takes n permits if they are there. With wait set, a tracked
// semaphore waits for its bookkeeping lock until ctx is done.
func (s *Semaphore) tryAcquire(ctx context.Context, n int64, wait bool) (bool, error) {
	if s.tracked.Load() == 1 {
		return s.tryAcquireTracked(ctx, n, wait)
	}
	for {
		v := s.value.Load()
		if v < n {
			return false, nil
		}
		if s.value.CompareAndSwap(v, v-n) {
			return true, nil
		}
	}
}

// Release returns n permits and wakes parked acquirers. It fails, releasing
// nothing, with ErrOverRelease past the bound or, when tracked, with
// ErrNotHeld if this process holds fewer than n.
func (s *Semaphore) Release(n int64) error {
	if n < 0 {
		return fmt.Errorf("semaphore: release of %d permits", n)
	}
	if s.tracked.Load() == 1 {
		return s.releaseTracked(n)
	}
	return s.give(n)
}

// pastBound reports, as ErrOverRelease, whether releasing n permits when v
// are available would pass the bound max (0 for none).
func pastBound(v, n, max int64) error {
	if max > 0 && v+n > max {
		return fmt.Errorf("%w: %d available + %d released > bound %d", ErrOverRelease, v, n, max)
	}
	return nil
}

// give adds n permits back, refusing to pass the bound, and wakes waiters.
func (s *Semaphore) give(n int64) error {
	max := s.max.Load()
	for {
		v := s.value.Load()
		if err := pastBound(v, n, max); err != nil {
			return err
		}
		if s.value.CompareAndSwap(v, v+n) {
			break
		}
	}
	s.wake()
	return nil
}

// wake tells parked acquirers that permits came back.
func (s *Semaphore) wake() {
	s.seq.Add(1)
	if s.waiters.Load() != 0 {
		_, _ = futex.Wake(&s.seq, futex.All)
	}
}

// Holder is one process holding permits, as State reports it.
type Holder struct {
	PID     int   `json:"pid"`
	Permits int64 `json:"permits"`
	Alive   bool  `json:"alive"`
}

// State is a snapshot of a Semaphore, for observers such as shmtool.
type State struct {
	Value   int64    `json:"value"`
	Max     *int64   `json:"max"` // nil when unbounded
	Waiters int      `json:"waiters"`
	Tracked bool     `json:"tracked"`
	Holders []Holder `json:"holders"` // nil unless tracked
	// Recovery counters of a tracked semaphore: dead holders whose permits
	// came back, and operations of processes killed half-way that were
	// undone.
	Reclaimed uint64 `json:"reclaimed"`
	Rollbacks uint64 `json:"rollbacks"`
}

// State returns a snapshot of s; it only reads s.
func (s *Semaphore) State() State {
	st := State{Value: s.value.Load(), Waiters: int(s.waiters.Load())}
	if m := s.max.Load(); m > 0 {
		st.Max = &m
	}
	if s.tracked.Load() == 1 {
		st.Tracked, st.Holders = true, []Holder{}
		st.Reclaimed, st.Rollbacks = s.undo.reclaimed.Load(), s.undo.rollbacks.Load()
		for i := range s.holders {
			t := live.Token(s.holders[i].token.Load())
			if t == 0 {
				continue
			}
			st.Holders = append(st.Holders, Holder{PID: live.PID(t), Permits: s.holders[i].count.Load(), Alive: live.Alive(t)})
		}
	}
	return st
}
