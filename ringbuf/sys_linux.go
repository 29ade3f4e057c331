package ringbuf

import "golang.org/x/sys/unix"

// membarrier(2) commands.
const (
	membarrierGlobalExpedited         = 1 << 1
	membarrierRegisterGlobalExpedited = 1 << 2
)

// registerBarrier registers this process for expedited global barriers,
// and reports whether the kernel supports them (Linux 4.16 and later,
// unless a seccomp filter says no).
func registerBarrier() bool {
	_, _, errno := unix.Syscall(unix.SYS_MEMBARRIER, membarrierRegisterGlobalExpedited, 0, 0)
	return errno == 0
}

// globalBarrier makes every running thread of every registered process
// execute a full memory barrier before it returns.
func globalBarrier() error {
	if _, _, errno := unix.Syscall(unix.SYS_MEMBARRIER, membarrierGlobalExpedited, 0, 0); errno != 0 {
		return errno
	}
	return nil
}
