//go:build !amd64 && !arm64

package ringbuf

import "sync/atomic"

func pause(n int) {
	for range n {
	}
}

func storeRelease(addr *atomic.Uint64, v uint64) { addr.Store(v) }

func prefetch(*byte) {}

// fenceWord is written only to fence.
var fenceWord atomic.Uint32

// loadFence: Go's atomics are sequentially consistent, and every other
// port implements a read-modify-write with full barriers.
func loadFence() { fenceWord.Add(1) }

func prefetchWrite(*byte) {}
