package failpoint

import (
	"os"
	"runtime"
	"syscall"
)

// signalSelf sends sig to the calling thread, not just the process: a
// process-directed SIGSTOP is taken by some other thread, and this one
// would run on past the failpoint until the group stop caught up with it.
// A thread-directed one is acted on as tgkill returns.
func signalSelf(sig syscall.Signal) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_ = syscall.Tgkill(os.Getpid(), syscall.Gettid(), sig)
}
