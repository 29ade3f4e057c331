package array

import "github.com/shmkit/shmkit/internal/atomicint"

// Integer is the set of element types with atomic operations.
type Integer = atomicint.Integer

// The element atomics operate on one shared element with one atomic
// instruction (8- and 16-bit ones with a compare-and-swap loop on the
// surrounding word, which leaves the neighbours intact). They panic if i
// is out of range.

// LoadAt atomically loads element i.
func LoadAt[T Integer](a *Array[T], i int) T { return atomicint.Load(&a.data[i]) }

// StoreAt atomically stores x in element i.
func StoreAt[T Integer](a *Array[T], i int, x T) { atomicint.Store(&a.data[i], x) }

// AddAt atomically adds delta to element i and returns the new value.
func AddAt[T Integer](a *Array[T], i int, delta T) T { return atomicint.Add(&a.data[i], delta) }

// SwapAt atomically stores x in element i and returns the old value.
func SwapAt[T Integer](a *Array[T], i int, x T) T { return atomicint.Swap(&a.data[i], x) }

// CompareAndSwapAt atomically replaces element i with new if it holds old.
func CompareAndSwapAt[T Integer](a *Array[T], i int, old, new T) bool {
	return atomicint.CompareAndSwap(&a.data[i], old, new)
}
