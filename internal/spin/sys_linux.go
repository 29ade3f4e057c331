package spin

import "golang.org/x/sys/unix"

// membarrier(2) commands.
const (
	membarrierGlobalExpedited         = 1 << 1
	membarrierRegisterGlobalExpedited = 1 << 2
)

// registerBarrier registers this process for expedited global barriers,
// and reports whether the kernel supports them (Linux 4.16 and later,
// unless a seccomp filter says no).
func registerBarrier() bool { return membarrier(membarrierRegisterGlobalExpedited) == nil }

// GlobalBarrier makes every running thread of every registered process
// execute a full memory barrier before it returns.
func GlobalBarrier() error { return membarrier(membarrierGlobalExpedited) }

func membarrier(cmd int) error {
	if _, _, errno := unix.Syscall(unix.SYS_MEMBARRIER, uintptr(cmd), 0, 0); errno != 0 {
		return errno
	}
	return nil
}
