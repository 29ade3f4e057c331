package ringbuf

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"
)

// lineAt views b, at a 128-byte line of a page-aligned payload (or of an
// 8-byte aligned heap buffer), as a *T. b holds at least sizeof(T) bytes.
func lineAt[T any](b []byte) *T {
	var zero T
	_ = b[unsafe.Sizeof(zero)-1]                     // bounds check before the cast
	return (*T)(unsafe.Pointer(unsafe.SliceData(b))) // 8-aligned, pointer-free T
}

// heapMemory returns n zeroed bytes, 8-byte aligned, for a ring over
// ordinary memory.
func heapMemory(n int) []byte {
	words := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), n) // the same allocation
}

// lowHalf returns the 32 low-order bits of *p as a futex word: its first
// four bytes on a little-endian machine, its last four otherwise.
func lowHalf(p *atomic.Uint64) *atomic.Uint32 {
	return (*atomic.Uint32)(unsafe.Add(unsafe.Pointer(p), lowOffset)) // inside the 8-byte word
}

var lowOffset = func() uintptr {
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return 0
	}
	return 4
}()
