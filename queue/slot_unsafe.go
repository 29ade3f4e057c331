package queue

import (
	"sync/atomic"
	"unsafe"
)

// The slot accessors address the slot area from its base. The geometry,
// validated once at attach (checkGeometry: slots × stride bytes, each
// stride holding the header and max_message bytes), keeps every slot
// inside it, so the bounds checks that indexing slices would cost on
// every message are left out.

// slot returns the address of the slot for position pos.
func (q *Queue) slot(pos uint64) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(unsafe.SliceData(q.data)), int((pos&q.mask)*q.geo.stride))
}

// seqAt returns the sequence word of the slot for position pos.
func (q *Queue) seqAt(pos uint64) *atomic.Uint64 { return (*atomic.Uint64)(q.slot(pos)) }

// lenAt returns the length word of the slot for position pos.
func (q *Queue) lenAt(pos uint64) *atomic.Uint32 {
	return (*atomic.Uint32)(unsafe.Add(q.slot(pos), 8))
}

// lenWordAt returns the slot's second word for position pos: its length,
// then its 4 reserved bytes, which stay zero. Storing it whole is what
// lets a length be stored with a plain release store (spin.Release).
func (q *Queue) lenWordAt(pos uint64) *atomic.Uint64 {
	return (*atomic.Uint64)(unsafe.Add(q.slot(pos), 8))
}

// slotAt returns the message area of the slot for position pos.
func (q *Queue) slotAt(pos uint64) []byte {
	return unsafe.Slice((*byte)(unsafe.Add(q.slot(pos), slotHeader)), q.geo.maxMsg)
}
