package procscan

import (
	"fmt"
	"io/fs"
	"syscall"

	"golang.org/x/sys/unix"
)

// This file is the package's only door to golang.org/x/sys/unix.

// IDOf returns the device and inode of fi as /proc/PID/maps prints them,
// and false if fi carries none.
func IDOf(fi fs.FileInfo) (FileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return FileID{}, false
	}
	dev := uint64(st.Dev) //nolint:unconvert // Dev is uint64 on amd64 but not on every platform
	return FileID{Dev: fmt.Sprintf("%02x:%02x", unix.Major(dev), unix.Minor(dev)), Ino: st.Ino}, true
}
