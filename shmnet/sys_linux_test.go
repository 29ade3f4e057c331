package shmnet_test

import (
	"testing"

	"golang.org/x/sys/unix"
)

// foreignMemfd returns a memfd of 64 KiB that is not a connection's:
// zeros, sealed against shrinking if sealed (as a connection's is), for
// tests that hand Inherited descriptors of another part of the program.
func foreignMemfd(t *testing.T, sealed bool) int {
	t.Helper()
	flags := unix.MFD_CLOEXEC
	if sealed {
		flags |= unix.MFD_ALLOW_SEALING
	}
	fd, err := unix.MemfdCreate("foreign", flags)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Ftruncate(fd, 64<<10); err != nil {
		t.Fatal(err)
	}
	if sealed {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SHRINK); err != nil {
			t.Fatal(err)
		}
	}
	return fd
}
