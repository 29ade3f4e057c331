//go:build !linux

package failpoint

import (
	"os"
	"syscall"
)

func signalSelf(sig syscall.Signal) { _ = syscall.Kill(os.Getpid(), sig) }
