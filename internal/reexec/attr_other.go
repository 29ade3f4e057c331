//go:build !linux

package reexec

import "syscall"

// sysProcAttr: there is no parent-death signal outside Linux; a child
// whose parent was killed lives on until its stdin's end of file cancels
// its context, if it heeds it.
func sysProcAttr() *syscall.SysProcAttr { return nil }
