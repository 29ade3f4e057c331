//go:build !amd64 && !arm64

package spin

import "sync/atomic"

func Pause(n int) {
	for range n {
	}
}

// StoreRelease is a fenced store here: this port has no plain one.
func StoreRelease(addr *atomic.Uint64, v uint64) { addr.Store(v) }

// plainStores is false: StoreRelease is fenced, so nothing is saved by
// counting this process as relaxed and making parkers pay for barriers.
const plainStores = false

func Prefetch(*byte) {}

// fenceWord is written only to fence.
var fenceWord atomic.Uint32

// loadFence: Go's atomics are sequentially consistent, and every other
// port implements a read-modify-write with full barriers.
func LoadFence() { fenceWord.Add(1) }

func PrefetchWrite(*byte) {}
