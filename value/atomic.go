package value

import "github.com/shmkit/shmkit/internal/atomicint"

// Integer is the set of types with atomic Add, CompareAndSwap and Swap.
type Integer = atomicint.Integer

// These operate on the shared integer directly with one atomic
// instruction (8- and 16-bit ones with a compare-and-swap loop), without
// the writers' lock, which they never wait for, not even while Lock holds
// it. They are linearizable with each other and with every other write,
// because an integer is a word (see Update): Store and StoreLocked store
// it with one atomic store, and Update and UpdateLocked with a
// compare-and-swap.

// Add atomically adds delta to the value and returns the new value.
// After Close they panic, as any use of an unmapped pointer would fault:
// they have no error to return.
func Add[T Integer](v *Value[T], delta T) T {
	v.enter()
	defer v.gate.Leave()
	return atomicint.Add(v.p, delta)
}

// CompareAndSwap atomically replaces the value with new if it equals old,
// and reports whether it did.
func CompareAndSwap[T Integer](v *Value[T], old, new T) bool {
	v.enter()
	defer v.gate.Leave()
	return atomicint.CompareAndSwap(v.p, old, new)
}

// Swap atomically replaces the value with new and returns the old one.
func Swap[T Integer](v *Value[T], new T) T {
	v.enter()
	defer v.gate.Leave()
	return atomicint.Swap(v.p, new)
}

// enter enters v's gate, or panics with a clear message once v is closed.
func (v *Value[T]) enter() {
	if v.gate.Enter() != nil {
		panic("value: " + v.seg.Name() + ": atomic operation on a closed Value")
	}
}
