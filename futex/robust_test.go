package futex_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// counter is a plain counter guarded by the primitives in the same struct.
type counter struct {
	Mu   futex.Mutex
	Cond futex.Cond
	Busy uint32 // guarded by Mu; for the Cond-based handoff
	N    uint64 // plain, not atomic: the lock is what keeps it exact
}

func init() {
	testutil.Child("mutex-inc", childMutexInc)
	testutil.Child("cond-inc", childCondInc)
	testutil.Child("lock-hold", childLockHold)
	testutil.Child("lock-wait", childLockWait)
	testutil.Child("event-wait", childEventWait)
	testutil.Child("event-set", childEventSet)
	testutil.Child("barrier-party", childBarrierParty)
}

func openCounter(name string) (*shm.Object[counter], error) {
	return shm.OpenObject[counter](name, nil)
}

// childMutexInc adds 1 to N args[1] times, each under the mutex.
func childMutexInc(args []string) error {
	obj, err := openCounter(args[0])
	if err != nil {
		return err
	}
	defer obj.Close()
	c := obj.Get()
	n, _ := strconv.Atoi(args[1])
	testutil.Send("ready")
	testutil.Recv()
	for range n {
		if err := c.Mu.Lock(); err != nil {
			return err
		}
		c.N++
		if err := c.Mu.Unlock(); err != nil {
			return err
		}
	}
	testutil.Send("done")
	return nil
}

// childCondInc adds 1 to N args[1] times, each while holding a "busy" flag
// handed from process to process through the Cond.
func childCondInc(args []string) error {
	obj, err := openCounter(args[0])
	if err != nil {
		return err
	}
	defer obj.Close()
	c := obj.Get()
	n, _ := strconv.Atoi(args[1])
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	testutil.Send("ready")
	testutil.Recv()
	for range n {
		if err := c.Mu.Lock(); err != nil {
			return err
		}
		for c.Busy != 0 {
			if err := c.Cond.Wait(ctx, &c.Mu); err != nil {
				return err
			}
		}
		c.Busy = 1
		c.Mu.Unlock()
		c.N++ // guarded by Busy, not by Mu
		c.Mu.Lock()
		c.Busy = 0
		c.Cond.Signal()
		c.Mu.Unlock()
	}
	testutil.Send("done")
	return nil
}

func createCounter(t testing.TB) *shm.Object[counter] {
	t.Helper()
	name := testutil.Name(t)
	obj, err := shm.CreateObject[counter](name, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		obj.Close()
		shm.Remove(name)
	})
	return obj
}

// runIncrementers runs procs children of kind together and checks that N
// ends at procs*iters exactly.
func runIncrementers(t *testing.T, obj *shm.Object[counter], kind string, procs, iters int) {
	testutil.RunTogether(t, procs, kind, obj.Segment().Name(), strconv.Itoa(iters))
	if got, want := obj.Get().N, uint64(procs*iters); got != want {
		t.Fatalf("counter = %d, want %d", got, want)
	}
}

func TestMutexExclusion(t *testing.T) {
	runIncrementers(t, createCounter(t), "mutex-inc", 4, 250_000)
}

func TestCondHandoffExclusion(t *testing.T) {
	runIncrementers(t, createCounter(t), "cond-inc", 4, 250_000)
}

// childLockHold locks the mutex and waits, to be killed or stopped; with
// args[1] == "stop" it stops itself while holding the lock, and unlocks when
// continued.
func childLockHold(args []string) error {
	obj, err := openCounter(args[0])
	if err != nil {
		return err
	}
	defer obj.Close()
	if err := obj.Get().Mu.Lock(); err != nil {
		return err
	}
	testutil.Send("locked")
	if len(args) > 1 && args[1] == "stop" {
		testutil.StopSelf()
		testutil.Send("continued")
		return obj.Get().Mu.Unlock()
	}
	testutil.Recv()
	return nil
}

