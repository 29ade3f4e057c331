package semaphore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
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
// Uncontended, Acquire and Release are one compare-and-swap each (plus one
// add to the holder table when tracked), with no system call; Release makes
// the wake-up system call only when an acquirer is parked. A cancelled
// Acquire takes nothing.
//
// A Semaphore must not be copied after first use.
type Semaphore struct {
	value   atomic.Int64  // permits available
	max     atomic.Int64  // bound; 0 means none
	seq     atomic.Uint32 // bumped by every Release; acquirers park on it
	waiters atomic.Uint32 // parked acquirers, so that Release can skip the system call
	tracked atomic.Uint32 // 1 if holders are recorded
	_       uint32
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
	if ok, err := s.tryAcquire(n); ok || err != nil {
		return err
	}
	recheck := 2 * time.Millisecond
	for {
		seq := s.seq.Load()
		if ok, err := s.tryAcquire(n); ok || err != nil {
			return err
		}
		s.waiters.Add(1)
		until := time.Time{}
		if s.tracked.Load() == 1 {
			until = time.Now().Add(recheck) // wake now and then to reclaim a dead holder's permits
		}
		err := futex.WaitContextUntil(ctx, &s.seq, seq, until)
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
// nothing.
func (s *Semaphore) TryAcquire(n int64) bool {
	ok, err := s.tryAcquire(n)
	return ok && err == nil
}

func (s *Semaphore) tryAcquire(n int64) (bool, error) {
	for {
		v := s.value.Load()
		if v < n {
			return false, nil
		}
		if s.value.CompareAndSwap(v, v-n) {
			break
		}
	}
	if s.tracked.Load() == 0 {
		return true, nil
	}
	// Record after taking: a death in between loses the permits, which
	// is safe; recording first and dying would return permits never taken.
	h, err := s.slot(true)
	if err != nil {
		s.give(n)
		return false, err
	}
	h.count.Add(n)
	return true, nil
}

// Release returns n permits and wakes parked acquirers. It fails, releasing
// nothing, with ErrOverRelease past the bound or, when tracked, with
// ErrNotHeld if this process holds fewer than n.
func (s *Semaphore) Release(n int64) error {
	if n < 0 {
		return fmt.Errorf("semaphore: release of %d permits", n)
	}
	if max := s.max.Load(); max > 0 {
		if v := s.value.Load(); v+n > max {
			return fmt.Errorf("%w: %d available + %d released > bound %d", ErrOverRelease, v, n, max)
		}
	}
	if s.tracked.Load() == 1 {
		h, _ := s.slot(false)
		if h == nil {
			return ErrNotHeld
		}
		for {
			c := h.count.Load()
			if c < n {
				return fmt.Errorf("%w: holds %d, releasing %d", ErrNotHeld, c, n)
			}
			if h.count.CompareAndSwap(c, c-n) {
				break
			}
		}
		if err := s.give(n); err != nil {
			h.count.Add(n) // raced past the bound: still ours
			return err
		}
		return nil
	}
	return s.give(n)
}

// give adds n permits back, refusing to pass the bound, and wakes waiters.
func (s *Semaphore) give(n int64) error {
	max := s.max.Load()
	for {
		v := s.value.Load()
		if max > 0 && v+n > max {
			return fmt.Errorf("%w: %d available + %d released > bound %d", ErrOverRelease, v, n, max)
		}
		if s.value.CompareAndSwap(v, v+n) {
			break
		}
	}
	s.seq.Add(1)
	if s.waiters.Load() != 0 {
		_, _ = futex.Wake(&s.seq, futex.All)
	}
	return nil
}

// claimMu serializes this process's claims of holder slots, so that two
// goroutines never claim two slots for one process.
var claimMu sync.Mutex

// slot returns this process's holder entry, claiming a free one if claim
// is set (reclaiming dead holders' slots when none is free). A process
// keeps its slot from its first Acquire until it dies: giving it up at zero
// would race with another goroutine of the process adding to it.
func (s *Semaphore) slot(claim bool) (*holder, error) {
	me, err := live.Self()
	if err != nil {
		return nil, err
	}
	if h := s.find(me); h != nil || !claim {
		return h, nil
	}
	claimMu.Lock()
	defer claimMu.Unlock()
	if h := s.find(me); h != nil { // another goroutine claimed it meanwhile
		return h, nil
	}
	for pass := range 2 {
		for i := range s.holders {
			h := &s.holders[i]
			if h.token.Load() == 0 && h.token.CompareAndSwap(0, uint64(me)) {
				return h, nil
			}
		}
		if pass == 0 {
			if _, freed := s.reclaim(); freed == 0 {
				break
			}
		}
	}
	return nil, ErrTooManyHolders
}

func (s *Semaphore) find(me live.Token) *holder {
	for i := range s.holders {
		if s.holders[i].token.Load() == uint64(me) {
			return &s.holders[i]
		}
	}
	return nil
}

// Reclaim returns the permits of holders that have died to the semaphore
// and frees their slots. It returns the number of permits returned. Acquire
// calls it while it waits; call it yourself to reclaim sooner.
func (s *Semaphore) Reclaim() int64 {
	permits, _ := s.reclaim()
	return permits
}

func (s *Semaphore) reclaim() (permits int64, slots int) {
	if s.tracked.Load() == 0 {
		return 0, 0
	}
	me, err := live.Self()
	if err != nil {
		return 0, 0
	}
	for i := range s.holders {
		h := &s.holders[i]
		t := h.token.Load()
		owner := live.Token(t &^ reclaiming)
		if t == 0 || owner == me || live.Alive(owner) {
			continue // free, ours, or held (or being reclaimed) by a live process
		}
		// The holder, or a reclaimer that died mid-way, is dead. Claim the
		// slot, so that only one reclaimer returns its permits; if we die
		// after the Swap, they are lost, never doubled.
		if !h.token.CompareAndSwap(t, uint64(me)|reclaiming) {
			continue
		}
		if n := h.count.Swap(0); n > 0 {
			_ = s.give(n)
			permits += n
		}
		if h.token.CompareAndSwap(uint64(me)|reclaiming, 0) {
			slots++
		}
	}
	return permits, slots
}

// reclaiming marks a slot being emptied; it keeps the slot from looking
// free or owned by the reclaimer. Tokens use 62 bits.
const reclaiming = 1 << 63

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
}

// State returns a snapshot of s; it only reads s.
func (s *Semaphore) State() State {
	st := State{Value: s.value.Load(), Waiters: int(s.waiters.Load())}
	if m := s.max.Load(); m > 0 {
		st.Max = &m
	}
	if s.tracked.Load() == 1 {
		st.Tracked, st.Holders = true, []Holder{}
		for i := range s.holders {
			raw := s.holders[i].token.Load()
			t := live.Token(raw)
			if raw == 0 || raw&reclaiming != 0 { // free, or being emptied
				continue
			}
			st.Holders = append(st.Holders, Holder{PID: live.PID(t), Permits: s.holders[i].count.Load(), Alive: live.Alive(t)})
		}
	}
	return st
}
