package reexec

import "syscall"

// sysProcAttr has the kernel kill the child when the thread that started
// it ends, the process's death included: no child outlives a parent that
// was killed.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