// childLockWait locks the mutex and reports what Lock returned; with
// args[1] == "mark" it repairs an owner-dead mutex, otherwise it leaves it.
func childLockWait(args []string) error {
	obj, err := openCounter(args[0])
	if err != nil {
		return err
	}
	defer obj.Close()
	m := &obj.Get().Mu
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	testutil.Send("waiting")
	err = m.LockContext(ctx)
	switch {
	case err == nil:
		testutil.Send("ok")
	case errors.Is(err, futex.ErrOwnerDead):
		if args[1] == "mark" {
			obj.Get().N = 42 // "repair" the guarded state
			if err := m.MarkConsistent(); err != nil {
				return err
			}
		}
		testutil.Send("owner-dead")
	case errors.Is(err, futex.ErrNotRecoverable):
		testutil.Send("not-recoverable")
		return nil
	default:
		return err
	}
	return m.Unlock()
}

// waitFor polls cond, for a state another process is about to reach, and
// fails the test after testutil.Timeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testutil.Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// The owner is SIGKILLed holding the lock while three other processes are
// parked on it: exactly one of them gets ErrOwnerDead, with the lock.
func TestMutexOwnerDeath(t *testing.T) {
	for _, mark := range []bool{true, false} {
		t.Run(fmt.Sprintf("mark=%v", mark), func(t *testing.T) {
			obj := createCounter(t)
			m := &obj.Get().Mu
			holder := testutil.Start(t, "lock-hold", obj.Segment().Name())
			holder.Expect("locked")
			mode := "leave"
			if mark {
				mode = "mark"
			}
			var ws []*testutil.Proc
			for range 3 {
				w := testutil.Start(t, "lock-wait", obj.Segment().Name(), mode)
				w.Expect("waiting")
				ws = append(ws, w)
			}
			waitFor(t, "3 parked waiters", func() bool { return m.State().Waiters >= 3 })
			holder.Kill()
			got := map[string]int{}
			for _, w := range ws {
				got[w.ReadLine()]++
				w.Wait()
			}
			want := map[string]int{"owner-dead": 1, "ok": 2}
			if !mark {
				want = map[string]int{"owner-dead": 1, "not-recoverable": 2}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("waiters reported %v, want %v", got, want)
			}
			err := m.Lock()
			if mark {
				if err != nil {
					t.Fatalf("Lock after repair = %v, want nil (the owner-dead report comes once)", err)
				}
				if obj.Get().N != 42 {
					t.Fatalf("repaired state N = %d, want 42", obj.Get().N)
				}
				m.Unlock()
				if st := m.State(); st.Status != "consistent" || st.Locked {
					t.Fatalf("State after repair = %+v", st)
				}
			} else {
				if !errors.Is(err, futex.ErrNotRecoverable) {
					t.Fatalf("Lock of unrecoverable mutex = %v, want ErrNotRecoverable", err)
				}
				if ok, err := m.TryLock(); ok || !errors.Is(err, futex.ErrNotRecoverable) {
					t.Fatalf("TryLock of unrecoverable mutex = %v, %v", ok, err)
				}
				if st := m.State(); st.Status != "unrecoverable" || st.Locked {
					t.Fatalf("State = %+v, want unrecoverable and unlocked", st)
				}
			}
		})
	}
}

// An owner that is alive but stopped is never robbed: waiters time out.
func TestMutexStoppedOwner(t *testing.T) {
	obj := createCounter(t)
	m := &obj.Get().Mu
	p := testutil.Start(t, "lock-hold", obj.Segment().Name(), "stop")
	p.Expect("locked")
	p.WaitStopped()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if err := m.LockContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("LockContext on a stopped owner = %v, want DeadlineExceeded", err)
	}
	if ok, err := m.TryLock(); ok || err != nil {
		t.Fatalf("TryLock on a stopped owner = %v, %v; want false, nil", ok, err)
	}
	if st := m.State(); !st.Locked || !st.OwnerAlive || st.OwnerPID != p.Pid() || st.Status != "consistent" {
		t.Fatalf("State of a stopped owner = %+v", st)
	}
	syscall.Kill(p.Pid(), syscall.SIGCONT)
	p.Expect("continued")
	p.Wait()
	if err := m.Lock(); err != nil {
		t.Fatalf("Lock after the owner unlocked = %v", err)
	}
	m.Unlock()
}

