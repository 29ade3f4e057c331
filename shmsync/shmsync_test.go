package shmsync_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/shmsync"
)

// childLockAndHold opens the mutex args[0] by name, locks it, says so and
// waits to be killed.
func childLockAndHold(args []string) error {
	m, err := shmsync.OpenMutex(args[0], nil)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Lock(); err != nil {
		return err
	}
	testutil.Send("locked")
	testutil.Recv()
	return nil
}

// A process that dies holding a named mutex hands it on with
// ErrOwnerDead; the next locker repairs, and the mutex goes on.
func TestMutexOwnerKilled(t *testing.T) {
	name := testutil.Name(t)
	m, err := shmsync.CreateMutex(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer m.Close()
	p := testutil.Start(t, "lock-and-hold", name)
	p.Expect("locked")
	if ok, err := m.TryLock(); ok || err != nil {
		t.Fatalf("TryLock while a live process holds it = %v, %v; want false, nil", ok, err)
	}
	locked := make(chan error, 1)
	go func() { locked <- m.Lock() }()
	p.Kill()
	if err := <-locked; !errors.Is(err, futex.ErrOwnerDead) {
		t.Fatalf("Lock after the owner was killed = %v, want ErrOwnerDead", err)
	}
	if err := m.MarkConsistent(); err != nil {
		t.Fatal(err)
	}
	if err := m.Unlock(); err != nil {
		t.Fatal(err)
	}
	if st := m.State(); st.Locked || st.Status != "consistent" {
		t.Errorf("State = %+v, want unlocked and consistent", st)
	}
}

// Close wakes this process's goroutines parked on each kind: a Lock on a
// held mutex, an Event's Wait, a Barrier's Wait and a Cond's Wait and
// Lock. Each returns os.ErrClosed, and later calls do too.
func TestCloseWakesParked(t *testing.T) {
	base := testutil.Name(t)
	m, err := shmsync.CreateMutex(base+"-m", nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := shmsync.CreateEvent(base+"-e", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := shmsync.CreateBarrier(base+"-b", shmsync.BarrierConfig{Parties: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := shmsync.CreateCond(base+"-c", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"-m", "-e", "-b", "-c"} {
		defer shm.Remove(base + s)
	}
	if err := m.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := c.Lock(); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 5)
	ctx := context.Background()
	go func() { errs <- m.Lock() }()                   // the mutex is held: parks
	go func() { errs <- e.Wait(ctx) }()                // never set
	go func() { _, err := b.Wait(ctx); errs <- err }() // one party of three
	go func() { errs <- c.Wait(ctx) }()                // never signalled
	time.Sleep(20 * time.Millisecond)                  // let them park: a Close that comes first is fine too
	go func() { errs <- c.LockContext(ctx) }()         // after Wait released the mutex, one waits for the Lock held below
	for _, cl := range []interface{ Close() error }{m, e, b, c} {
		if err := cl.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for range 5 {
		select {
		case err := <-errs:
			if !errors.Is(err, os.ErrClosed) && err != nil {
				t.Errorf("parked call after Close = %v, want os.ErrClosed", err)
			}
		case <-time.After(testutil.Timeout):
			t.Fatal("a parked call did not return after Close")
		}
	}
	if err := m.Unlock(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Unlock after Close = %v, want os.ErrClosed", err)
	}
	if err := e.Set(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Set after Close = %v, want os.ErrClosed", err)
	}
}

// OpenOrCreate creates once and opens after; a barrier of another size is
// refused.
func TestOpenOrCreate(t *testing.T) {
	name := testutil.Name(t)
	a, created, err := shmsync.OpenOrCreateBarrier(name, shmsync.BarrierConfig{Parties: 2}, nil)
	if err != nil || !created {
		t.Fatalf("OpenOrCreateBarrier = %v, created %v; want nil, true", err, created)
	}
	defer shm.Remove(name)
	defer a.Close()
	b, created, err := shmsync.OpenOrCreateBarrier(name, shmsync.BarrierConfig{Parties: 2}, nil)
	if err != nil || created {
		t.Fatalf("second OpenOrCreateBarrier = %v, created %v; want nil, false", err, created)
	}
	defer b.Close()
	if _, _, err := shmsync.OpenOrCreateBarrier(name, shmsync.BarrierConfig{Parties: 3}, nil); !errors.Is(err, shm.ErrIncompatible) {
		t.Errorf("OpenOrCreateBarrier for 3 parties = %v, want ErrIncompatible", err)
	}
	if _, err := shmsync.OpenMutex(name, nil); !errors.Is(err, shm.ErrIncompatible) && !errors.Is(err, shm.ErrTypeMismatch) {
		t.Errorf("OpenMutex on a barrier = %v, want a kind mismatch", err)
	}
	done := make(chan int, 2)
	for _, h := range []*shmsync.Barrier{a, b} {
		go func() { i, _ := h.Wait(context.Background()); done <- i }()
	}
	if x, y := <-done, <-done; x+y != 1 {
		t.Errorf("arrival indices %d and %d, want 0 and 1", x, y)
	}
}

// The inspectors read each kind's state from a read-only observer's
// segment.
func TestInspectors(t *testing.T) {
	name := testutil.Name(t)
	e, err := shmsync.CreateEvent(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer e.Close()
	e.Set()
	seg, err := shm.Open(name, &shm.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	for _, in := range shmsync.Inspectors() {
		st, err := in.Inspect(seg)
		if in.Kind() != "event" {
			if err == nil {
				t.Errorf("%s inspector read an event segment", in.Kind())
			}
			continue
		}
		if es, ok := st.(futex.EventState); err != nil || !ok || !es.Set {
			t.Errorf("event inspector = %+v, %v; want a set EventState", st, err)
		}
	}
}

// A named mutex gives a sync.Locker that repairs after a dead owner.
func TestMutexLocker(t *testing.T) {
	name := testutil.Name(t)
	m, err := shmsync.CreateMutex(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer m.Close()
	p := testutil.Start(t, "lock-and-hold", name)
	p.Expect("locked")
	p.Kill()
	repaired := false
	l := m.Locker(func() error { repaired = true; return nil })
	l.Lock()
	locked := m.State().Locked
	l.Unlock()
	if !locked || !repaired || m.State().Status != "consistent" {
		t.Fatalf("repaired %v, state %+v; want a repair and a consistent mutex", repaired, m.State())
	}
}
