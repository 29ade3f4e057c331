package bench

import (
	"sync"

	"golang.org/x/sys/unix"
)

// This file is the bench's only door to golang.org/x/sys/unix.

// firstCores is the cores a thread had before the first pinThread.
var firstCores struct {
	sync.Once
	set unix.CPUSet
}

// pinThread binds the calling OS thread to core cpu, and returns how to
// give it back the cores it had.
func pinThread(cpu int) (restore func(), err error) {
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, err
	}
	firstCores.Do(func() { firstCores.set = old })
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return nil, err
	}
	return func() { _ = unix.SchedSetaffinity(0, &old) }, nil
}

// kernelRelease returns uname -r.
func kernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}

// unpinned runs f (which starts a process) with the calling thread on the
// cores it had before it was pinned. A child inherits its parent thread's
// cores: started from a pinned thread, its runtime would size itself to
// one core (GOMAXPROCS 1) and keep every thread but the one it pins on
// the parent's core, where sysmon's hand-offs slow its wake-ups.
func unpinned(f func() error) error {
	var now unix.CPUSet
	if unix.SchedGetaffinity(0, &now) != nil || firstCores.set.Count() == 0 || firstCores.set == now {
		return f()
	}
	if err := unix.SchedSetaffinity(0, &firstCores.set); err != nil {
		return err
	}
	defer unix.SchedSetaffinity(0, &now)
	return f()
}
