package stress

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/semaphore"
)

var semaphoreKind = kind{
	create:     semCreate,
	work:       semWork,
	failpoints: []string{"semaphore/acquire/taken", "semaphore/release/given", "futex/mutex/acquired", "futex/mutex/release"},
	final:      semFinal,
}

// The semaphore kind: a tracked semaphore of semPermits permits, and a
// row of as many seats. A worker that holds n permits takes n seats (free
// ones, or ones of dead workers); finding fewer means more permits are out
// than exist. At the end every permit must be back: none lost with the
// killed workers, none doubled.
const semPermits = 3

func semCreate(name string, _ int) error {
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

func semWork(ctx context.Context, name string, id int, r *reporter) error {
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
	s := obj
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

// semFinal checks that every permit came back, and counts the
// semaphore's own recoveries: dead holders reclaimed, operations undone.
func semFinal(name string, _ totals) ([]string, int64) {
	obj, err := semaphore.Open(name, nil)
	if err != nil {
		return []string{err.Error()}, 0
	}
	defer obj.Close()
	s := obj
	s.Reclaim()
	st := s.State()
	var v []string
	if st.Value != semPermits {
		v = append(v, fmt.Sprintf("%d of %d permits back at the end (holders %+v)", st.Value, semPermits, st.Holders))
	}
	return v, int64(st.Reclaimed + st.Rollbacks)
}
