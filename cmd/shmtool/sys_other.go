//go:build !linux

package main

import (
	"errors"
	"io/fs"
)

func fileID(fs.FileInfo) (devIno, bool) { return devIno{}, false }

func pinThread(int) error { return errors.New("pinning threads is supported on Linux only") }

func kernelRelease() string { return "unknown" }
