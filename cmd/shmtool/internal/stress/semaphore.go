package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/semaphore"
	"github.com/shmkit/shmkit/shm"
)

func init() {
	stressKinds["semaphore"] = stressKind{
		create:     stressSemCreate,
		work:       stressSemWork,
		failpoints: []string{"semaphore/acquire/taken", "semaphore/release/given", "futex/mutex/acquired", "futex/mutex/release"},
		final:      stressSemFinal,
	}
	stressKinds["event"] = stressKind{
		create:     func(name string, _ int) error { return createAndClose[stressEvent](name) },
		work:       stressEventWork,
		failpoints: []string{"futex/event/set", "futex/mutex/acquired", "futex/mutex/release"},
	}
	stressKinds["barrier"] = stressKind{
		create:     stressBarrierCreate,
		work:       stressBarrierWork,
		failpoints: []string{"futex/barrier/arrived", "futex/barrier/release", "futex/mutex/acquired"},
	}
}

// The semaphore kind: a tracked semaphore of semPermits permits, and a
// row of as many seats. A worker that holds n permits takes n seats (free
// ones, or ones of dead workers); finding fewer means more permits are out
// than exist. At the end every permit must be back: none lost with the
// killed workers, none doubled.
const semPermits = 3

func stressSemCreate(name string, _ int) error {
	s, err := semaphore.Create(name, semaphore.Config{Value: semPermits, Max: semPermits, Tracked: true}, nil)
	if err != nil {
		return err
	}
	s.Close()
	seats, err := array.Create[uint64](name+"-seen", semPermits, nil)
	if err != nil {
		return err
	}
	return seats.Close()
}

