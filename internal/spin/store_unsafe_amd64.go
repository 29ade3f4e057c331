package spin

import (
	"sync/atomic"
	"unsafe"
)

// StoreRelease stores v at addr with release ordering only: earlier stores
// are visible before it, but a later load may pass it. On amd64 every
// store is a release store, so this is a plain MOV, where atomic.Store is
// an XCHG that stalls until the core owns the line; in Go, not assembly,
// so that it inlines (a call costs as much as the store). The compiler
// keeps it in order with the stores before it and the loads and atomics
// after it (they share its memory state). Callers that then load the
// other side's parked flag rely on fence.go's asymmetric barrier instead.
func StoreRelease(addr *atomic.Uint64, v uint64) {
	*(*uint64)(unsafe.Pointer(addr)) = v
}