// childEventWait waits for the event and reports it.
func childEventWait(args []string) error {
	obj, err := shm.OpenObject[futex.Event](args[0], nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	testutil.Send("waiting")
	if err := obj.Get().Wait(ctx); err != nil {
		return err
	}
	testutil.Send("set")
	return nil
}

// A waiter SIGKILLed while parked does not hold up the setter or the
// other waiters.
func TestEventWaiterKilled(t *testing.T) {
	name := testutil.Name(t)
	obj, err := shm.CreateObject[futex.Event](name, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer obj.Close()
	e := obj.Get()
	var ws []*testutil.Proc
	for range 3 {
		w := testutil.Start(t, "event-wait", name)
		w.Expect("waiting")
		ws = append(ws, w)
	}
	waitFor(t, "3 parked waiters", func() bool { return e.State().Waiters >= 3 })
	ws[0].Kill()
	e.Set() // must not block
	for _, w := range ws[1:] {
		w.Expect("set")
		w.Wait()
	}
	if !e.IsSet() {
		t.Fatal("event not set")
	}
}

// childBarrierParty waits at the barrier args[1] times, reporting each
// generation; with args[2] == "then-hang" it then stops participating
// (and waits to be killed).
func childBarrierParty(args []string) error {
	obj, err := shm.OpenObject[futex.Barrier](args[0], nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	rounds, _ := strconv.Atoi(args[1])
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	for i := range rounds {
		if _, err := obj.Get().Wait(ctx); err != nil {
			testutil.Send("broken %v", errors.Is(err, futex.ErrBrokenBarrier))
			return nil
		}
		testutil.Send("passed %d", i)
	}
	if len(args) > 2 {
		testutil.Recv() // working, until killed
	}
	return nil
}

// A party killed between generations breaks the barrier for the others,
// which return ErrBrokenBarrier instead of hanging; Reset repairs it.
func TestBarrierPartyKilled(t *testing.T) {
	name := testutil.Name(t)
	obj, err := shm.CreateObject(name, func(b *futex.Barrier) error { return b.Init(3) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer obj.Close()
	a := testutil.Start(t, "barrier-party", name, "2")
	b := testutil.Start(t, "barrier-party", name, "2")
	c := testutil.Start(t, "barrier-party", name, "1", "then-hang")
	for _, p := range []*testutil.Proc{a, b, c} {
		p.Expect("passed 0")
	}
	waitFor(t, "2 parties at generation 1", func() bool { return obj.Get().State().Arrived == 2 })
	c.Kill()
	a.Expect("broken true")
	b.Expect("broken true")
	a.Wait()
	b.Wait()
	if st := obj.Get().State(); !st.Broken || st.Parties != 3 {
		t.Fatalf("State = %+v, want broken", st)
	}
	obj.Get().Reset()
	if st := obj.Get().State(); st.Broken || st.Arrived != 0 {
		t.Fatalf("State after Reset = %+v", st)
	}
	// Repaired: three fresh parties pass.
	var ps []*testutil.Proc
	for range 3 {
		ps = append(ps, testutil.Start(t, "barrier-party", name, "1"))
	}
	for _, p := range ps {
		p.Expect("passed 0")
		p.Wait()
	}
}

// A party killed after arriving breaks its generation even when the last
// party arrives at once, before any waiter's recheck: the last arrival
// looks at every member before it releases, so the rule does not depend
// on timing.
func TestBarrierArrivedPartyKilledBreaksAtRelease(t *testing.T) {
	name := testutil.Name(t)
	obj, err := shm.CreateObject(name, func(b *futex.Barrier) error { return b.Init(2) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer obj.Close()
	p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=futex/barrier/arrived=kill"}, "barrier-party", name, "1")
	if sig := p.Signal(); sig != syscall.SIGKILL {
		t.Fatalf("party ended by %v, want SIGKILL after arriving", sig)
	}
	_, err = obj.Get().Wait(context.Background()) // the last party: it would release
	if !errors.Is(err, futex.ErrBrokenBarrier) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", p.Pid())) {
		t.Fatalf("last arrival after a party died = %v, want ErrBrokenBarrier naming pid %d", err, p.Pid())
	}
}
