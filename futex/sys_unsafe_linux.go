package futex

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// This file is the package's only door to golang.org/x/sys/unix.

// From linux/futex.h; x/sys/unix does not export them.
const (
	opWake       = 1          // FUTEX_WAKE
	opWaitBitset = 9          // FUTEX_WAIT_BITSET: absolute CLOCK_MONOTONIC timeout
	bitsetAny    = 0xFFFFFFFF // FUTEX_BITSET_MATCH_ANY
)

func wait(addr *atomic.Uint32, val uint32, deadline time.Time) error {
	var ts *unix.Timespec
	if !deadline.IsZero() {
		abs, ok, err := monotonicDeadline(deadline)
		if err != nil {
			return err
		}
		if ok {
			ts = &abs
		}
	}
	for {
		// The kernel reads the word and the timespec during the call;
		// both pointers stay live across it by the uintptr-in-call rule.
		_, _, errno := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), opWaitBitset,
			uintptr(val), uintptr(unsafe.Pointer(ts)), 0, bitsetAny)
		switch errno {
		case 0, unix.EAGAIN: // woken, or *addr != val already
			return nil
		case unix.EINTR: // the absolute deadline makes a retry exact
			continue
		case unix.ETIMEDOUT:
			return os.ErrDeadlineExceeded
		case unix.ENOSYS:
			return fmt.Errorf("futex: wait: %w (the kernel has no futex support; check seccomp policy)", errno)
		default:
			return fmt.Errorf("futex: wait: %w", errno)
		}
	}
}

// Wake wakes up to n waiters blocked in Wait on addr, in any process, and
// returns how many it woke. Waking costs a system call whether or not
// anyone waits; callers keep a "someone is parked" flag to skip it.
func Wake(addr *atomic.Uint32, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	n = min(n, All)
	// Not RawSyscall: the kernel may fault in the word's page, which for a
	// file-backed segment can block on I/O.
	r, _, errno := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), opWake, uintptr(n), 0, 0, 0)
	if errno != 0 {
		if errors.Is(errno, unix.EFAULT) {
			return 0, fmt.Errorf("futex: wake: %w (address not mapped)", errno)
		}
		return 0, fmt.Errorf("futex: wake: %w", errno)
	}
	return int(r), nil
}

// monotonicDeadline converts deadline to an absolute CLOCK_MONOTONIC time.
// time.Until uses the monotonic reading of deadline when it has one. It
// reports ok=false for a deadline too far away to represent: no deadline.
func monotonicDeadline(deadline time.Time) (ts unix.Timespec, ok bool, err error) {
	var now unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &now); err != nil {
		return now, false, fmt.Errorf("futex: clock_gettime: %w", err)
	}
	d := max(time.Until(deadline), 0)
	if int64(d) > math.MaxInt64-now.Nano() {
		return now, false, nil
	}
	return unix.NsecToTimespec(now.Nano() + int64(d)), true, nil
}

// futexWaitv is struct futex_waitv from linux/futex.h.
type futexWaitv struct {
	val      uint64
	uaddr    uint64
	flags    uint32
	reserved uint32
}

const futex32 = 2 // FUTEX_32: a 32-bit futex, shared (no FUTEX_PRIVATE_FLAG)

// waitv waits on up to 128 words at once with FUTEX_WAITV (Linux 5.16+).
// It returns the index of a word that was woken, -1 when a word already
// differed from its value or on a spurious return, and errNoWaitv when the
// kernel lacks the call.
func waitv(words []*atomic.Uint32, vals []uint32, deadline time.Time) (int, error) {
	var ws [128]futexWaitv
	if len(words) > len(ws) || len(words) != len(vals) {
		return -1, fmt.Errorf("futex: waitv on %d words", len(words))
	}
	for i, w := range words {
		ws[i] = futexWaitv{val: uint64(vals[i]), uaddr: uint64(uintptr(unsafe.Pointer(w))), flags: futex32}
	}
	var ts *unix.Timespec
	if !deadline.IsZero() {
		abs, ok, err := monotonicDeadline(deadline)
		if err != nil {
			return -1, err
		}
		if ok {
			ts = &abs
		}
	}
	for {
		// The words, the array and the timespec stay live across the call.
		r, _, errno := unix.Syscall6(unix.SYS_FUTEX_WAITV, uintptr(unsafe.Pointer(&ws[0])), uintptr(len(words)), 0,
			uintptr(unsafe.Pointer(ts)), uintptr(unix.CLOCK_MONOTONIC), 0)
		runtime.KeepAlive(words)
		switch errno {
		case 0:
			return int(r), nil
		case unix.EAGAIN:
			return -1, nil
		case unix.EINTR:
			continue
		case unix.ETIMEDOUT:
			return -1, os.ErrDeadlineExceeded
		case unix.ENOSYS:
			return -1, errNoWaitv
		default:
			return -1, fmt.Errorf("futex: waitv: %w", errno)
		}
	}
}
