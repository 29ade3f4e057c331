package kinds

import (
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

// Flow is what watch samples of a kind that carries messages: counters
// that its consumers advance, and how full it is.
type Flow struct {
	Messages, Bytes uint64 // consumed so far
	Used, Capacity  uint64 // bytes, or a queue's slots
	Peers           string // "PRODUCER/CONSUMER" pids, or how many of each a queue has
	Producer        int    // ring and stream only; 0 for a queue
	Consumer        int
}

// ErrNoFlow is returned (wrapped, with the kind) by ReadFlow for a
// segment of a kind that carries no messages, or that this build does
// not know.
var ErrNoFlow = errors.New("kind carries no messages")

// ReadFlow reads the counters of seg, a ring, stream or queue.
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
		fmt.Sprintf("%d/%d", st.ProducerPID, st.ConsumerPID), st.ProducerPID, st.ConsumerPID}, err
}

func queueFlow(seg *shm.Segment) (Flow, error) {
	st, err := queue.Inspect(seg)
	return Flow{st.Counters.Consumed.Messages, st.Counters.Consumed.Bytes, st.Used, st.Capacity,
		fmt.Sprintf("%d producers/%d consumers", len(st.ProducerPIDs), len(st.ConsumerPIDs)), 0, 0}, err
}
