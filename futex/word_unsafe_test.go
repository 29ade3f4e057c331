package futex_test

import (
	"sync/atomic"
	"unsafe"
)

// word returns the 32-bit word at the start of b, a page-aligned mapping.
func word(b []byte) *atomic.Uint32 {
	return (*atomic.Uint32)(unsafe.Pointer(&b[0])) // page-aligned, so 4-aligned
}
