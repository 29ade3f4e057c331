package value_test

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

// childLocker takes the lock of the Value[int64] called args[0] and
// begins an update that the lock guards: the value and the Value[int64]
// called args[0]+"-other" are kept equal, and it stores 1 in the other
// one only. It says "locked" and then waits to be killed.
func childLocker(args []string) error {
	v, err := value.Open[int64](args[0], nil)
	if err != nil {
		return err
	}
	defer v.Close()
	other, err := value.Open[int64](args[0]+"-other", nil)
	if err != nil {
		return err
	}
	defer other.Close()
	if err := v.Lock(); err != nil {
		return err
	}
	if err := other.Store(1); err != nil {
		return err
	}
	testutil.Send("locked")
	testutil.Recv() // killed meanwhile
	return errors.New("locker: not killed")
}

// createPair creates the Value[int64]s that childLocker updates, both 0.
func createPair(t *testing.T) (v, other *value.Value[int64]) {
	t.Helper()
	name := testutil.Name(t)
	v, err := value.Create[int64](name, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close(); shm.Remove(name) })
	other, err = value.Create[int64](name+"-other", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close(); shm.Remove(name + "-other") })
	return v, other
}

// mustBlock fails the test unless lock, given a context that ends in
// 50ms, returns context.DeadlineExceeded.
func mustBlock(t *testing.T, op string, lock func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := lock(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s while another process holds the lock = %v, want context.DeadlineExceeded", op, err)
	}
}

// A process that holds the Value's lock excludes Lock and Store, in any
// process, but not Load or Add. When it is SIGKILLed holding it, the
// Lock waiting for it returns futex.ErrOwnerDead with the lock held; the
// new holder repairs what the lock guards and marks it consistent, and
// the lock is then as good as new.
func TestLockHolderKilled(t *testing.T) {
	v, other := createPair(t)
	p := testutil.Start(t, "locker", v.Segment().Name())
	p.Expect("locked")

	mustBlock(t, "LockContext", v.LockContext)
	mustBlock(t, "StoreContext", func(ctx context.Context) error { return v.StoreContext(ctx, 7) })
	mustBlock(t, "UpdateContext", func(ctx context.Context) error {
		return v.UpdateContext(ctx, func(x *int64) { *x = 7 })
	})
	if x, err := v.Load(); x != 0 || err != nil {
		t.Fatalf("Load while locked = %d, %v; want 0, nil", x, err)
	}
	if x := value.Add(v, 5); x != 5 {
		t.Fatalf("Add(5) while locked = %d, want 5", x)
	}

	locked := make(chan error, 1)
	go func() { locked <- v.Lock() }() // waits, parked or not, until the holder dies
	p.Kill()
	if err := <-locked; !errors.Is(err, futex.ErrOwnerDead) {
		t.Fatalf("Lock after its holder was killed = %v, want futex.ErrOwnerDead", err)
	}
	o, _ := other.Load()
	if o != 1 {
		t.Fatalf("other = %d, want 1 (the dead holder's half update)", o)
	}
	if err := v.StoreLocked(o); err != nil { // the repair
		t.Fatalf("StoreLocked = %v", err)
	}
	if err := v.UpdateLocked(func(x *int64) { *x *= 10 }); err != nil {
		t.Fatalf("UpdateLocked = %v", err)
	}
	if err := other.Store(10); err != nil {
		t.Fatal(err)
	}
	if err := v.MarkConsistent(); err != nil {
		t.Fatalf("MarkConsistent = %v", err)
	}
	if err := v.Unlock(); err != nil {
		t.Fatalf("Unlock = %v", err)
	}

	if err := v.Lock(); err != nil {
		t.Fatalf("Lock after the repair = %v, want nil", err)
	}
	if err := v.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := v.Store(11); err != nil {
		t.Fatalf("Store after the repair = %v", err)
	}
	if x, err := v.Load(); x != 11 || err != nil {
		t.Fatalf("Load = %d, %v; want 11, nil", x, err)
	}
}

// Unlocking after futex.ErrOwnerDead without MarkConsistent makes the
// lock unrecoverable, for Lock and for Store and Update alike.
func TestLockUnrecoverable(t *testing.T) {
	v, _ := createPair(t)
	p := testutil.Start(t, "locker", v.Segment().Name())
	p.Expect("locked")
	p.Kill()
	if err := v.Lock(); !errors.Is(err, futex.ErrOwnerDead) {
		t.Fatalf("Lock after its holder was killed = %v, want futex.ErrOwnerDead", err)
	}
	if err := v.Unlock(); err != nil {
		t.Fatalf("Unlock = %v", err)
	}
	if err := v.Lock(); !errors.Is(err, futex.ErrNotRecoverable) {
		t.Errorf("Lock = %v, want futex.ErrNotRecoverable", err)
	}
	if err := v.Store(1); !errors.Is(err, futex.ErrNotRecoverable) {
		t.Errorf("Store = %v, want futex.ErrNotRecoverable", err)
	}
	if err := v.Update(func(*int64) {}); !errors.Is(err, futex.ErrNotRecoverable) {
		t.Errorf("Update = %v, want futex.ErrNotRecoverable", err)
	}
	if x := value.Add(v, 1); x != 1 { // the atomics never needed the lock
		t.Errorf("Add(1) = %d, want 1", x)
	}
}

