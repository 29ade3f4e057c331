//go:build !linux

package bench

import "errors"

func pinThread(int) (func(), error) {
	return nil, errors.New("pinning threads is supported on Linux only")
}

func kernelRelease() string { return "unknown" }

func unpinned(f func() error) error { return f() }
