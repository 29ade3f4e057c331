//go:build !linux

package shm

import "time"

// Create fails with ErrNotSupported on this platform.
func Create(name string, size int, opts *Options) (*Segment, error) {
	return nil, opError("create", name, ErrNotSupported)
}

// Open fails with ErrNotSupported on this platform.
func Open(name string, opts *Options) (*Segment, error) {
	return nil, opError("open", name, ErrNotSupported)
}

// OpenOrCreate fails with ErrNotSupported on this platform.
func OpenOrCreate(name string, size int, opts *Options) (*Segment, bool, error) {
	return nil, false, opError("open or create", name, ErrNotSupported)
}

// OpenRaw fails with ErrNotSupported on this platform.
func OpenRaw(name string, opts *Options) (*Segment, error) {
	return nil, opError("open raw", name, ErrNotSupported)
}

// Stat fails with ErrNotSupported on this platform.
func Stat(name string) (*Info, error) { return nil, opError("stat", name, ErrNotSupported) }

// List fails with ErrNotSupported on this platform.
func List(dir string) ([]Info, error) { return nil, opError("list", dir, ErrNotSupported) }

// ListAll fails with ErrNotSupported on this platform.
func ListAll(dir string) ([]Info, error) { return nil, opError("list", dir, ErrNotSupported) }

// Remove fails with ErrNotSupported on this platform.
func Remove(name string) error { return opError("remove", name, ErrNotSupported) }

func creatorAlive(*Header) bool { return false }

func newInfo(name, path string, fi interface{ ModTime() time.Time }, h Header) *Info {
	return &Info{Name: name, Path: path, Header: h}
}

func retire([]byte) error { return ErrNotSupported }

func (s *Segment) removeName() error { return nil }
