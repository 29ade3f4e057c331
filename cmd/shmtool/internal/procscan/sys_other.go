//go:build !linux

package procscan

import (
	"io/fs"
	"strconv"
)

// IDOf returns false: without /proc there is nothing to match an ID with.
func IDOf(fs.FileInfo) (FileID, bool) { return FileID{}, false }

// devString is never reached without /proc; it prints dev in hex.
func devString(dev uint64) string { return strconv.FormatUint(dev, 16) }