func stressSemWork(ctx context.Context, name string, id int, r *stressReporter) error {
	obj, err := semaphore.Open(name, nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	seats, err := array.Open[uint64](name+"-seen", nil)
	if err != nil {
		return err
	}
	defer seats.Close()
	me, err := live.Self()
	if err != nil {
		return err
	}
	s := obj.Get()
	rng := rand.New(rand.NewPCG(uint64(id), 11))
	for ctx.Err() == nil {
		n := int64(1 + rng.IntN(2))
		switch rng.IntN(4) {
		case 0: // TryAcquire
			if !s.TryAcquire(n) {
				runtime.Gosched()
				continue
			}
		case 1: // an Acquire that may time out, taking nothing
			actx, cancel := context.WithTimeout(ctx, time.Millisecond)
			err := s.Acquire(actx, n)
			cancel()
			if err != nil {
				continue
			}
		default:
			if err := s.Acquire(ctx, n); err != nil {
				return err
			}
		}
		held := takeSeats(seats, me, int(n))
		if len(held) < int(n) {
			r.violation("holding %d permits, found %d free seats of %d: over-subscribed", n, len(held), semPermits)
		}
		switch rng.IntN(16) { // hold a while, now and then, so that holders overlap
		case 0:
			time.Sleep(10 * time.Millisecond)
		case 1:
			time.Sleep(100 * time.Microsecond)
		default:
			runtime.Gosched()
		}
		for _, i := range held {
			array.StoreAt(seats, i, 0)
		}
		if err := s.Release(n); err != nil {
			r.violation("release: %v", err)
			return err
		}
		r.op()
	}
	return ctx.Err()
}

// takeSeats takes n seats for me: free ones, or ones of workers that
// died. Liveness answers are cached for a few milliseconds, so a seat of a
// worker that just died may look taken: it looks once more after that.
func takeSeats(seats *array.Array[uint64], me live.Token, n int) []int {
	var held []int
	for pass := range 2 {
		for i := 0; i < seats.Len() && len(held) < n; i++ {
			t := array.LoadAt(seats, i)
			if (t == 0 || (t != uint64(me) && !live.Alive(live.Token(t)))) && array.CompareAndSwapAt(seats, i, t, uint64(me)) {
				held = append(held, i)
			}
		}
		if len(held) == n || pass == 1 {
			break
		}
		time.Sleep(6 * time.Millisecond)
	}
	return held
}

// stressSemFinal checks that every permit came back, and counts the
// semaphore's own recoveries: dead holders reclaimed, operations undone.
func stressSemFinal(name string, _ stressTotals) ([]string, int64) {
	obj, err := semaphore.Open(name, nil)
	if err != nil {
		return []string{err.Error()}, 0
	}
	defer obj.Close()
	s := obj.Get()
	s.Reclaim()
	st := s.State()
	var v []string
	if st.Value != semPermits {
		v = append(v, fmt.Sprintf("%d of %d permits back at the end (holders %+v)", st.Value, semPermits, st.Holders))
	}
	return v, int64(st.Reclaimed + st.Rollbacks)
}

// stressEvent is the event kind's object. One worker at a time, holding
// Role, is the setter: it counts a generation, sets the event, clears it,
// and again. The others wait. A waiter must wake for a Set: one that waits
// 2s while the setter counts more than eventLostAfter generations has lost
// its wake-up.
type stressEvent struct {
	Ev   futex.Event
	Role futex.Mutex
	Gen  atomic.Uint64
}

const (
	eventCycles    = 200 // sets a setter makes before it lets another take over
	eventLostAfter = 100
)

func stressEventWork(ctx context.Context, name string, _ int, r *stressReporter) error {
	obj, err := shm.OpenObject[stressEvent](name, nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	e := obj.Get()
	for ctx.Err() == nil {
		ok, err := e.Role.TryLock()
		if errors.Is(err, futex.ErrOwnerDead) { // the setter died: the event may be left set, which is fine
			r.recovery()
			err = e.Role.MarkConsistent()
		}
		if err != nil {
			r.violation("role: %v", err)
			return err
		}
		if ok {
			for i := 0; i < eventCycles && ctx.Err() == nil; i++ {
				e.Gen.Add(1)
				e.Ev.Set()
				time.Sleep(50 * time.Microsecond)
				e.Ev.Clear()
				time.Sleep(50 * time.Microsecond)
				r.op()
			}
			if err := e.Role.Unlock(); err != nil {
				r.violation("unlock: %v", err)
				return err
			}
			time.Sleep(time.Millisecond) // let a waiter take over
			continue
		}
		g := e.Gen.Load()
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = e.Ev.Wait(wctx)
		cancel()
		switch {
		case err == nil:
			r.op()
		case ctx.Err() != nil:
		case e.Gen.Load()-g > eventLostAfter:
			r.violation("waited 2s through %d sets: a lost wake-up", e.Gen.Load()-g)
		default:
			r.standby() // no setter for 2s
		}
	}
	return ctx.Err()
}

// stressBarrier is the barrier kind's object: a barrier of one party per
// worker, and a lock under which a worker that finds it broken resets it.
// A killed worker breaks it; the survivors reset it, and its replacement
// takes its place.
type stressBarrier struct {
	B   futex.Barrier
	Fix futex.Mutex
}

func stressBarrierCreate(name string, procs int) error {
	if procs > futex.MaxMembers {
		return usagef("--kind barrier watches at most %d parties; want --procs <= %d", futex.MaxMembers, futex.MaxMembers)
	}
	obj, err := shm.CreateObject(name, func(b *stressBarrier) error { return b.B.Init(procs) }, nil)
	if err != nil {
		return err
	}
	return obj.Close()
}

func stressBarrierWork(ctx context.Context, name string, _ int, r *stressReporter) error {
	obj, err := shm.OpenObject[stressBarrier](name, nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	b := obj.Get()
	parties := b.B.Parties()
	for ctx.Err() == nil {
		i, err := b.B.Wait(ctx)
		switch {
		case err == nil:
			if i < 0 || i >= parties {
				r.violation("arrival index %d of %d parties", i, parties)
			}
			r.op()
		case ctx.Err() != nil:
		case errors.Is(err, futex.ErrBrokenBarrier):
			if err := resetBroken(ctx, b, r); err != nil && ctx.Err() == nil {
				return err
			}
		default:
			r.violation("wait: %v", err)
			return err
		}
	}
	return ctx.Err()
}

// resetBroken resets b's barrier if it is still broken: the first of the
// parties that found it broken does, the others find it whole.
func resetBroken(ctx context.Context, b *stressBarrier, r *stressReporter) error {
	err := b.Fix.LockContext(ctx)
	if errors.Is(err, futex.ErrOwnerDead) {
		err = b.Fix.MarkConsistent() // nothing to repair: Reset is idempotent
	}
	if err != nil {
		return err
	}
	if b.B.State().Broken {
		b.B.Reset()
		r.recovery()
	}
	return b.Fix.Unlock()
}
