package testutil

import (
	"os"
	"runtime"
	"syscall"
)

// StopSelf stops the calling process with SIGSTOP, for a child that must
// be stopped at an exact point. The signal goes to the calling thread: a
// process-directed SIGSTOP is taken by another thread, and this one would
// run on for a while before the group stop caught up with it.
func StopSelf() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_ = syscall.Tgkill(os.Getpid(), syscall.Gettid(), syscall.SIGSTOP)
}
