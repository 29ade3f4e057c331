package queue

import (
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/shm"
)

// Errors; test with errors.Is. They name the queue's segment when they
// come from one ("queue: orders: ...").
var (
	// ErrCorrupt is returned when a position, sequence or length read
	// from shared memory is impossible: a hostile or broken peer wrote
	// it. It wraps shm.ErrCorrupt.
	ErrCorrupt = fmt.Errorf("queue: corrupt queue: %w", shm.ErrCorrupt)

	// ErrTooLarge is returned for a message longer than the queue's
	// maximum message size.
	ErrTooLarge = errors.New("queue: message too large")

	// ErrFull and ErrEmpty are returned by TryWrite and TryRead.
	ErrFull  = errors.New("queue: queue full")
	ErrEmpty = errors.New("queue: queue empty")

	// ErrBusy is returned when MaxPeers live producers (or consumers)
	// are attached already.
	ErrBusy = errors.New("queue: every peer entry is taken by a live process")

	// ErrLapped is returned by Observer.Next when messages were taken
	// before the observer could copy them.
	ErrLapped = errors.New("queue: observer fell behind; messages skipped")
)
