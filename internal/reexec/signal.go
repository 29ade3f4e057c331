package reexec

import (
	"errors"
	"os/exec"
	"syscall"
)

// ExitSignal returns the signal that ended a child, from the error of
// Child.Wait or Child.Err, or 0 if it was not killed by a signal.
func ExitSignal(err error) syscall.Signal {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return ws.Signal()
		}
	}
	return 0
}
