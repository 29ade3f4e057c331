package queue

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/shmkit/shmkit/internal/spin"
)

// store stores v in w: plainly (spin.Release, an atomic store under the
// race detector) for a write in a batch, where a locked instruction later
// fences it, and otherwise with atomic.Store: a lone write needs a full
// fence anyway, and an XCHG on a line this core holds costs little more.
func store(w *atomic.Uint64, v uint64, plain bool) {
	if plain {
		spin.Release(w, v)
		return
	}
	w.Store(v)
}

// lenWord is the second word of a slot that holds n bytes, in this
// machine's byte order, as lenAt loads it.
func lenWord(n int) uint64 {
	var b [8]byte
	binary.NativeEndian.PutUint32(b[:], uint32(n))
	return binary.NativeEndian.Uint64(b[:])
}
