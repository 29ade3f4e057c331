//go:build !linux

package ringbuf

import "errors"

func registerBarrier() bool { return false }

func globalBarrier() error { return errors.New("membarrier: not supported") }
