package main

import (
	"fmt"
	"io/fs"
	"syscall"

	"golang.org/x/sys/unix"
)

// This file is the tool's only door to golang.org/x/sys/unix.

// fileID returns the device and inode of fi as /proc/PID/maps prints them.
func fileID(fi fs.FileInfo) (devIno, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return devIno{}, false
	}
	dev := uint64(st.Dev) //nolint:unconvert // Dev is uint64 on amd64 but not on every platform
	return devIno{dev: fmt.Sprintf("%02x:%02x", unix.Major(dev), unix.Minor(dev)), ino: st.Ino}, true
}
