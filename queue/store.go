package queue

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/shmkit/shmkit/internal/spin"
)

// storeRelease stores v in w with release order only: a plain MOV on
// amd64, where atomic.Store is an XCHG that waits for the stores before
// it to leave the core. For a store that the caller fences later, or
// that no later load of its must follow. The race detector sees only
// atomic stores, so under -race it is one.
func storeRelease(w *atomic.Uint64, v uint64) {
	if spin.RaceEnabled {
		w.Store(v)
		return
	}
	spin.StoreRelease(w, v)
}

// store stores v in w: plainly (storeRelease) for a write in a batch,
// where a locked instruction later fences it, and otherwise with
// atomic.Store. Its XCHG costs less than the call that storeRelease is
// on a line this core holds, and a lone write needs a full fence anyway.
func store(w *atomic.Uint64, v uint64, plain bool) {
	if plain {
		storeRelease(w, v)
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
