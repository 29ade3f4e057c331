package pool

import (
	"fmt"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// State is a snapshot of a pool, read from its segment, for observers
// such as shmtool. Counts are in tasks (inputs).
type State struct {
	State      string        `json:"state"` // open, closing or closed
	ParentPID  int           `json:"parent_pid"`
	MaxMessage uint64        `json:"max_message"`
	Submitted  uint64        `json:"submitted"`
	Queued     uint64        `json:"queued"`
	InFlight   uint64        `json:"in_flight"`
	Done       uint64        `json:"done"`
	Failed     uint64        `json:"failed"`
	Retried    uint64        `json:"retried"`
	Dropped    uint64        `json:"dropped"`
	Started    uint64        `json:"workers_started"`
	Workers    []WorkerState `json:"workers"`
}

// WorkerState is one worker slot.
type WorkerState struct {
	Slot       int       `json:"slot"`
	PID        int       `json:"pid"` // 0 while the slot is empty
	State      string    `json:"state"`
	Generation uint64    `json:"generation"` // processes this slot has had
	Busy       bool      `json:"busy"`       // running a task now
	Done       uint64    `json:"done"`       // tasks this process answered
	Started    time.Time `json:"started"`
}

// Inspect reads the state of a pool segment.
func Inspect(seg *shm.Segment) (State, error) {
	if seg.Kind() != Kind {
		return State{}, fmt.Errorf("pool: %s is a %q segment, not a pool", seg.Name(), seg.Kind())
	}
	h, slots, err := views(seg)
	if err != nil {
		return State{}, err
	}
	st := h.State.Load()
	s := State{
		State: stateNames[st], ParentPID: int(h.ParentPID.Load()), MaxMessage: h.MaxMessage.Load(),
		Submitted: h.Submitted.Load(), Queued: h.Queued.Load(), InFlight: h.InFlight.Load(),
		Done: h.Done.Load(), Failed: h.Failed.Load(), Retried: h.Retried.Load(), Dropped: h.Dropped.Load(), Started: h.Started.Load(),
	}
	if s.State == "" {
		return State{}, fmt.Errorf("%w: state %d", ErrCorrupt, st)
	}
	for i := range slots {
		sl := &slots[i]
		ws := WorkerState{Slot: i, PID: int(sl.PID.Load()), State: slotNames[sl.State.Load()],
			Generation: sl.Generation.Load(), Busy: sl.Running.Load() != 0, Done: sl.Done.Load()}
		if ws.State == "" {
			ws.State = fmt.Sprintf("unknown (%d)", sl.State.Load())
		}
		if ns := sl.StartedAt.Load(); ns > 0 {
			ws.Started = time.Unix(0, ns)
		}
		s.Workers = append(s.Workers, ws)
	}
	return s, nil
}

// Inspector returns the pool kind's shm.Inspector, whose Inspect returns
// a State.
func Inspector() shm.Inspector { return inspector{} }

type inspector struct{}

func (inspector) Kind() string                          { return Kind }
func (inspector) Inspect(seg *shm.Segment) (any, error) { return Inspect(seg) }
