package tmpfile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// File is a new file that no other process can open yet: an O_TMPFILE,
// or, on file systems without O_TMPFILE, a file with a random hidden name
// that Publish links away from.
type File struct {
	F       *os.File
	TmpPath string // "" for an O_TMPFILE
}

// Create makes a File in dir, mode 0600.
func Create(dir string) (File, error) {
	fd, err := unix.Open(dir, unix.O_RDWR|unix.O_TMPFILE|unix.O_CLOEXEC, 0o600)
	if err == nil {
		return File{F: os.NewFile(uintptr(fd), filepath.Join(dir, "(unnamed)"))}, nil
	}
	if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EINVAL) {
		return File{}, &fs.PathError{Op: "create", Path: dir, Err: err}
	}
	return createNamed(dir)
}

// createNamed is Create for file systems without O_TMPFILE. A
// creator killed before publish leaves the temporary name behind.
func createNamed(dir string) (File, error) {
	for range 16 {
		p := filepath.Join(dir, fmt.Sprintf(".shmkit-tmp-%d-%016x", os.Getpid(), rand.Uint64()))
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
		if err == nil {
			return File{F: f, TmpPath: p}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return File{}, err
		}
	}
	return File{}, fmt.Errorf("create a temporary file in %s: too many collisions", dir)
}

// Publish gives the file its name. link(2) never replaces an existing name
// and never follows a symlink there, so a taken name fails with EEXIST.
func (h File) Publish(path string) error {
	var err error
	if h.TmpPath == "" {
		self := "/proc/self/fd/" + strconv.Itoa(int(h.F.Fd()))
		err = unix.Linkat(unix.AT_FDCWD, self, unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	} else if err = unix.Link(h.TmpPath, path); err == nil {
		_ = unix.Unlink(h.TmpPath)
	}
	if err != nil {
		return &fs.PathError{Op: "link", Path: path, Err: err}
	}
	return nil
}

// Discard removes the temporary name, if any, of a file never published.
func (h File) Discard() {
	if h.TmpPath != "" {
		_ = unix.Unlink(h.TmpPath)
	}
}
