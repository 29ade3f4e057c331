package futex_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// pingPong is two events bounced between two processes.
type pingPong struct {
	Ping, Pong futex.Event
	Count      uint64 // written by the child only
}

func init() { testutil.Child("pong", childPong) }

// parkDelay exceeds Event's spin, so a waiter kept waiting this long parks.
const parkDelay = 40 * time.Microsecond

// stallWatchdog returns a context that ends once *done stops growing for
// testutil.Timeout: a lost wake-up stalls a side for good, while a side
// that is only slow (the race detector, a loaded CI machine) keeps
// counting. A deadline on the whole run took the second for the first.
func stallWatchdog(done *atomic.Int64) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		last, since := done.Load(), time.Now()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if n := done.Load(); n != last {
				last, since = n, time.Now()
			} else if time.Since(since) > testutil.Timeout {
				cancel()
				return
			}
		}
	}()
	return ctx, cancel
}

// floodSignals sends SIGUSR1 (caught and drained) and SIGURG (the runtime's
// preemption signal) to this process every few microseconds until stop is
// closed, so that futex system calls keep being interrupted (EINTR).
func floodSignals(stop <-chan struct{}) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	go func() {
		for {
			select {
			case <-stop:
				signal.Stop(sigs)
				return
			case <-sigs:
			}
		}
	}()
	go func() {
		pid := os.Getpid()
		for {
			select {
			case <-stop:
				return
			default:
			}
			syscall.Kill(pid, syscall.SIGUSR1)
			syscall.Kill(pid, syscall.SIGURG)
			time.Sleep(20 * time.Microsecond)
		}
	}()
}

func childPong(args []string) error {
	obj, err := shm.OpenObject[pingPong](args[0], nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	pp := obj.Get()
	n, _ := strconv.Atoi(args[1])
	stop := make(chan struct{})
	defer close(stop)
	floodSignals(stop)
	var done atomic.Int64
	ctx, cancel := stallWatchdog(&done)
	defer cancel()
	testutil.Send("ready")
	for i := range n {
		done.Store(int64(i))
		if err := pp.Ping.Wait(ctx); err != nil {
			return fmt.Errorf("round %d: %w", i, err)
		}
		pp.Ping.Clear()
		pp.Count++
		if i%8 == 0 {
			// Answer late, past the waiter's spin, so that it parks:
			// the park, EINTR and wake paths are what is tortured.
			for start := time.Now(); time.Since(start) < parkDelay; {
			}
		}
		pp.Pong.Set()
	}
	return nil
}

// Lost wake-up torture: 10^6 round trips between two processes through
// two Events while both are flooded with signals; every 8th answer comes
// late enough that the waiter has parked on the futex. Any lost wake-up hangs a
// side, which the watchdog (no round for testutil.Timeout) turns into a failure; any surfaced
// EINTR is an error. The counts must be exact.
func TestEventPingPongTorture(t *testing.T) {
	rounds := 1_000_000
	if testing.Short() {
		rounds = 100_000
	}
	name := testutil.Name(t)
	obj, err := shm.CreateObject[pingPong](name, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer obj.Close()
	pp := obj.Get()
	p := testutil.Start(t, "pong", name, strconv.Itoa(rounds))
	p.Expect("ready")
	stop := make(chan struct{})
	floodSignals(stop)
	defer close(stop)
	var done atomic.Int64
	ctx, cancel := stallWatchdog(&done)
	defer cancel()
	start := time.Now()
	for i := range rounds {
		done.Store(int64(i))
		pp.Ping.Set()
		if err := pp.Pong.Wait(ctx); err != nil {
			t.Fatalf("round %d of %d: %v (child count %d); child stderr: %s", i, rounds, err, pp.Count, p.Stderr())
		}
		pp.Pong.Clear()
	}
	elapsed := time.Since(start)
	p.Wait()
	if pp.Count != uint64(rounds) {
		t.Fatalf("child counted %d round trips, want %d", pp.Count, rounds)
	}
	t.Logf("%d round trips in %v (%.0f ns each) under signal flood", rounds, elapsed, float64(elapsed.Nanoseconds())/float64(rounds))
}
