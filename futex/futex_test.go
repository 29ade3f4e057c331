package futex_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func TestMain(m *testing.M) {
	testutil.Child("waiter", childWaiter)
	testutil.Main(m)
}

// childWaiter waits on the first word of segment args[0] until it becomes
// non-zero, and reports how many times Wait returned and the final value.
func childWaiter(args []string) error {
	seg, err := shm.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer seg.Close()
	w := word(seg.Payload())
	testutil.Send("waiting")
	returns := 0
	for w.Load() == 0 {
		if err := futex.Wait(w, 0); err != nil {
			return err
		}
		returns++
	}
	testutil.Send("woken value=%d", w.Load())
	return nil
}

func segment(t *testing.T) *shm.Segment {
	t.Helper()
	name := testutil.Name(t)
	seg, err := shm.Create(name, 4096, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		seg.Close()
		shm.Remove(name)
	})
	return seg
}

// A waiter in one process is woken by a Wake in another. Wake's count
// proves that the child was parked in the kernel, not just spinning.
func TestCrossProcessWake(t *testing.T) {
	seg := segment(t)
	w := word(seg.Payload())
	p := testutil.Start(t, "waiter", seg.Name())
	p.Expect("waiting")
	// Until Wake reports a woken waiter, the child has not parked yet.
	// Each such wake-up is spurious for the child (the word is still 0),
	// so it parks again.
	deadline := time.Now().Add(testutil.Timeout)
	for {
		n, err := futex.Wake(w, 1)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child never parked on the futex")
		}
		time.Sleep(time.Millisecond)
	}
	w.Store(7)
	if _, err := futex.Wake(w, futex.All); err != nil {
		t.Fatal(err)
	}
	p.Expect("woken value=7")
	p.Wait()
}

func TestWaitValueChanged(t *testing.T) {
	var w atomic.Uint32
	w.Store(1)
	if err := futex.Wait(&w, 0); err != nil { // EAGAIN: returns at once
		t.Fatalf("Wait with a stale value = %v, want nil", err)
	}
}

func TestWaitUntilDeadline(t *testing.T) {
	var w atomic.Uint32
	const d = 30 * time.Millisecond
	start := time.Now()
	err := futex.WaitUntil(&w, 0, start.Add(d))
	elapsed := time.Since(start)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("WaitUntil = %v, want os.ErrDeadlineExceeded", err)
	}
	// A shared machine may be slow to wake us, but never early, and an
	// absurd delay would mean the deadline was not absolute.
	if elapsed < d || elapsed > d+5*time.Second {
		t.Fatalf("WaitUntil returned after %v, want %v and not absurdly later", elapsed, d)
	}
	if err := futex.WaitUntil(&w, 0, time.Now().Add(-time.Second)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("WaitUntil(past) = %v, want os.ErrDeadlineExceeded", err)
	}
	if err := futex.WaitTimeout(&w, 0, time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("WaitTimeout = %v, want os.ErrDeadlineExceeded", err)
	}
}

// A deadline too far away to represent means no deadline, not EINVAL.
func TestWaitFarDeadline(t *testing.T) {
	var w atomic.Uint32
	w.Store(1) // the kernel checks the timeout before the value
	if err := futex.WaitTimeout(&w, 0, math.MaxInt64); err != nil {
		t.Fatalf("WaitTimeout(MaxInt64) = %v, want nil", err)
	}
	if err := futex.WaitUntil(&w, 0, time.Now().Add(200*365*24*time.Hour)); err != nil {
		t.Fatalf("WaitUntil(in 200 years) = %v, want nil", err)
	}
}

