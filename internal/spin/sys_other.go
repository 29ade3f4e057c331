//go:build !linux

package spin

import "errors"

var errNoBarrier = errors.New("membarrier: not supported")

func registerBarrier() bool { return false }

// GlobalBarrier fails: there is no membarrier here.
func GlobalBarrier() error { return errNoBarrier }
