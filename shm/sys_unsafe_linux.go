package shm

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// This file is the package's only door to golang.org/x/sys/unix.

// retire replaces mapping, in place, with private anonymous memory of
// the same size: the address range stays valid, so a goroutine still
// using it reads zeros and writes where nobody shares, while the file's
// pages are let go.
func retire(mapping []byte) error {
	_, err := unix.MmapPtr(-1, 0, unsafe.Pointer(unsafe.SliceData(mapping)), uintptr(len(mapping)), // the mapping's own range
		unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED)
	return err
}

// reserve allocates size bytes of backing store for f, so that a full tmpfs
// fails here with ENOSPC rather than with SIGBUS at a later store.
func reserve(f *os.File, size int64) error {
	for {
		err := unix.Fallocate(int(f.Fd()), 0, 0, size)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EOPNOTSUPP):
			return f.Truncate(size) // a file system without fallocate
		case errors.Is(err, unix.ENOSPC):
			return fmt.Errorf("reserve %d bytes: %w (the file system is full; for /dev/shm raise the tmpfs size)", size, err)
		default:
			return fmt.Errorf("reserve %d bytes: %w", size, err)
		}
	}
}

// prefault populates the page tables for b.
func prefault(b []byte, write bool) error {
	advice := unix.MADV_POPULATE_READ
	if write {
		advice = unix.MADV_POPULATE_WRITE
	}
	err := unix.Madvise(b, advice)
	if errors.Is(err, unix.EINVAL) { // kernel older than 5.14: touch each page
		var sum byte
		for i := 0; i < len(b); i += os.Getpagesize() {
			sum += b[i]
		}
		runtime.KeepAlive(sum) // keep the loads
		return nil
	}
	if err != nil {
		return fmt.Errorf("prefault: %w", err)
	}
	return nil
}

// lockMemory pins b in RAM.
func lockMemory(b []byte) error {
	err := unix.Mlock(b)
	if errors.Is(err, unix.ENOMEM) || errors.Is(err, unix.EPERM) {
		return fmt.Errorf("mlock %d bytes: %w (raise RLIMIT_MEMLOCK, e.g. ulimit -l)", len(b), err)
	}
	if err != nil {
		return fmt.Errorf("mlock: %w", err)
	}
	return nil
}

// isSymlinkErr reports whether an open with O_NOFOLLOW failed because the
// last component is a symlink.
func isSymlinkErr(err error) bool { return errors.Is(err, unix.ELOOP) }

// isNotRegularErr reports open errors that mean "this is not a file".
func isNotRegularErr(err error) bool {
	return errors.Is(err, unix.EISDIR) || errors.Is(err, unix.ENXIO)
}
