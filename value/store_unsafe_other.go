//go:build !amd64

package value

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"
)

// storeValue stores *x in the value with 64-bit atomic stores, mirroring
// the reader's atomic loads: on arm64 an atomic store is a store-release,
// ordered after the odd sequence increment, which a plain store is not on
// CPUs without LSE atomics (the increment's store half is an exclusive
// store that later plain stores may pass). The bytes of the last word past
// the end of T, slot padding, are zeroed.
func storeValue[T any](_ *T, words []atomic.Uint64, x *T) {
	n := unsafe.Sizeof(*x)
	src := unsafe.Pointer(x)
	full := n / 8
	for j := range full {
		words[j].Store(*(*uint64)(unsafe.Add(src, 8*j))) // unaligned loads are fine on arm64
	}
	if tail := n % 8; tail != 0 {
		var b [8]byte
		copy(b[:], unsafe.Slice((*byte)(unsafe.Add(src, 8*full)), tail)) // the last bytes of x
		words[full].Store(binary.NativeEndian.Uint64(b[:]))
	}
}
