package ringbuf

import (
	"errors"
	"fmt"
)

// named wraps err with the ring's name if it is one of the errors that
// say what went wrong with this ring (not ErrFull, ErrEmpty, io.EOF or a
// context's), as shm's errors name the segment.
func (r *Ring) named(err error) error {
	if err == nil || err == ErrEmpty || err == ErrFull {
		return err
	}
	for _, e := range []error{ErrPeerDead, ErrCorrupt, ErrBusy, ErrTooLarge, ErrNoReservation} {
		if errors.Is(err, e) {
			return fmt.Errorf("ringbuf: %s: %w", r.seg.Name(), err)
		}
	}
	return err
}
