//go:build !amd64 && !arm64

package ringbuf

import "sync/atomic"

func pause(n int) {
	for range n {
	}
}

func storeRelease(addr *atomic.Uint64, v uint64) { addr.Store(v) }

func prefetch(*byte) {}

func prefetchWrite(*byte) {}
