//go:build !linux

package futex

import (
	"sync/atomic"
	"time"
)

func wait(*atomic.Uint32, uint32, time.Time) error { return ErrNotSupported }

// Wake fails with ErrNotSupported on this platform.
func Wake(*atomic.Uint32, int) (int, error) { return 0, ErrNotSupported }

func waitv([]*atomic.Uint32, []uint32, time.Time) (int, error) { return -1, ErrNotSupported }
