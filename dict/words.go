package dict

import "sync/atomic"

// atomicU32 and atomicU64 are the words of the shared areas.
type (
	atomicU32 = atomic.Uint32
	atomicU64 = atomic.Uint64
)
