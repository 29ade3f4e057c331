package kinds

import (
	"errors"

	"github.com/shmkit/shmkit/shm"
)

// createObject makes a named object of T, initialized by init: the
// create of a kind that is one placeable type.
func createObject[T any](init func(*T) error) func(string, Params, *shm.Options) (*shm.Segment, error) {
	return func(name string, p Params, o *shm.Options) (*shm.Segment, error) {
		if err := p.noSize(); err != nil {
			return nil, err
		}
		obj, err := shm.CreateObject(name, init, o)
		if err != nil {
			return nil, err
		}
		return obj.Segment(), nil
	}
}

// segmentOf returns the segment of a handle just made, turning a
// geometry that the kind's package refused into a usage error.
func segmentOf[T interface{ Segment() *shm.Segment }](obj T, err error) (*shm.Segment, error) {
	if err != nil {
		if errors.Is(err, shm.ErrInvalidSize) {
			return nil, usageError{err}
		}
		return nil, err
	}
	return obj.Segment(), nil
}
