package ringbuf

import "unsafe"

// lineAt views b, at a 128-byte line of a page-aligned payload (or of an
// 8-byte aligned heap buffer), as a *T. b holds at least sizeof(T) bytes.
func lineAt[T any](b []byte) *T {
	var zero T
	_ = b[:unsafe.Sizeof(zero)]                      // bounds check before the cast (a slice, not a read)
	return (*T)(unsafe.Pointer(unsafe.SliceData(b))) // 8-aligned, pointer-free T
}

// heapMemory returns n zeroed bytes, 8-byte aligned, for a ring over
// ordinary memory.
func heapMemory(n int) []byte {
	words := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), n) // the same allocation
}
