package value

import "sync/atomic"

// storeValue stores *x in the value. On amd64 (TSO) stores are never
// reordered with earlier stores, and the sequence increment before it is
// a locked instruction, so a plain copy cannot become visible before the
// odd sequence. Atomic stores would cost an XCHG per word.
func storeValue[T any](p *T, _ []atomic.Uint64, x *T) { *p = *x }
