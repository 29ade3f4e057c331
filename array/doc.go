// Package array shares a fixed-length array of T between processes, like
// Python's multiprocessing.Array or a numpy array over shared_memory:
// Array[T] lives in a named segment, and Slice gives every process a
// zero-copy []T over the same memory.
//
//	a, err := array.Create[float64]("prices", 1_000_000, nil)
//	...
//	s := a.Slice() // the shared memory itself: no copy, no system call
//	s[42] = 3.5    // seen by every process that maps "prices"
//
// T is any fixed-size type with no pointers inside; opening with another T
// than the creator's fails with shm.ErrTypeMismatch naming both types.
//
// Plain reads and writes of the slice are as unsynchronized as they are on
// any memory shared by goroutines. Use the integer atomics (AddAt,
// CompareAndSwapAt, SwapAt, LoadAt, StoreAt) for single elements, and the
// array's lock (Mutex, as Python's get_lock) for compound updates.
//
// # Layout
//
// The payload is a plain C-contiguous array of Len elements of T at the
// header's payload offset (4096, a page boundary), so numpy.frombuffer or
// memoryview.cast reads it in place; docs/FORMAT.md shows how. The array's
// lock follows the data at the next 64-byte boundary.
//
// # Caveats
//
// Index arguments out of range panic, as slice indexing does. Indices and
// lengths read from the segment are never trusted: the length comes from
// the validated header copy, and the geometry is checked against it.
//
// The Go race detector does not see shared memory: test concurrent code
// that uses Slice with the same care as unsafe code.
package array
