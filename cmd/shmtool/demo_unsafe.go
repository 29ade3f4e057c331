package main

import (
	"sync/atomic"
	"unsafe"
)

// wordAt returns the 32-bit word at off in a page-aligned mapping.
func wordAt(b []byte, off int) *atomic.Uint32 {
	_ = b[off+3]                                     // bounds check before the cast
	return (*atomic.Uint32)(unsafe.Pointer(&b[off])) // off is a multiple of 4 in a page-aligned mapping
}
