package spin

import "sync/atomic"

// StoreRelease stores v at addr with release ordering only (STLR): earlier
// stores are visible before it, but a later load may pass it. It does not
// stall as atomic.Store's full barrier does. Callers that then load the
// other side's parked flag rely on fence.go's asymmetric barrier instead.
//
//go:noescape
func StoreRelease(addr *atomic.Uint64, v uint64)