// A Store or Update that takes the lock from a dead holder recovers it,
// as documented: the next Lock returns nil.
func TestStoreRecoversDeadLockHolder(t *testing.T) {
	v, _ := createPair(t)
	p := testutil.Start(t, "locker", v.Segment().Name())
	p.Expect("locked")
	p.Kill()
	if err := v.Store(3); err != nil {
		t.Fatalf("Store after the holder was killed = %v, want nil", err)
	}
	if err := v.Lock(); err != nil {
		t.Fatalf("Lock after that Store = %v, want nil", err)
	}
	if err := v.Unlock(); err != nil {
		t.Fatal(err)
	}
}

// A Lock that inherits a value torn by a writer killed mid-Store gets
// futex.ErrOwnerDead, and UpdateLocked reports the value torn. Meanwhile
// the value is mid-write with a live writer, the holder, which may be
// repairing it: Load waits, up to its budget, and returns the repaired
// value once StoreLocked has written it.
func TestLockAfterWriterKilledMidStore(t *testing.T) {
	defer value.SetLoadBudget(testBudget)()
	name := testutil.Name(t)
	v, err := value.Create(name, wide{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer v.Close()
	p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=value/store/half=kill"}, "writer", name, "once", "7")
	if sig := p.Signal(); sig != syscall.SIGKILL {
		t.Fatalf("writer ended by %v, want SIGKILL; stderr %s", sig, p.Stderr())
	}
	if err := v.Lock(); !errors.Is(err, futex.ErrOwnerDead) {
		t.Fatalf("Lock after the writer was killed = %v, want futex.ErrOwnerDead", err)
	}
	if err := v.UpdateLocked(func(*wide) {}); !errors.Is(err, value.ErrCorrupt) {
		t.Fatalf("UpdateLocked of a torn value = %v, want ErrCorrupt", err)
	}
	if _, err := v.Load(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Load of a torn value under repair = %v, want os.ErrDeadlineExceeded", err)
	}
	w := wide{F: [8]uint64{4, 4, 4, 4, 4, 4, 4, 4}}
	if err := v.StoreLocked(w); err != nil {
		t.Fatal(err)
	}
	if err := v.MarkConsistent(); err != nil {
		t.Fatal(err)
	}
	if err := v.Unlock(); err != nil {
		t.Fatal(err)
	}
	if got, err := v.Load(); got != w || err != nil {
		t.Fatalf("Load after the repair = %v, %v; want %v, nil", got, err, w)
	}
}

// A holder that took the lock from a dead one may write before it marks
// the lock consistent (repair, then vouch): a Load that finds that write
// in flight is reading under a live writer, not a dead one, and never
// reports the value torn. Here the write is stopped half-way (the
// sequence odd), and Load gives up on a stuck writer instead.
func TestLoadDuringRepair(t *testing.T) {
	defer value.SetLoadBudget(testBudget)()
	name := testutil.Name(t)
	v, err := value.Create(name, wide{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer v.Close()
	p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=futex/mutex/acquired=kill"}, "writer", name, "once", "7")
	if sig := p.Signal(); sig != syscall.SIGKILL {
		t.Fatalf("writer ended by %v, want SIGKILL; stderr %s", sig, p.Stderr())
	}
	if err := v.Lock(); !errors.Is(err, futex.ErrOwnerDead) {
		t.Fatalf("Lock after the holder was killed = %v, want futex.ErrOwnerDead", err)
	}
	seq, _ := value.Control(v)
	seq.Add(1) // a StoreLocked, stopped half-way
	if _, err := v.Load(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Load during a live holder's write before MarkConsistent = %v, want os.ErrDeadlineExceeded", err)
	}
	seq.Add(1)
	if got, err := v.Load(); err != nil || got != (wide{}) {
		t.Fatalf("Load after the write = %v, %v; want the zero value, nil", got, err)
	}
	if err := v.MarkConsistent(); err != nil {
		t.Fatal(err)
	}
	if err := v.Unlock(); err != nil {
		t.Fatal(err)
	}
}

// The methods for the holder fail without the lock; Unlock and Close do
// not unlock one another's.
func TestLockNotHeld(t *testing.T) {
	v, _ := createPair(t)
	for op, err := range map[string]error{
		"Unlock":         v.Unlock(),
		"MarkConsistent": v.MarkConsistent(),
		"StoreLocked":    v.StoreLocked(1),
		"UpdateLocked":   v.UpdateLocked(func(*int64) {}),
	} {
		if !errors.Is(err, futex.ErrNotOwner) {
			t.Errorf("%s without the lock = %v, want futex.ErrNotOwner", op, err)
		}
	}
	if x, _ := v.Load(); x != 0 {
		t.Errorf("Load = %d, want 0: nothing was stored", x)
	}
}

// Close wakes a goroutine waiting in LockContext (it returns
// os.ErrClosed, without the lock); a lock held at Close stays held.
func TestCloseWakesLock(t *testing.T) {
	name := testutil.Name(t)
	v, err := value.Create[int64](name, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	locked := make(chan error, 1)
	go func() { locked <- v.LockContext(context.Background()) }()
	_, mu := value.Control(v)
	for deadline := time.Now().Add(testutil.Timeout); mu.State().Waiters == 0; { // until it parks on the futex
		if time.Now().After(deadline) {
			t.Fatal("LockContext never parked")
		}
		time.Sleep(time.Millisecond)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-locked; !errors.Is(err, os.ErrClosed) {
		t.Fatalf("LockContext woken by Close = %v, want os.ErrClosed", err)
	}
	if err := v.Unlock(); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Unlock after Close = %v, want os.ErrClosed", err)
	}
	w, err := value.Open[int64](name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, mu = value.Control(w)
	if st := mu.State(); !st.Locked || st.OwnerPID != os.Getpid() {
		t.Fatalf("lock after Close = %+v, want still held by this process", st)
	}
}
