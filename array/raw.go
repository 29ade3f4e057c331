package array

import (
	"fmt"

	"github.com/shmkit/shmkit/shm"
)

// ViewRaw returns a segment without a shmkit header (opened with
// shm.OpenRaw), such as one that Python's multiprocessing.shared_memory
// made, as a []T over its memory. The segment's size must be a multiple
// of T's size. The slice is valid until the segment is closed.
func ViewRaw[T any](seg *shm.Segment) ([]T, error) {
	desc, err := shm.DescribeType[T]()
	if err != nil {
		return nil, err
	}
	b := seg.Payload()
	if desc.Size == 0 || uint64(len(b))%desc.Size != 0 {
		return nil, fmt.Errorf("array: view %s: %d bytes are not a whole number of %d-byte %s", seg.Name(), len(b), desc.Size, desc.Name)
	}
	return shm.ViewSlice[T](seg, 0, len(b)/int(desc.Size))
}
