//go:build !amd64 && !arm64

package spin

import "sync/atomic"

func Pause(n int) {
	for range n {
	}
}

func StoreRelease(addr *atomic.Uint64, v uint64) { addr.Store(v) }

func Prefetch(*byte) {}

// fenceWord is written only to fence.
var fenceWord atomic.Uint32

// loadFence: Go's atomics are sequentially consistent, and every other
// port implements a read-modify-write with full barriers.
func LoadFence() { fenceWord.Add(1) }

func PrefetchWrite(*byte) {}
