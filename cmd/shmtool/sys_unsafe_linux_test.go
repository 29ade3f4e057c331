package main

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// trapFlock installs a seccomp filter, on every thread of this process and
// for good, that turns every flock(2) into SIGSYS: the Go runtime then dies
// with a traceback that names the caller. A lock taken and dropped at once
// leaves no trace in /proc/locks, and F_GETLK does not see flocks at all;
// this sees every attempt.
func trapFlock() error {
	arch := map[string]uint32{"amd64": unix.AUDIT_ARCH_X86_64, "arm64": unix.AUDIT_ARCH_AARCH64}[runtime.GOARCH]
	if arch == 0 {
		return fmt.Errorf("no seccomp architecture for %s", runtime.GOARCH)
	}
	const (
		load = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq  = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		ret  = unix.BPF_RET | unix.BPF_K
	)
	filter := []unix.SockFilter{
		{Code: load, K: 4},          // seccomp_data.arch
		{Code: jeq, K: arch, Jt: 1}, // ours: go on to the number
		{Code: ret, K: unix.SECCOMP_RET_ALLOW},
		{Code: load, K: 0}, // seccomp_data.nr
		{Code: jeq, K: unix.SYS_FLOCK, Jf: 1},
		{Code: ret, K: unix.SECCOMP_RET_TRAP},
		{Code: ret, K: unix.SECCOMP_RET_ALLOW},
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err)
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	// The kernel copies the program during the call.
	tid, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&prog)))
	switch {
	case errno != 0:
		return fmt.Errorf("seccomp: %w", errno)
	case tid != 0:
		return fmt.Errorf("seccomp: thread %d could not take the filter", tid)
	}
	return nil
}
