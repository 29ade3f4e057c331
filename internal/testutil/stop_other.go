//go:build !linux

package testutil

import (
	"os"
	"syscall"
)

// StopSelf stops the calling process with SIGSTOP.
func StopSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGSTOP) }
