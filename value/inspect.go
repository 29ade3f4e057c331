package value

import "github.com/shmkit/shmkit/shm"

// State is a snapshot of a value of any element type, for observers such
// as shmtool, which do not know T.
type State struct {
	Type  string `json:"type"`  // T's Go name, as the creator recorded it
	Size  uint64 `json:"size"`  // bytes of T
	Bytes []byte `json:"bytes"` // a consistent snapshot of the value's bytes
}

// Inspect returns the state of the value in seg, a value segment opened by
// shm.Open, read-only or not. It fails with ErrCorrupt if a writer died
// mid-write.
func Inspect(seg *shm.Segment) (State, error) {
	b, err := ReadBytes(seg)
	if err != nil {
		return State{}, err
	}
	e := seg.Header().Elem
	return State{Type: e.Name, Size: e.Size, Bytes: b}, nil
}

// Inspector returns the value kind's shm.Inspector, whose Inspect returns
// a State.
func Inspector() shm.Inspector { return inspector{} }

type inspector struct{}

func (inspector) Kind() string                          { return Kind }
func (inspector) Inspect(seg *shm.Segment) (any, error) { return Inspect(seg) }
