package kinds

import (
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/pool"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

// Flow is what watch samples of a kind that carries messages: counters
// that its consumers advance, and how full it is. A pool's messages are
// its tasks: finished ones, with no bytes counted, and it is as full as
// its workers are busy.
type Flow struct {
	Messages, Bytes uint64 // consumed so far; a pool's tasks done or failed
	Used, Capacity  uint64 // bytes, or a queue's slots, or a pool's busy workers of all
	Peers           string // "PRODUCER/CONSUMER" pids ("1234 (dead)", "-" for none), or how many of each a queue has; a pool's parent and workers
	Producer        int    // ring and stream only; 0 for a queue
	Consumer        int
	ProducerAlive   bool // ring and stream: the producer's process runs
	ConsumerAlive   bool
	Tasks           bool // a pool: Messages are tasks, and Bytes is not counted
}

// peer names a ring side's process for a person: its pid, "(dead)" once
// it died holding the role, "-" when no process holds it.
func peer(pid int, alive bool) string {
	switch {
	case pid == 0 && !alive:
		return "-"
	case !alive:
		return fmt.Sprintf("%d (dead)", pid)
	}
	return fmt.Sprint(pid)
}

// count says how many of a queue's side are attached, and how many of
// those are dead.
func count(alive []bool, what string) string {
	dead := 0
	for _, a := range alive {
		if !a {
			dead++
		}
	}
	s := fmt.Sprintf("%d %s", len(alive), what)
	if len(alive) != 1 {
		s += "s"
	}
	if dead > 0 {
		s += fmt.Sprintf(" (%d dead)", dead)
	}
	return s
}

// ErrNoFlow is returned (wrapped, with the kind) by ReadFlow for a
// segment of a kind that carries no messages, or that this build does
// not know.
var ErrNoFlow = errors.New("kind carries no messages")

// ReadFlow reads the counters of seg, a ring, stream, queue or pool.
func ReadFlow(seg *shm.Segment) (Flow, error) {
	k, ok := table.byName[seg.Kind()]
	if !ok || k.flow == nil {
		return Flow{}, fmt.Errorf("%w: %q", ErrNoFlow, seg.Kind())
	}
	return k.flow(seg)
}

func ringFlow(seg *shm.Segment) (Flow, error) {
	st, err := ringbuf.Inspect(seg)
	return Flow{st.Counters.Consumed.Messages, st.Counters.Consumed.Bytes, st.Used, st.Capacity,
		peer(st.ProducerPID, st.ProducerAlive) + "/" + peer(st.ConsumerPID, st.ConsumerAlive),
		st.ProducerPID, st.ConsumerPID, st.ProducerAlive, st.ConsumerAlive, false}, err
}

func queueFlow(seg *shm.Segment) (Flow, error) {
	st, err := queue.Inspect(seg)
	return Flow{Messages: st.Counters.Consumed.Messages, Bytes: st.Counters.Consumed.Bytes, Used: st.Used, Capacity: st.Capacity,
		Peers: count(st.ProducerAlive, "producer") + "/" + count(st.ConsumerAlive, "consumer")}, err
}

// poolFlow reads a pool: tasks finished, busy workers, and its parent
// (the segment's creator) and how many workers it has.
func poolFlow(seg *shm.Segment) (Flow, error) {
	st, err := pool.Inspect(seg)
	if err != nil {
		return Flow{}, err
	}
	fl := Flow{Messages: st.Done + st.Failed, Capacity: uint64(len(st.Workers)), Tasks: true}
	running := 0
	for _, w := range st.Workers {
		if w.Busy {
			fl.Used++
		}
		if w.PID != 0 {
			running++
		}
	}
	what := fmt.Sprintf("%d workers", running)
	if running == 1 {
		what = "1 worker"
	}
	if n := len(st.Workers) - running; n > 0 {
		what += fmt.Sprintf(" (%d starting)", n)
	}
	fl.Peers = peer(st.ParentPID, seg.Header().CreatorAlive()) + "/" + what
	return fl, nil
}
