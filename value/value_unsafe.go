package value

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"

	"github.com/shmkit/shmkit/internal/failpoint"
)

// loadWords copies a T out of words with 64-bit atomic loads, straight
// into out (on the caller's stack): the slot is padded to whole words, and
// only the bytes of T are written.
func loadWords[T any](out *T, words []atomic.Uint64) {
	n := unsafe.Sizeof(*out)
	dst := unsafe.Pointer(out)
	full := n / 8
	for j := range full {
		*(*uint64)(unsafe.Add(dst, 8*j)) = words[j].Load() // unaligned stores are fine on amd64 and arm64
	}
	if tail := n % 8; tail != 0 {
		var b [8]byte
		binary.NativeEndian.PutUint64(b[:], words[full].Load())
		copy(unsafe.Slice((*byte)(unsafe.Add(dst, 8*full)), tail), b[:]) // the last bytes of out

	}
}

// tornWrite stores the first half of x's bytes, then hits the failpoint
// "value/store/half": a writer killed there leaves a torn value.
func tornWrite[T any](p *T, x T) {
	n := unsafe.Sizeof(x)
	dst := unsafe.Slice((*byte)(unsafe.Pointer(p)), n) // p is the value in the mapping
	src := unsafe.Slice((*byte)(unsafe.Pointer(&x)), n)
	copy(dst[:n/2], src[:n/2])
	failpoint.Inject("value/store/half")
}

// wordBytes views words as bytes, in memory order.
func wordBytes(words []uint64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), 8*len(words)) // the same memory
}
