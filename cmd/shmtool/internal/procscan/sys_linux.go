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
	return FileID{Dev: devString(uint64(st.Dev)), Ino: st.Ino}, true //nolint:unconvert // Dev is uint64 on amd64 but not on every platform
}

// devString prints a device number (a dev_t, as stat(2) and procfs's
// ProcMap.Dev give it) as /proc/PID/maps does: "MAJOR:MINOR" in hex.
func devString(dev uint64) string { return fmt.Sprintf("%02x:%02x", unix.Major(dev), unix.Minor(dev)) }
