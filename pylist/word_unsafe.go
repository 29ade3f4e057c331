package pylist

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"
)

// load64 reads the 8 bytes of b at off as one native-endian word: a single
// atomic load where the address is 8-byte aligned (always, in a mapped
// ShareableList: every word of its layout starts at a multiple of 8), and a
// plain read otherwise. It panics, as indexing does, if b is too short;
// callers check bounds first.
func load64(b []byte, off int) uint64 {
	w := (*[8]byte)(b[off : off+8])
	if uintptr(unsafe.Pointer(w))%8 == 0 {
		return atomic.LoadUint64((*uint64)(unsafe.Pointer(w)))
	}
	return binary.NativeEndian.Uint64(w[:])
}

// store64 writes v as the 8 bytes of b at off, native-endian, with a single
// atomic store where the address is aligned.
func store64(b []byte, off int, v uint64) {
	w := (*[8]byte)(b[off : off+8])
	if uintptr(unsafe.Pointer(w))%8 == 0 {
		atomic.StoreUint64((*uint64)(unsafe.Pointer(w)), v)
		return
	}
	binary.NativeEndian.PutUint64(w[:], v)
}
