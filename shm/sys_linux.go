package shm

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// This file is the package's only door to golang.org/x/sys/unix.

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

// hiddenFile is a new segment file that no other process can open yet: an
// O_TMPFILE, or, on file systems without O_TMPFILE, a randomly named file
// that publish renames away from.
type hiddenFile struct {
	f       *os.File
	tmpPath string // "" for an O_TMPFILE
}

func createHidden(dir string) (hiddenFile, error) {
	fd, err := unix.Open(dir, unix.O_RDWR|unix.O_TMPFILE|unix.O_CLOEXEC, 0o600)
	if err == nil {
		return hiddenFile{f: os.NewFile(uintptr(fd), filepath.Join(dir, "(new segment)"))}, nil
	}
	if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EINVAL) {
		return hiddenFile{}, &fs.PathError{Op: "create", Path: dir, Err: err}
	}
	return createNamedTemp(dir)
}

// createNamedTemp is createHidden for file systems without O_TMPFILE. A
// creator killed before publish leaves the temporary name behind.
func createNamedTemp(dir string) (hiddenFile, error) {
	for range 16 {
		p := filepath.Join(dir, fmt.Sprintf(".shmkit-tmp-%d-%016x", os.Getpid(), rand.Uint64()))
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
		if err == nil {
			return hiddenFile{f: f, tmpPath: p}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return hiddenFile{}, err
		}
	}
	return hiddenFile{}, fmt.Errorf("create a temporary file in %s: too many collisions", dir)
}

// publish gives the file its name. link(2) never replaces an existing name
// and never follows a symlink there, so a taken name fails with EEXIST.
func (h hiddenFile) publish(path string) error {
	var err error
	if h.tmpPath == "" {
		self := "/proc/self/fd/" + strconv.Itoa(int(h.f.Fd()))
		err = unix.Linkat(unix.AT_FDCWD, self, unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	} else if err = unix.Link(h.tmpPath, path); err == nil {
		_ = unix.Unlink(h.tmpPath)
	}
	if err != nil {
		return &fs.PathError{Op: "link", Path: path, Err: err}
	}
	return nil
}

// discard removes the temporary name, if any, of a file never published.
func (h hiddenFile) discard() {
	if h.tmpPath != "" {
		_ = unix.Unlink(h.tmpPath)
	}
}
