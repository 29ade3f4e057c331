package follow

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidConfig is returned (wrapped, saying what is wrong) by
	// Tail and Watch for a config they cannot follow.
	ErrInvalidConfig = errors.New("invalid follow configuration")

	// ErrLapped is returned by Tailer.Next when an observer fell behind
	// and messages went by unseen: a ring's producer overwrote them, or a
	// queue's consumers took them first (ringbuf.ErrLapped and
	// queue.ErrLapped). Following goes on: call Next again.
	ErrLapped = errors.New("follow: observer fell behind; messages went by unseen")
)

// KindError is returned by Tail and Watch for a segment of a kind that
// carries no messages.
type KindError struct {
	Op   string // "tail" or "watch"
	Name string // the segment's
	Kind string
}

func (e *KindError) Error() string {
	return fmt.Sprintf("%s is a %q segment; %s follows rings, streams and queues", e.Name, e.Kind, e.Op)
}
