package shm

import (
	"sync/atomic"
	"unsafe"
)

// readyWord returns the header's ready word inside a mapping. The mapping
// is page-aligned and offReady is a multiple of 4, so the word is aligned.
func readyWord(mapping []byte) *atomic.Uint32 {
	return (*atomic.Uint32)(unsafe.Pointer(&mapping[offReady])) // aligned, inside the header page
}
