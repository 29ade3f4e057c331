package array

import (
	"fmt"

	"github.com/shmkit/shmkit/shm"
)

// State describes an array of any element type, for observers such as
// shmtool, which do not know T.
type State struct {
	Type     string `json:"type"` // T's Go name, as the creator recorded it
	Len      uint64 `json:"len"`
	ElemSize uint64 `json:"elem_size"`
}

// Inspect returns the state of the array in seg, an array segment opened
// by shm.Open, read-only or not, after checking its geometry.
func Inspect(seg *shm.Segment) (State, error) {
	h := seg.Header()
	if seg.Kind() != Kind {
		return State{}, fmt.Errorf("array: %s is a %q segment, not an array", seg.Name(), seg.Kind())
	}
	if _, size, ok := geometry(h.Elem.Count, h.Elem.Size); !ok || h.PayloadSize != size {
		return State{}, fmt.Errorf("array: %s: %w: %d elements of %d bytes in a %d-byte payload", seg.Name(), shm.ErrCorrupt, h.Elem.Count, h.Elem.Size, h.PayloadSize)
	}
	return State{Type: h.Elem.Name, Len: h.Elem.Count, ElemSize: h.Elem.Size}, nil
}

// Inspector returns the array kind's shm.Inspector, whose Inspect returns
// a State.
func Inspector() shm.Inspector { return inspector{} }

type inspector struct{}

func (inspector) Kind() string                          { return Kind }
func (inspector) Inspect(seg *shm.Segment) (any, error) { return Inspect(seg) }
