package futex

import (
	"sync/atomic"
	"unsafe"
)

// lowWord returns the low 32 bits of a 64-bit word as a futex word, so
// that a primitive can keep a 64-bit state updated by one CAS and still
// park on it. The futex is the half that holds bits 0 to 31.
func lowWord(w *atomic.Uint64) *atomic.Uint32 {
	return (*atomic.Uint32)(unsafe.Add(unsafe.Pointer(w), lowHalf)) // inside the 8-byte word, 4-aligned
}

// lowHalf is the offset of bits 0 to 31 within a uint64 in memory.
var lowHalf = func() uintptr {
	x := uint64(1)
	if *(*byte)(unsafe.Pointer(&x)) == 1 { // first byte of a little-endian uint64
		return 0
	}
	return 4
}()
