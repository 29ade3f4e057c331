package queue

import (
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/shm"
)

// Errors; test with errors.Is. ErrFull, ErrEmpty and ErrLapped come back
// as they are, like io.EOF; the others come wrapped with the queue's
// name, as "queue: jobs: corrupt queue: ...".
var (
	// ErrCorrupt is returned when a position, sequence or length read
	// from shared memory is impossible: a hostile or broken peer wrote
	// it. It wraps shm.ErrCorrupt.
	ErrCorrupt = fmt.Errorf("corrupt queue: %w", shm.ErrCorrupt)

	// ErrTooLarge is returned for a message longer than the queue's
	// maximum message size.
	ErrTooLarge = errors.New("message too large")

	// ErrFull and ErrEmpty are returned by TryWrite and TryRead.
	ErrFull  = errors.New("queue: queue full")
	ErrEmpty = errors.New("queue: queue empty")

	// ErrBusy is returned when MaxPeers live producers (or consumers)
	// are attached already, or when another live process keeps the
	// producers' table locked for over a second.
	ErrBusy = errors.New("every peer entry is taken by a live process")

	// ErrLapped is returned by Observer.Next when messages were taken
	// before the observer could copy them.
	ErrLapped = errors.New("queue: observer fell behind; messages skipped")
)
