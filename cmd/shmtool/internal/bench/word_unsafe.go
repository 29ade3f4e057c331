package bench

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/shmkit/shmkit/shm"
)

// wordAt returns the 32-bit word at off in seg's payload.
// TODO(issue 12): shm.View[atomic.Uint32] replaces this file.
func wordAt(seg *shm.Segment, off int) (*atomic.Uint32, error) {
	b := seg.Payload()
	if off < 0 || off%4 != 0 || off+4 > len(b) {
		return nil, fmt.Errorf("word at %d of a %d-byte payload", off, len(b))
	}
	return (*atomic.Uint32)(unsafe.Pointer(&b[off])), nil // aligned: off is a multiple of 4 in a page-aligned mapping
}