func TestWaitContextCancel(t *testing.T) {
	var w atomic.Uint32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		for w.Load() == 0 { // as every caller does: spurious returns loop
			if err := futex.WaitContext(ctx, &w, 0); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	// Wait until the goroutine is parked in the kernel, so that the
	// cancellation has to reach it there.
	for n := 0; n == 0; {
		var err error
		if n, err = futex.Wake(&w, 1); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Microsecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("WaitContext after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(testutil.Timeout):
		t.Fatal("WaitContext did not return after cancel")
	}
	if err := futex.WaitContext(ctx, &w, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitContext(cancelled ctx) = %v, want context.Canceled", err)
	}
}

func TestWaitContextDeadline(t *testing.T) {
	var w atomic.Uint32
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := futex.WaitContext(ctx, &w, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitContext past deadline = %v, want context.DeadlineExceeded", err)
	}
	// A context without Done falls through to a plain wait.
	w.Store(1)
	if err := futex.WaitContext(context.Background(), &w, 0); err != nil {
		t.Fatalf("WaitContext(Background) with stale value = %v", err)
	}
}

// Goroutines over heap memory, so that the race detector checks the
// orderings: every waiter sees the value stored before the Wake.
func TestWakeAllGoroutines(t *testing.T) {
	var w atomic.Uint32
	var payload [8]int // plain memory published by the store to w
	const waiters = 8
	var wg sync.WaitGroup
	errs := make(chan error, waiters)
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for w.Load() == 0 {
				if err := futex.Wait(&w, 0); err != nil {
					errs <- err
					return
				}
			}
			if payload[3] != 42 {
				errs <- fmt.Errorf("waiter saw payload %d, want 42", payload[3])
			}
		}()
	}
	payload[3] = 42
	w.Store(1)
	if _, err := futex.Wake(&w, futex.All); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestWakeNone(t *testing.T) {
	var w atomic.Uint32
	if n, err := futex.Wake(&w, 0); n != 0 || err != nil {
		t.Fatalf("Wake(n=0) = %d, %v; want 0, nil", n, err)
	}
	if n, err := futex.Wake(&w, 5); n != 0 || err != nil {
		t.Fatalf("Wake with no waiters = %d, %v; want 0, nil", n, err)
	}
}

// A waiter notices a Set even when a Clear follows at once, before it runs.
func TestEventSetThenClear(t *testing.T) {
	var e futex.Event
	const waiters = 50
	done := make(chan error, waiters)
	for range waiters {
		go func() { done <- e.Wait(context.Background()) }()
	}
	// Every waiter must have begun (it counts itself after reading the
	// word): one that begins after the Clear rightly waits for a new Set.
	for e.State().Waiters < waiters {
		time.Sleep(time.Millisecond)
	}
	e.Set()
	e.Clear()
	for range waiters {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(testutil.Timeout):
			t.Fatal("a waiter missed a Set followed by a Clear")
		}
	}
	if e.IsSet() {
		t.Fatal("IsSet after Clear")
	}
}

// Aborting after a generation completed does not turn that generation's
// success into ErrBrokenBarrier for a party that had not yet run.
func TestBarrierAbortAfterRelease(t *testing.T) {
	for range 200 {
		var b futex.Barrier
		b.Init(2)
		got := make(chan error, 1)
		go func() { _, err := b.Wait(context.Background()); got <- err }()
		for b.State().Arrived != 1 {
			runtime.Gosched()
		}
		if _, err := b.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		b.Abort()
		if err := <-got; err != nil {
			t.Fatalf("first party of a released generation got %v", err)
		}
	}
}

// Reset while a party waits breaks it; a party that arrives after the
// Reset waits in the new epoch.
func TestBarrierReset(t *testing.T) {
	var b futex.Barrier
	b.Init(2)
	got := make(chan error, 1)
	go func() { _, err := b.Wait(context.Background()); got <- err }()
	for b.State().Arrived != 1 {
		runtime.Gosched()
	}
	b.Reset()
	if err := <-got; !errors.Is(err, futex.ErrBrokenBarrier) {
		t.Fatalf("Wait across Reset = %v, want ErrBrokenBarrier", err)
	}
	go func() { _, err := b.Wait(context.Background()); got <- err }()
	if _, err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

func TestWaitMany(t *testing.T) {
	var ws [5]atomic.Uint32
	words := []*atomic.Uint32{&ws[0], &ws[1], &ws[2], &ws[3], &ws[4]}
	vals := make([]uint32, 5)
	got := make(chan int, 1)
	go func() {
		i, err := futex.WaitMany(context.Background(), words, vals, time.Time{})
		if err != nil {
			t.Error(err)
		}
		got <- i
	}()
	// Wake word 3 until the waiter returns (it may not have parked yet:
	// a store first, so that a late waiter sees the change).
	ws[3].Store(1)
	for {
		futex.Wake(&ws[3], 1)
		select {
		case i := <-got:
			if i != 3 && i != -1 {
				t.Fatalf("WaitMany returned index %d, want 3", i)
			}
			goto deadline
		case <-time.After(time.Millisecond):
		}
	}
deadline:
	ws[3].Store(0)
	if _, err := futex.WaitMany(context.Background(), words, vals, time.Now().Add(20*time.Millisecond)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("WaitMany past its deadline = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := futex.WaitMany(ctx, words, vals, time.Time{}); done <- err }()
	time.Sleep(5 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("WaitMany after cancel = %v", err)
		}
	case <-time.After(testutil.Timeout):
		t.Fatal("WaitMany did not return after cancel")
	}
	ws[4].Store(9)
	if i, err := futex.WaitMany(context.Background(), words, vals, time.Time{}); i != 4 || err != nil {
		t.Fatalf("WaitMany with word 4 changed = %d, %v; want 4", i, err)
	}
}
