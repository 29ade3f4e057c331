package array

import (
	"fmt"
	"unsafe"

	"github.com/shmkit/shmkit/shm"
)

// sliceOf views the first n elements of T in b, a page-aligned payload of
// at least n*sizeof(T) bytes (wrap checked the geometry).
func sliceOf[T any](b []byte, n int) []T {
	var zero T
	_ = b[uintptr(n)*unsafe.Sizeof(zero)-1]                           // bounds check before the cast
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n) // page-aligned, pointer-free T
}

// controlAt views b, at a 64-byte boundary, as the control block.
func controlAt(b []byte) *control {
	_ = b[unsafe.Sizeof(control{})-1]                      // bounds check before the cast
	return (*control)(unsafe.Pointer(unsafe.SliceData(b))) // 64-byte aligned, inside the payload
}

// ViewRaw returns a segment without a shmkit header (opened with
// shm.OpenRaw), such as one that Python's multiprocessing.shared_memory
// made, as a []T over its memory. The segment's size must be a multiple
// of T's size. The slice is valid until the segment is closed.
func ViewRaw[T any](seg *shm.Segment) ([]T, error) {
	desc, err := shm.DescribeType[T]()
	if err != nil {
		return nil, err
	}
	b := seg.Payload()
	if desc.Size == 0 || uint64(len(b))%desc.Size != 0 || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%uintptr(desc.Align) != 0 {
		return nil, fmt.Errorf("array: view %s: %d bytes are not a whole number of %d-byte %s", seg.Name(), len(b), desc.Size, desc.Name)
	}
	return sliceOf[T](b, len(b)/int(desc.Size)), nil
}
