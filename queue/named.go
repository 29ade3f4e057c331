package queue

import (
	"errors"
	"fmt"
)

// named wraps err with the queue's name if it is one of the errors that
// say what went wrong with this queue (not ErrFull, ErrEmpty, io.EOF or a
// context's), as shm's errors name the segment.
func (q *Queue) named(err error) error {
	if err == nil || err == ErrEmpty || err == ErrFull {
		return err
	}
	for _, e := range []error{ErrCorrupt, ErrBusy, ErrTooLarge} {
		if errors.Is(err, e) {
			return fmt.Errorf("queue: %s: %w", q.seg.Name(), err)
		}
	}
	return err
}
