package shm

import (
	"fmt"
	"reflect"
	"sync/atomic"
	"unsafe"
)

// View returns the T at byte offset off of seg's payload: a typed view of
// the shared memory itself, not a copy. It is the one door from bytes to
// typed shared memory, and it checks once what every caller would
// otherwise claim: T is fixed-size and pointer-free (DescribeType), the
// T lies wholly inside the payload, and its address is a multiple of T's
// alignment. The pointer is valid until seg is closed; other processes
// change the memory behind it, so T's shared fields must be accessed
// atomically or under a lock.
//
// View uses reflection: call it when a segment is opened, not per
// operation, and keep the pointer.
func View[T any](seg *Segment, off int) (*T, error) {
	p, err := viewAt(seg, off, 1, reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	return (*T)(p), nil // checked by viewAt: inside the payload, aligned, pointer-free T
}

// ViewSlice returns n consecutive Ts from byte offset off of seg's
// payload, as View does for one.
func ViewSlice[T any](seg *Segment, off, n int) ([]T, error) {
	p, err := viewAt(seg, off, n, reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*T)(p), n), nil // checked by viewAt: n Ts inside the payload, aligned, pointer-free
}

// viewAt checks n elements of t at off in seg's payload and returns their
// address.
func viewAt(seg *Segment, off, n int, t reflect.Type) (unsafe.Pointer, error) {
	if seg == nil {
		return nil, fmt.Errorf("shm: view: nil segment")
	}
	if _, err := describe(t); err != nil {
		return nil, opError("view", seg.name, err)
	}
	b := seg.payload
	size, align := int(t.Size()), max(int(t.Align()), 1)
	switch {
	case size == 0:
		return nil, opError("view", seg.name, fmt.Errorf("%w: %s has size 0", ErrTypeMismatch, t))
	case off < 0 || n < 1 || off > len(b) || n > (len(b)-off)/size:
		return nil, opError("view", seg.name, fmt.Errorf("%w: %d × %s (%d bytes each) at offset %d of a %d-byte payload",
			ErrInvalidSize, n, t, size, off, len(b)))
	}
	p := unsafe.Pointer(unsafe.SliceData(b[off:])) // the first of the n elements, inside b
	if uintptr(p)%uintptr(align) != 0 {
		return nil, opError("view", seg.name, fmt.Errorf("%w: offset %d is not %d-byte aligned for %s", ErrInvalidOptions, off, align, t))
	}
	return p, nil
}

// readyWord returns the header's ready word inside a mapping. The mapping
// is page-aligned and offReady is a multiple of 4, so the word is aligned.
func readyWord(mapping []byte) *atomic.Uint32 {
	_ = mapping[offReady+3]                                     // bounds check before the cast
	return (*atomic.Uint32)(unsafe.Pointer(&mapping[offReady])) // aligned, inside the header page
}

// localMemory returns n zeroed bytes of the Go heap whose first byte is
// page-aligned, for a local segment (NewLocal): the garbage collector
// keeps the whole allocation alive through the interior pointer.
func localMemory(n int) []byte {
	words := make([]uint64, (n+2*HeaderSize)/8)
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), 8*len(words)) // the same allocation, as bytes
	skip := (HeaderSize - int(uintptr(unsafe.Pointer(unsafe.SliceData(b)))%HeaderSize)) % HeaderSize
	return b[skip : skip+n : skip+n]
}
