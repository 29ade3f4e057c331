//go:build linux

package shmnet

import (
	"sync/atomic"
	"unsafe"
)

// word64 and word32 view aligned words of the mapping: the offsets are
// constants of the layout above, inside its first page.
func word64(mem []byte, off int) *atomic.Uint64 {
	return (*atomic.Uint64)(unsafe.Pointer(&mem[off]))
}

func word32(mem []byte, off int) *atomic.Uint32 {
	return (*atomic.Uint32)(unsafe.Pointer(&mem[off]))
}
