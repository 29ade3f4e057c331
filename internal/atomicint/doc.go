// Package atomicint does atomic arithmetic on integers of any size in
// shared memory: 64- and 32-bit ones with sync/atomic directly, 8- and
// 16-bit ones with a compare-and-swap loop on the aligned 32-bit word that
// contains them (neighbouring bytes are preserved: a concurrent change to
// them makes the CAS fail and retry).
//
// Value and Array use it for their Add, CompareAndSwap, Swap, Load and
// Store on integer elements.
package atomicint

// Integer is the set of types atomicint works on.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}
