package futex

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync/atomic"
	"time"
)

// All wakes every waiter when passed to Wake.
const All = math.MaxInt32

// ErrNotSupported is returned on platforms without futexes. It wraps
// [errors.ErrUnsupported].
var ErrNotSupported = fmt.Errorf("futex: needs linux, not %s: %w", runtime.GOOS, errors.ErrUnsupported)

// Wait blocks while *addr == val, until a Wake on addr, or spuriously. It
// returns nil in each of those cases, including when *addr != val on entry.
func Wait(addr *atomic.Uint32, val uint32) error {
	return wait(addr, val, time.Time{})
}

// WaitUntil is Wait with an absolute deadline. It returns
// os.ErrDeadlineExceeded once the deadline has passed; a zero deadline
// means none.
func WaitUntil(addr *atomic.Uint32, val uint32, deadline time.Time) error {
	return wait(addr, val, deadline)
}

// WaitTimeout is Wait for at most d; it returns os.ErrDeadlineExceeded
// when d elapses.
func WaitTimeout(addr *atomic.Uint32, val uint32, d time.Duration) error {
	return wait(addr, val, time.Now().Add(d))
}

// WaitContext is Wait that also returns when ctx is done, with ctx.Err().
// The context's deadline, if any, becomes the futex's absolute deadline.
//
// Cancellation reaches a waiter blocked in the kernel by waking the word:
// other waiters on the same word see a spurious wake-up and wait again.
// A cancelled wait returns within about a millisecond; one such wake-up
// may still reach the word just after WaitContext has returned.
func WaitContext(ctx context.Context, addr *atomic.Uint32, val uint32) error {
	err := waitContext(ctx, addr, val, time.Time{})
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return context.DeadlineExceeded // the context's deadline, seen first by the kernel
	}
	return err
}

// WaitContextUntil is WaitContext that also returns, with
// os.ErrDeadlineExceeded, once until has passed (a zero until means none).
// Primitives use until to wake up now and then and check on a peer, while
// ctx stays the caller's.
func WaitContextUntil(ctx context.Context, addr *atomic.Uint32, val uint32, until time.Time) error {
	return waitContext(ctx, addr, val, until)
}

// waitContext waits until a wake-up, ctx is done (ctx.Err()), or until
// passes (os.ErrDeadlineExceeded), whichever comes first.
func waitContext(ctx context.Context, addr *atomic.Uint32, val uint32, until time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if addr.Load() != val { // nothing to wait for: skip the set-up below
		return nil
	}
	if d, ok := ctx.Deadline(); ok && (until.IsZero() || d.Before(until)) {
		until = d
	}
	if ctx.Done() == nil {
		return wait(addr, val, until)
	}
	k := &kicker{addr: addr}
	stop := context.AfterFunc(ctx, k.kick)
	err := wait(addr, val, until)
	k.returned.Store(true)
	stop()
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// kicker wakes a waiter whose context is done. A single Wake could land in
// the instant between the waiter's last check and its entry into the
// kernel, so it keeps waking, backing off, until the waiter has returned.
type kicker struct {
	addr     *atomic.Uint32
	returned atomic.Bool
}

func (k *kicker) kick() {
	pause := 20 * time.Microsecond
	for !k.returned.Load() {
		_, _ = Wake(k.addr, All)
		time.Sleep(pause)
		pause = min(2*pause, time.Millisecond)
	}
}
