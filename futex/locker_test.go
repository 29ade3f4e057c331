package futex_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/testutil"
)

// A Locker over a robust mutex, which a process was SIGKILLed holding,
// runs the repair once, with the lock held, and goes on as a sync.Locker;
// a sync.Cond works over it.
func TestLockerRepairsAfterOwnerDeath(t *testing.T) {
	obj := createCounter(t)
	c := obj.Get()
	p := testutil.Start(t, "lock-hold", obj.Segment().Name())
	p.Expect("locked")
	p.Kill()
	repairs := 0
	var l sync.Locker = c.Mu.Locker(func() error { repairs++; c.N = 7; return nil })
	l.Lock()
	c.N++
	l.Unlock()
	l.Lock()
	n := c.N // read under the lock: the second Lock repairs nothing
	l.Unlock()
	if repairs != 1 || n != 8 {
		t.Fatalf("repairs %d, N %d; want 1 repair and N 8", repairs, c.N)
	}
	_ = sync.NewCond(l) // it is a sync.Locker
}

// A repair that fails panics, with the reason, and leaves the mutex
// unrecoverable: nobody else trusts the half-updated data either.
func TestLockerRepairFails(t *testing.T) {
	obj := createCounter(t)
	c := obj.Get()
	p := testutil.Start(t, "lock-hold", obj.Segment().Name())
	p.Expect("locked")
	p.Kill()
	l := c.Mu.Locker(func() error { return errors.New("cannot rebuild the index") })
	got := func() (msg string) {
		defer func() { msg = fmt.Sprint(recover()) }()
		l.Lock()
		return ""
	}()
	if !strings.Contains(got, "cannot rebuild the index") {
		t.Fatalf("Lock with a failing repair panicked with %q, want the repair's error", got)
	}
	if err := c.Mu.Lock(); !errors.Is(err, futex.ErrNotRecoverable) {
		t.Fatalf("Lock after a failed repair = %v, want ErrNotRecoverable", err)
	}
}
