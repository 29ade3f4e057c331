package shm

import "unsafe"

// viewAs returns b's first bytes as a *T. Callers pass a payload that
// DescribeType[T] has vetted: at least sizeof(T) bytes, page-aligned, and T
// free of pointers, so the garbage collector never looks inside.
func viewAs[T any](b []byte) *T {
	var zero T
	_ = b[unsafe.Sizeof(zero)-1]                     // bounds check before the cast
	return (*T)(unsafe.Pointer(unsafe.SliceData(b))) // page-aligned mapping, pointer-free T
}
