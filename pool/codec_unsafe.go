package pool

import "unsafe"

// rawBytes is v's memory. Raw checked, once, that T is fixed-size and
// free of pointers, so its bytes are all there is to it.
func rawBytes[T any](v *T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(v)), unsafe.Sizeof(*v))
}
