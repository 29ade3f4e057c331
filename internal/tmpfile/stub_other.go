//go:build !linux

package tmpfile

import (
	"errors"
	"os"
)

// File is a new file not yet published.
type File struct {
	F       *os.File
	TmpPath string
}

// Create fails on this platform.
func Create(dir string) (File, error) { return File{}, errors.ErrUnsupported }

// Publish fails on this platform.
func (h File) Publish(path string) error { return errors.ErrUnsupported }

// Discard does nothing on this platform.
func (h File) Discard() {}
