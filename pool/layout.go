package pool

import (
	"fmt"
	"sync/atomic"

	"github.com/shmkit/shmkit/shm"
)

// Kind is the segment kind of a pool, as shmtool ls shows it.
const Kind = "pool"

// kindVersion is the layout version of a pool segment (docs/FORMAT.md).
const kindVersion = 1

// A pool's segment is a header and one slot per worker. The parent writes
// everything but a slot's running word, which the worker in that slot
// writes around each task; observers (shmtool) only read. The segment is
// for observing the pool: tasks and results travel through rings of
// their own, one pair per worker.
const (
	headerSize = 128
	slotSize   = 64
)

// header is the pool's line of counters. Gauges (queued, inflight) and
// counts are per task (an input), not per message.
type header struct {
	Workers    atomic.Uint32 // slots: Config.Workers
	State      atomic.Uint32 // stateOpen, stateClosing, stateClosed
	ParentPID  atomic.Uint64
	Submitted  atomic.Uint64 // tasks ever submitted
	Queued     atomic.Uint64 // tasks waiting for a worker
	InFlight   atomic.Uint64 // tasks sent to a worker and not yet answered
	Done       atomic.Uint64 // tasks that returned a result
	Failed     atomic.Uint64 // tasks that failed (their error, a panic, or out of retries)
	Retried    atomic.Uint64 // tasks sent again after their worker died or timed out
	Started    atomic.Uint64 // worker processes started, replacements included
	MaxMessage atomic.Uint64 // Config.MaxMessage
	Dropped    atomic.Uint64 // tasks dropped unsent: their caller stopped waiting
	_          [40]byte
}

// slot is one worker's line.
type slot struct {
	PID        atomic.Uint64 // the worker process; 0 while the slot is empty
	Generation atomic.Uint64 // how many processes this slot has had
	Running    atomic.Uint64 // the worker's: id+1 of the message it is running, 0 between tasks
	Done       atomic.Uint64 // tasks this process answered
	StartedAt  atomic.Int64  // when this process started, Unix nanoseconds
	State      atomic.Uint32 // slotEmpty, slotStarting, slotReady, slotStopping
	_          [20]byte
}

const (
	stateOpen uint32 = iota + 1
	stateClosing
	stateClosed
)

const (
	slotEmpty uint32 = iota
	slotStarting
	slotReady
	slotStopping
)

var stateNames = map[uint32]string{stateOpen: "open", stateClosing: "closing", stateClosed: "closed"}
var slotNames = map[uint32]string{slotEmpty: "empty", slotStarting: "starting", slotReady: "ready", slotStopping: "stopping"}

// segmentSize is the payload of a pool of n workers.
func segmentSize(n int) int { return headerSize + n*slotSize }

// views returns the header and the slots of a pool segment, checking the
// geometry against the segment's size.
func views(seg *shm.Segment) (*header, []slot, error) {
	h, err := shm.View[header](seg, 0)
	if err != nil {
		return nil, nil, err
	}
	n := int(h.Workers.Load())
	if n < 1 || n > MaxWorkers || segmentSize(n) > seg.Size() {
		return nil, nil, fmt.Errorf("%w: %d workers in %d bytes", ErrCorrupt, n, seg.Size())
	}
	slots, err := shm.ViewSlice[slot](seg, headerSize, n)
	if err != nil {
		return nil, nil, err
	}
	return h, slots, nil
}
