package atomicint

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"
)

// p must point to a T aligned to its size (page-aligned segments and Go's
// layout of arrays of T guarantee it).

// Load atomically loads *p.
func Load[T Integer](p *T) T {
	switch unsafe.Sizeof(*p) {
	case 8:
		return T((*atomic.Uint64)(unsafe.Pointer(p)).Load()) // 8-aligned
	case 4:
		return T((*atomic.Uint32)(unsafe.Pointer(p)).Load()) // 4-aligned
	}
	w, shift, mask := word(p)
	return T(w.Load() >> shift & mask)
}

// Store atomically stores v in *p.
func Store[T Integer](p *T, v T) {
	switch unsafe.Sizeof(*p) {
	case 8:
		(*atomic.Uint64)(unsafe.Pointer(p)).Store(uint64(v)) // 8-aligned
		return
	case 4:
		(*atomic.Uint32)(unsafe.Pointer(p)).Store(uint32(v)) // 4-aligned
		return
	}
	update(p, func(T) T { return v })
}

// Add atomically adds delta to *p and returns the new value.
func Add[T Integer](p *T, delta T) T {
	switch unsafe.Sizeof(*p) {
	case 8:
		return T((*atomic.Uint64)(unsafe.Pointer(p)).Add(uint64(delta))) // two's complement wraps as T does
	case 4:
		return T((*atomic.Uint32)(unsafe.Pointer(p)).Add(uint32(delta)))
	}
	_, n := update(p, func(old T) T { return old + delta })
	return n
}

// Swap atomically stores v in *p and returns the old value.
func Swap[T Integer](p *T, v T) T {
	switch unsafe.Sizeof(*p) {
	case 8:
		return T((*atomic.Uint64)(unsafe.Pointer(p)).Swap(uint64(v)))
	case 4:
		return T((*atomic.Uint32)(unsafe.Pointer(p)).Swap(uint32(v)))
	}
	old, _ := update(p, func(T) T { return v })
	return old
}

// CompareAndSwap atomically replaces *p with new if it holds old.
func CompareAndSwap[T Integer](p *T, old, new T) bool {
	switch unsafe.Sizeof(*p) {
	case 8:
		return (*atomic.Uint64)(unsafe.Pointer(p)).CompareAndSwap(uint64(old), uint64(new))
	case 4:
		return (*atomic.Uint32)(unsafe.Pointer(p)).CompareAndSwap(uint32(old), uint32(new))
	}
	w, shift, mask := word(p)
	for {
		cur := w.Load()
		if T(cur>>shift&mask) != old {
			return false
		}
		if w.CompareAndSwap(cur, cur&^(mask<<shift)|(uint32(new)&mask)<<shift) {
			return true
		}
	}
}

// update applies f to an 8- or 16-bit *p with a CAS loop on its word.
func update[T Integer](p *T, f func(T) T) (old, new T) {
	w, shift, mask := word(p)
	for {
		cur := w.Load()
		old = T(cur >> shift & mask)
		new = f(old)
		if w.CompareAndSwap(cur, cur&^(mask<<shift)|(uint32(new)&mask)<<shift) {
			return old, new
		}
	}
}

// word returns the aligned 32-bit word that contains the 1- or 2-byte *p,
// and the shift and mask of *p within the word's value.
func word[T Integer](p *T) (w *atomic.Uint32, shift, mask uint32) {
	size := uint32(unsafe.Sizeof(*p))
	inWord := uint32(uintptr(unsafe.Pointer(p)) & 3)
	w = (*atomic.Uint32)(unsafe.Add(unsafe.Pointer(p), -int(inWord))) // the aligned word around *p, in the same allocation
	off := inWord
	if !littleEndian {
		off = 4 - size - inWord
	}
	return w, 8 * off, 1<<(8*size) - 1
}

var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1
