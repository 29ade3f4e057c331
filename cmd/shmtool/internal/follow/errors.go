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
// carries no messages (Tail) or has no counters to rate (Watch).
type KindError struct {
	Op   string // "tail" or "watch"
	Name string // the segment's
	Kind string
}

func (e *KindError) Error() string {
	what := "rings, streams and queues"
	if e.Op == "watch" { // a pool's tasks have rates, but no messages to show
		what = "rings, streams, queues and pools"
	}
	return fmt.Sprintf("%s is a %q segment; %s follows %s", e.Name, e.Kind, e.Op, what)
}
