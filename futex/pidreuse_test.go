package futex_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// A mutex whose owner died is taken over with ErrOwnerDead even when a new,
// live process has the dead owner's pid: ownership is a liveness token,
// not a pid.
func TestMutexOwnerPIDReused(t *testing.T) {
	obj := createCounter(t)
	m := &obj.Get().Mu
	p := testutil.Start(t, "lock-hold", obj.Segment().Name())
	p.Expect("locked")
	pid := p.Pid()
	p.Kill()
	q, _ := testutil.ReusePID(t, pid)
	if st := m.State(); st.OwnerAlive || !st.Locked {
		t.Fatalf("State with the owner's pid %d reused by a live process = %+v, want locked by a dead owner", q.Pid(), st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	if err := m.LockContext(ctx); !errors.Is(err, futex.ErrOwnerDead) {
		t.Fatalf("Lock with the owner's pid reused = %v, want ErrOwnerDead", err)
	}
	m.MarkConsistent()
	m.Unlock()
}

// A party killed at a barrier breaks it for the others even when a live
// process has taken its pid; a stopped party does not.
func TestBarrierPartyPIDReusedAndStopped(t *testing.T) {
	name := testutil.Name(t)
	obj, err := shm.CreateObject(name, func(b *futex.Barrier) error { return b.Init(3) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer obj.Close()
	b := obj.Get()

	// Stopped after arriving: alive, so the barrier waits (here, until
	// our context ends) and never reports a dead party.
	p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=futex/barrier/arrived=stop"}, "barrier-party", name, "1")
	p.WaitStopped()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, err = b.Wait(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait beside a stopped party = %v, want the context's DeadlineExceeded", err)
	}
	p.Kill()
	b.Reset()

	// Killed after arriving, its pid then reused: the party is dead.
	p = testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=futex/barrier/arrived=kill"}, "barrier-party", name, "1")
	p.WaitError()
	testutil.ReusePID(t, p.Pid())
	ctx, cancel = context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	if _, err := b.Wait(ctx); !errors.Is(err, futex.ErrBrokenBarrier) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait beside a dead party whose pid was reused = %v, want ErrBrokenBarrier for the death", err)
	}
}

// A setter stopped (or killed) between setting the event and waking the
// waiters delays them by a recheck, not for ever.
func TestEventSetterStoppedBeforeWake(t *testing.T) {
	name := testutil.Name(t)
	obj, err := shm.CreateObject[futex.Event](name, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer obj.Close()
	w := testutil.Start(t, "event-wait", name)
	w.Expect("waiting")
	waitFor(t, "a parked waiter", func() bool { return obj.Get().State().Waiters >= 1 })
	s := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=futex/event/set=stop"}, "event-set", name)
	s.WaitStopped()
	w.Expect("set")
	w.Wait()
	s.Kill()
}

func childEventSet(args []string) error {
	obj, err := shm.OpenObject[futex.Event](args[0], nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	obj.Get().Set()
	return nil
}
