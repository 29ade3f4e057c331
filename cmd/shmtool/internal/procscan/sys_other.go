//go:build !linux

package procscan

import "io/fs"

// IDOf returns false: without /proc there is nothing to match an ID with.
func IDOf(fs.FileInfo) (FileID, bool) { return FileID{}, false }
