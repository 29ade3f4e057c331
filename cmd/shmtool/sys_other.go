//go:build !linux

package main

import "io/fs"

func fileID(fs.FileInfo) (devIno, bool) { return devIno{}, false }
