package semaphore_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/semaphore"
	"github.com/shmkit/shmkit/shm"
)

func TestMain(m *testing.M) {
	testutil.Child("sem-inc", childSemInc)
	testutil.Child("sem-hold", childSemHold)
	testutil.Child("sem-cycle", childSemCycle)
	testutil.Main(m)
}

// guarded is a plain counter guarded by a Semaphore(1).
type guarded struct {
	Sem semaphore.Semaphore
	N   uint64
}

func childSemInc(args []string) error {
	obj, err := shm.OpenObject[guarded](args[0], nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	g := obj.Get()
	n, _ := strconv.Atoi(args[1])
	ctx := context.Background()
	testutil.Send("ready")
	testutil.Recv()
	for range n {
		if err := g.Sem.Acquire(ctx, 1); err != nil {
			return err
		}
		g.N++
		if err := g.Sem.Release(1); err != nil {
			return err
		}
	}
	testutil.Send("done")
	return nil
}

// 4 processes × 250k increments under a Semaphore(1) give exactly 10^6.
func TestSemaphoreExclusion(t *testing.T) {
	name := testutil.Name(t)
	obj, err := shm.CreateObject(name, func(g *guarded) error { return g.Sem.Init(1, 1, false) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer obj.Close()
	const procs, iters = 4, 250_000
	testutil.RunTogether(t, procs, "sem-inc", name, strconv.Itoa(iters))
	if got := obj.Get().N; got != procs*iters {
		t.Fatalf("counter = %d, want %d", got, procs*iters)
	}
	if st := obj.Get().Sem.State(); st.Value != 1 || st.Max == nil || *st.Max != 1 {
		t.Fatalf("State after = %+v, want value 1 of max 1", st)
	}
}

func TestCancelledAcquireLeaksNothing(t *testing.T) {
	var s semaphore.Semaphore
	if err := s.Init(2, 0, false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.Acquire(ctx, 3); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire(3 of 2) = %v, want DeadlineExceeded", err)
	}
	if st := s.State(); st.Value != 2 || st.Waiters != 0 {
		t.Fatalf("after a cancelled Acquire: %+v, want value 2, no waiters", st)
	}
	if !s.TryAcquire(2) || s.TryAcquire(1) {
		t.Fatal("TryAcquire after a cancelled Acquire: permits leaked")
	}
}

func TestBounded(t *testing.T) {
	var s semaphore.Semaphore
	if err := s.Init(1, 2, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(1); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(1); !errors.Is(err, semaphore.ErrOverRelease) {
		t.Fatalf("Release past the bound = %v, want ErrOverRelease", err)
	}
	if st := s.State(); st.Value != 2 {
		t.Fatalf("value after refused release = %d, want 2", st.Value)
	}
	for _, bad := range [][3]int64{{-1, 0}, {3, 2}, {0, -1}} {
		var s semaphore.Semaphore
		if err := s.Init(bad[0], bad[1], false); err == nil {
			t.Errorf("Init(%d, %d) succeeded", bad[0], bad[1])
		}
	}
	var u semaphore.Semaphore // zero value: no permits, unbounded
	if u.TryAcquire(1) {
		t.Fatal("zero Semaphore gave a permit")
	}
	if err := u.Release(5); err != nil || !u.TryAcquire(5) {
		t.Fatalf("unbounded Release/TryAcquire: %v", err)
	}
}

// Acquire waits for a Release from another goroutine.
func TestAcquireWaits(t *testing.T) {
	var s semaphore.Semaphore
	done := make(chan error, 1)
	go func() { done <- s.Acquire(context.Background(), 2) }()
	s.Release(1)
	s.Release(1)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(testutil.Timeout):
		t.Fatal("Acquire never returned")
	}
}

func childSemHold(args []string) error {
	obj, err := semaphore.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	n, _ := strconv.ParseInt(args[1], 10, 64)
	if err := obj.Acquire(context.Background(), n); err != nil {
		return err
	}
	testutil.Send("holding")
	testutil.Recv()
	return nil
}

// createTracked makes a tracked semaphore of 3 permits, closed and removed
// when the test ends, and returns it and its name.
func createTracked(t *testing.T) (*semaphore.Named, string) {
	t.Helper()
	name := testutil.Name(t)
	obj, err := semaphore.Create(name, semaphore.Config{Value: 3, Max: 3, Tracked: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		obj.Close()
		shm.Remove(name)
	})
	return obj, name
}

// A tracked semaphore returns the permits of a holder that was killed, to
// a process waiting for them; shmtool's State shows the holders.
func TestTrackedHolderDeath(t *testing.T) {
	s, name := createTracked(t)
	p := testutil.Start(t, "sem-hold", name, "2")
	p.Expect("holding")
	st := s.State()
	if st.Value != 1 || len(st.Holders) != 1 || st.Holders[0].PID != p.Pid() || st.Holders[0].Permits != 2 || !st.Holders[0].Alive {
		t.Fatalf("State with a holder = %+v", st)
	}
	if err := s.Release(1); !errors.Is(err, semaphore.ErrNotHeld) {
		t.Fatalf("Release of permits this process does not hold = %v, want ErrNotHeld", err)
	}
	p.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	if err := s.Acquire(ctx, 3); err != nil {
		t.Fatalf("Acquire(3) after the holder died = %v", err)
	}
	if err := s.Release(3); err != nil {
		t.Fatal(err)
	}
	if st := s.State(); st.Value != 3 || len(st.Holders) != 1 || st.Holders[0].Permits != 0 {
		t.Fatalf("State after = %+v, want all 3 back and only this process listed", st)
	}
}

// Goroutines of one process that acquire for the first time together share
// one holder slot, so that every permit can be released.
func TestTrackedConcurrentFirstAcquire(t *testing.T) {
	for range 200 {
		var s semaphore.Semaphore
		s.Init(64, 64, true)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if !s.TryAcquire(1) {
					t.Error("TryAcquire failed", s.State(), s.Mu())
				}
			}()
		}
		wg.Wait()
		for range 8 {
			if err := s.Release(1); err != nil {
				t.Fatalf("Release: %v (holders %+v)", err, s.State().Holders)
			}
		}
		if st := s.State(); st.Value != 64 || len(st.Holders) != 1 {
			t.Fatalf("State = %+v, want 64 permits and one holder", st)
		}
	}
}

// Close wakes a goroutine of this process waiting in Acquire (it returns
// os.ErrClosed), and later calls fail the same way.
func TestNamedCloseWakesAcquire(t *testing.T) {
	name := testutil.Name(t)
	s, err := semaphore.Create(name, semaphore.Config{Value: 0, Max: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	acquired := make(chan error, 1)
	go func() { acquired <- s.Acquire(context.Background(), 1) }()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-acquired; !errors.Is(err, os.ErrClosed) {
		t.Errorf("Acquire parked at Close = %v, want os.ErrClosed", err)
	}
	if err := s.Release(1); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Release after Close = %v, want os.ErrClosed", err)
	}
	if s.TryAcquire(1) {
		t.Error("TryAcquire after Close succeeded")
	}
}

// OpenOrCreate creates once; the second keeps the first's configuration.
func TestNamedOpenOrCreate(t *testing.T) {
	name := testutil.Name(t)
	a, created, err := semaphore.OpenOrCreate(name, semaphore.Config{Value: 2, Max: 2}, nil)
	if err != nil || !created {
		t.Fatalf("OpenOrCreate = %v, created %v; want nil, true", err, created)
	}
	defer shm.Remove(name)
	defer a.Close()
	b, created, err := semaphore.OpenOrCreate(name, semaphore.Config{Value: 9}, nil)
	if err != nil || created {
		t.Fatalf("second OpenOrCreate = %v, created %v; want nil, false", err, created)
	}
	defer b.Close()
	if st := b.State(); st.Value != 2 || st.Max == nil || *st.Max != 2 {
		t.Errorf("State = %+v, want value 2 of max 2", st)
	}
	st, err := semaphore.Inspect(b.Segment())
	if err != nil || st.Value != 2 {
		t.Errorf("Inspect = %+v, %v; want value 2", st, err)
	}
}
