package value

import (
	"unsafe"

	"github.com/shmkit/shmkit/internal/atomicint"
)

// A T of 1, 2, 4 or 8 bytes is a word: every write of it is one atomic
// instruction on the value in the mapping, so that writes under the lock
// (Store, Update) are linearizable with the lock-free Add,
// CompareAndSwap and Swap, which apply to exactly such T. The value sits
// at payload offset 0, page-aligned, so the word is aligned to its size;
// 1- and 2-byte words go through atomicint, which uses a compare-and-swap
// on the aligned 32 bits that hold them (the rest is slot padding).
//
// The bits of a word are the unsigned integer of its size stored at its
// address: loads and stores always use that one width, so byte order
// never matters.

// isWord reports whether a T is a word.
func isWord[T any]() bool {
	switch unsafe.Sizeof(*new(T)) {
	case 1, 2, 4, 8:
		return true
	}
	return false
}

// loadWord atomically loads the bits of the word *p.
func loadWord[T any](p *T) uint64 {
	switch q := unsafe.Pointer(p); unsafe.Sizeof(*p) { // p is the word in the mapping, aligned to its size
	case 8:
		return atomicint.Load((*uint64)(q))
	case 4:
		return uint64(atomicint.Load((*uint32)(q)))
	case 2:
		return uint64(atomicint.Load((*uint16)(q)))
	default:
		return uint64(atomicint.Load((*uint8)(q)))
	}
}

// storeWord atomically stores bits in the word *p.
func storeWord[T any](p *T, bits uint64) {
	switch q := unsafe.Pointer(p); unsafe.Sizeof(*p) { // as in loadWord
	case 8:
		atomicint.Store((*uint64)(q), bits)
	case 4:
		atomicint.Store((*uint32)(q), uint32(bits))
	case 2:
		atomicint.Store((*uint16)(q), uint16(bits))
	default:
		atomicint.Store((*uint8)(q), uint8(bits))
	}
}

// casWord atomically replaces the word *p with new if its bits are old,
// and reports whether it did.
func casWord[T any](p *T, old, new uint64) bool {
	switch q := unsafe.Pointer(p); unsafe.Sizeof(*p) { // as in loadWord
	case 8:
		return atomicint.CompareAndSwap((*uint64)(q), old, new)
	case 4:
		return atomicint.CompareAndSwap((*uint32)(q), uint32(old), uint32(new))
	case 2:
		return atomicint.CompareAndSwap((*uint16)(q), uint16(old), uint16(new))
	default:
		return atomicint.CompareAndSwap((*uint8)(q), uint8(old), uint8(new))
	}
}

// wordBits returns the bits of the word *x, a private copy: a plain load
// of its size (an unaligned one is fine on amd64 and arm64, for a T whose
// alignment is less than its size).
func wordBits[T any](x *T) uint64 {
	switch q := unsafe.Pointer(x); unsafe.Sizeof(*x) { // x is a T of that size
	case 8:
		return *(*uint64)(q)
	case 4:
		return uint64(*(*uint32)(q))
	case 2:
		return uint64(*(*uint16)(q))
	default:
		return uint64(*(*uint8)(q))
	}
}

// fromBits returns the word whose bits are bits.
func fromBits[T any](bits uint64) T {
	var x T
	switch q := unsafe.Pointer(&x); unsafe.Sizeof(x) { // as in wordBits
	case 8:
		*(*uint64)(q) = bits
	case 4:
		*(*uint32)(q) = uint32(bits)
	case 2:
		*(*uint16)(q) = uint16(bits)
	default:
		*(*uint8)(q) = uint8(bits)
	}
	return x
}
